"""ML feature store: one versioned feature vector per player and date, for points prediction
(processor 3).

Every feature comes from games strictly before the date: the summaries of the date's window
(:mod:`.history`) and the date's composite factors (:mod:`.composite`), which themselves read
only the window and the date's roster. The label (the points scored on the date) is not here:
join ``player_game_summary`` on (game_date, player_id).

:data:`FEATURES` lists the 27 features with their unit and where they come from;
``docs/nba.md`` has the formulas. Bump :data:`FEATURE_VERSION` whenever a feature's
definition changes.
"""

from __future__ import annotations

import polars as pl

from .composite import COMPOSITE_SCHEMA
from .history import player_form

FEATURE_VERSION = "v1"

#: feature -> (unit, source). Source ``history``: :func:`.history.player_form` over the
#: window; ``composite``: the composite factors of the date; ``derived``: below.
FEATURES = {
    "points_avg_last_3": ("points", "history"),
    "points_avg_last_5": ("points", "history"),
    "points_avg_last_10": ("points", "history"),
    "points_avg_season": ("points", "history"),
    "points_std_last_10": ("points", "history"),
    "points_std_season": ("points", "history"),
    "minutes_avg_last_10": ("minutes", "history"),
    "points_per_minute_last_10": ("points / minute", "history"),
    "usage_rate_last_10": ("percent", "history"),
    "ts_pct_last_10": ("fraction", "history"),
    "points_trend_last_10": ("points / game", "history"),
    "points_zscore_last_5": ("1", "derived"),
    "games_played_season": ("games", "history"),
    "dnp_rate_season": ("fraction", "history"),
    "days_rest": ("days", "composite"),
    "back_to_back": ("bool", "composite"),
    "games_last_7_days": ("games", "composite"),
    "is_home": ("bool", "composite"),
    "team_pace_last_10": ("possessions / 48 min", "composite"),
    "opp_pace_last_10": ("possessions / 48 min", "composite"),
    "opp_def_rating_last_10": ("points / 100 possessions", "composite"),
    "fatigue_score": ("0-100", "composite"),
    "pace_adjustment": ("points", "composite"),
    "usage_spike_adjustment": ("points", "composite"),
    "shot_zone_mismatch": ("points", "composite"),
    "total_adjustment": ("points", "composite"),
    "high_usage_teammates_out": ("players", "composite"),
}

KEYS = ("game_date", "season", "game_id", "player_id", "player_name", "team_id", "opponent_team_id")
QUALITY = ("production_ready", "early_season_bootstrap")

#: Columns of ``ml_feature_store/{date}.parquet``: keys, the features, quality flags, version.
FEATURE_SCHEMA = pl.Schema(
    {
        **{k: COMPOSITE_SCHEMA[k] for k in KEYS},
        **{
            name: COMPOSITE_SCHEMA.get(name, pl.Int64 if unit == "games" else pl.Float64)
            for name, (unit, _) in FEATURES.items()
        },
        **{q: pl.Boolean for q in QUALITY},
        "feature_version": pl.String,
    }
)


def feature_store(factors: pl.DataFrame, history: pl.DataFrame) -> pl.DataFrame:
    """Feature vectors (:data:`FEATURE_SCHEMA`) of every player in ``factors`` (the date's
    composite factors) from ``history`` (the summaries of the date's window, which the
    factors were computed from too).

    ``points_zscore_last_5`` = (points_avg_last_5 - points_avg_season) / points_std_season:
    how far the last five games sit from the season, in season standard deviations (null
    with a season deviation of 0 or null).
    """
    p = pl.col
    form = player_form(history, factors.get_column("player_id"))
    frame = (
        factors.drop("points_avg_last_10", "usage_last_10")
        .join(form, on="player_id", how="left")
        .with_columns(
            p("games_played_season").fill_null(0),
            pl.when(p("points_std_season") > 0)
            .then((p("points_avg_last_5") - p("points_avg_season")) / p("points_std_season"))
            .alias("points_zscore_last_5"),
            pl.lit(FEATURE_VERSION).alias("feature_version"),
        )
    )
    return frame.select(FEATURE_SCHEMA.names()).cast(FEATURE_SCHEMA).sort("game_id", "team_id", "player_id")
