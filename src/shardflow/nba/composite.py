"""Player composite factors: adjustments (in points) to a player's expected scoring on a date,
from the summaries of the dates in its window only (processor 2).

For every player listed in the date's box scores (the roster: who plays whom, at home or away,
and who is out, which is public before tip-off), nothing else of the date's games is used.
The factors follow the original system's four active factors (nba-stats-scraper,
``player_composite_factors``), made proportional to the player's scoring where the original
used fixed scales:

fatigue_score (0-100, higher = fresher)
    100, -15 on a back-to-back (``days_rest`` 0), +5 after 3 or more days of rest, -10 for 4 or
    more games in the last 7 days, -8 for more than 35 minutes per game in them, -12 for 2 or
    more back-to-backs in the last 14 days (-5 for one); clipped to 0-100. (The original's age
    penalty needs birth dates, which box scores do not have.)
fatigue_adjustment = (fatigue_score - 100) / 20 points (0 to -5), as in the original.
pace_adjustment
    ``pace_differential`` = opponent's pace minus the team's, each the mean over its last 10
    games. The game is expected to run at the mean of both, so the player's possessions, and
    points, change by the fraction differential / (2 team pace):
    ``points_avg_last_10 * pace_differential / (2 * team_pace_last_10)``.
usage_spike_adjustment
    ``points_avg_last_10 * (usage_last_3 - usage_last_10) / usage_last_10``: a recent rise in the
    player's share of plays, in points; a positive spike is amplified x1.15 with one high-usage
    teammate (usage_last_10 >= ``high_usage_pct`` and minutes_avg_last_10 >= ``high_usage_min_minutes``,
    bench players' usage over a few minutes being too noisy to count) listed as not
    playing on the date, x1.30 with two or more.
shot_zone_mismatch (only with shot charts; null otherwise)
    sum over zones of the player's attempts per game there (last 10 charted games) x points per
    make x (field-goal percentage the opponent allowed there over its last 10 charted games -
    league percentage there in the window): the points the opponent's zone defence is expected
    to give or take.
total_adjustment = the sum of the factors that are not null (``missing_factors`` names the
others, comma-separated; empty when none).

Completeness: ``expected_games`` (games of the player's team in the window), ``found_games``
(those with a row for the player), ``completeness_pct``, ``window_unreadable_dates`` (window
dates whose box-score file could not be read), ``early_season_bootstrap`` (the team has
played fewer than ``bootstrap_games`` games in the window: averages rest on few games) and
``production_ready`` (completeness >= ``production_ready_pct``, no unreadable window date, not
bootstrapping).
"""

from __future__ import annotations

from datetime import date as Date

import polars as pl

from .boxscore import ZONES
from .formulas import ratio
from .history import ZONE_POINTS, league_zone_fg_pct, missing_dates, player_load, team_history, window_games

#: Columns of ``composite_factors/{date}.parquet``, in order (units in ``docs/nba.md``).
COMPOSITE_SCHEMA = pl.Schema(
    {
        "game_date": pl.Date,
        "season": pl.Int64,
        "game_id": pl.String,
        "player_id": pl.Int64,
        "player_name": pl.String,
        "team_id": pl.Int64,
        "opponent_team_id": pl.Int64,
        "is_home": pl.Boolean,
        "days_rest": pl.Int64,
        "back_to_back": pl.Boolean,
        "games_last_7_days": pl.Int64,
        "minutes_last_7_days": pl.Float64,
        "back_to_backs_last_14_days": pl.Int64,
        "fatigue_score": pl.Float64,
        "fatigue_adjustment": pl.Float64,
        "points_avg_last_10": pl.Float64,
        "team_pace_last_10": pl.Float64,
        "opp_pace_last_10": pl.Float64,
        "opp_def_rating_last_10": pl.Float64,
        "pace_differential": pl.Float64,
        "pace_adjustment": pl.Float64,
        "usage_last_3": pl.Float64,
        "usage_last_10": pl.Float64,
        "high_usage_teammates_out": pl.Int64,
        "usage_spike_adjustment": pl.Float64,
        "shot_zone_mismatch": pl.Float64,
        "total_adjustment": pl.Float64,
        "missing_factors": pl.String,
        "expected_games": pl.Int64,
        "found_games": pl.Int64,
        "completeness_pct": pl.Float64,
        "window_unreadable_dates": pl.Int64,
        "early_season_bootstrap": pl.Boolean,
        "production_ready": pl.Boolean,
    }
)

#: The settings of :func:`composite_factors`: config keys ``nba.*`` of the same names.
SETTING_KEYS = ("high_usage_pct", "high_usage_min_minutes", "bootstrap_games", "production_ready_pct")

#: What the composite factors read of the date's own summary: the roster, nothing it reports.
ROSTER_COLUMNS = (
    "game_date",
    "season",
    "game_id",
    "player_id",
    "player_name",
    "team_id",
    "opponent_team_id",
    "is_home",
    "dnp",
)

ADJUSTMENTS = {
    "fatigue": "fatigue_adjustment",
    "pace": "pace_adjustment",
    "usage_spike": "usage_spike_adjustment",
    "shot_zone": "shot_zone_mismatch",
}


def fatigue_score(days_rest: pl.Expr, games_7: pl.Expr, minutes_7: pl.Expr, b2b_14: pl.Expr) -> pl.Expr:
    """Fatigue score 0-100 (see the module docstring); a null ``days_rest`` (no earlier game)
    counts as neither a back-to-back nor a long rest."""
    score = (
        100.0
        - 15.0 * (days_rest == 0).fill_null(False)
        + 5.0 * (days_rest >= 3).fill_null(False)
        - 10.0 * (games_7 >= 4)
        - 8.0 * (pl.when(games_7 > 0).then(minutes_7 / games_7).otherwise(0.0) > 35.0)
        - 12.0 * (b2b_14 >= 2)
        - 5.0 * (b2b_14 == 1)
    )
    return score.clip(0.0, 100.0)


def composite_factors(
    roster: pl.DataFrame,
    history: pl.DataFrame,
    day: str,
    window: list[str],
    *,
    high_usage_pct: float,
    high_usage_min_minutes: float,
    bootstrap_games: int,
    production_ready_pct: float,
) -> pl.DataFrame:
    """Composite factors (:data:`COMPOSITE_SCHEMA`) of every player in ``roster`` (the date's
    player game summary; only its roster columns are read) from ``history`` (the summaries of
    the ``window`` dates), sorted by game, team, player."""
    p = pl.col
    players = player_load(history, day, roster.get_column("player_id"))
    teams = team_history(history)
    league = league_zone_fg_pct(history)
    opponent = teams.select(
        p("team_id").alias("opponent_team_id"),
        p("pace_last_10").alias("opp_pace_last_10"),
        p("def_rating_last_10").alias("opp_def_rating_last_10"),
        *(p(f"allowed_{z}_fg_pct") for z in ZONES),
    )
    team = teams.select("team_id", "games_in_window", p("pace_last_10").alias("team_pace_last_10"))
    frame = (
        roster.select(*ROSTER_COLUMNS)
        .join(players, on="player_id", how="left")
        .join(team, on="team_id", how="left")
        .join(opponent, on="opponent_team_id", how="left")
        .join(window_games(history), on=["player_id", "team_id"], how="left")
    )
    days_rest = (pl.lit(Date.fromisoformat(day)) - p("last_game_date")).dt.total_days() - 1
    high_usage = (p("usage_last_10") >= high_usage_pct) & (p("minutes_avg_last_10") >= high_usage_min_minutes)
    out = (p("dnp") & high_usage).fill_null(False).cast(pl.Int64)
    spike = p("points_avg_last_10") * ratio(p("usage_last_3") - p("usage_last_10"), p("usage_last_10"))
    boost = (
        pl.when(spike <= 0)
        .then(1.0)
        .when(p("high_usage_teammates_out") >= 2)
        .then(1.30)
        .when(p("high_usage_teammates_out") == 1)
        .then(1.15)
        .otherwise(1.0)
    )
    mismatch = (
        pl.sum_horizontal(
            p(f"{z}_fga_per_game") * ZONE_POINTS[z] * (p(f"allowed_{z}_fg_pct") - league[z]) for z in ZONES
        )
        if all(league[z] is not None for z in ZONES)
        else pl.lit(None, pl.Float64)
    )
    any_zone_null = pl.any_horizontal(
        p(f"{z}_fga_per_game").is_null() | p(f"allowed_{z}_fg_pct").is_null() for z in ZONES
    )
    frame = (
        frame.with_columns(
            days_rest.alias("days_rest"),
            p("games_last_7_days").fill_null(0),
            # 0 without a game in the 7 days; null when a game's minutes are flagged (fatigue unknown)
            pl.when(p("games_last_7_days").is_null())
            .then(0.0)
            .otherwise(p("minutes_last_7_days"))
            .alias("minutes_last_7_days"),
            p("back_to_backs_last_14_days").fill_null(0),
            (out.sum().over("game_id", "team_id") - out).alias("high_usage_teammates_out"),
            p("games_in_window").fill_null(0).alias("expected_games"),
            p("found_games").fill_null(0),
        )
        .with_columns(
            (p("days_rest") == 0).fill_null(False).alias("back_to_back"),
            fatigue_score(
                p("days_rest"), p("games_last_7_days"), p("minutes_last_7_days"), p("back_to_backs_last_14_days")
            ).alias("fatigue_score"),
            (p("opp_pace_last_10") - p("team_pace_last_10")).alias("pace_differential"),
            (spike * boost).alias("usage_spike_adjustment"),
            pl.when(any_zone_null).then(None).otherwise(mismatch).alias("shot_zone_mismatch"),
            pl.when(p("expected_games") > 0)
            .then(100.0 * p("found_games") / p("expected_games"))
            .alias("completeness_pct"),
            pl.lit(missing_dates(history, window), pl.Int64).alias("window_unreadable_dates"),
            (p("expected_games") < bootstrap_games).alias("early_season_bootstrap"),
        )
        .with_columns(
            ((p("fatigue_score") - 100.0) / 20.0).alias("fatigue_adjustment"),
            (p("points_avg_last_10") * ratio(p("pace_differential"), 2 * p("team_pace_last_10"))).alias(
                "pace_adjustment"
            ),
        )
        .with_columns(
            pl.sum_horizontal(ADJUSTMENTS.values()).alias("total_adjustment"),
            pl.concat_str(
                [pl.when(p(c).is_null()).then(pl.lit(name)) for name, c in ADJUSTMENTS.items()],
                separator=",",
                ignore_nulls=True,
            ).alias("missing_factors"),
            (
                (p("completeness_pct") >= production_ready_pct).fill_null(False)
                & (p("window_unreadable_dates") == 0)
                & ~p("early_season_bootstrap")
            ).alias("production_ready"),
        )
    )
    return frame.select(COMPOSITE_SCHEMA.names()).cast(COMPOSITE_SCHEMA).sort("game_id", "team_id", "player_id")
