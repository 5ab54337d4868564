"""Composite factors and feature vectors of a date against hand-computed values, from a small
made-up history: player 1 of team 10 plays four games in a week (one back-to-back) and sits one
out; teammate 2, a high-usage starter, is out on the date; team 20 is the opponent."""

from __future__ import annotations

import subprocess
import sys
from datetime import date

import polars as pl
import pytest

from shardflow.config import schema_defaults
from shardflow.nba.composite import COMPOSITE_SCHEMA, SETTING_KEYS, composite_factors, fatigue_score
from shardflow.nba.features import FEATURE_SCHEMA, FEATURE_VERSION, FEATURES, feature_store
from shardflow.nba.history import player_form, player_load
from shardflow.nba.summary import SUMMARY_SCHEMA
from shardflow.nba.windows import season_of, window_dates

NBA = schema_defaults()["nba"]
SETTINGS = {**{key: NBA[key] for key in SETTING_KEYS}, "bootstrap_games": 3}
DAY = "2024-11-07"
WINDOW = ["2024-11-01", "2024-11-03", "2024-11-04", "2024-11-05", "2024-11-06"]


def rows(day, game, team, opp, players, pace=100.0, def_rating=110.0, zones=None) -> list[dict]:
    """Summary rows of one team in one game; ``players``: (id, pts, minutes, usage) with
    minutes None for a DNP; ``zones``: per player (paint, mid, three) attempts and makes."""
    out = []
    for pid, pts, minutes, usage in players:
        z = (zones or {}).get(pid)
        out.append(
            {
                "game_date": date.fromisoformat(day),
                "season": season_of(day),
                "game_id": game,
                "team_id": team,
                "opponent_team_id": opp,
                "is_home": team < opp,
                "player_id": pid,
                "player_name": f"p{pid}",
                "dnp": minutes is None,
                "minutes": minutes,
                "pts": pts,
                "fga": None if minutes is None else 10,
                "fta": None if minutes is None else 5,
                "usage_rate": usage,
                "paint_fga": z[0] if z else None,
                "paint_fgm": z[1] if z else None,
                "mid_fga": z[2] if z else None,
                "mid_fgm": z[3] if z else None,
                "three_fga": z[4] if z else None,
                "three_fgm": z[5] if z else None,
                "team_pace": pace,
                "team_def_rating": def_rating,
                "team_off_rating": 100.0,
            }
        )
    return out


def frame(records) -> pl.DataFrame:
    return (
        pl.DataFrame(records, schema_overrides=SUMMARY_SCHEMA)
        .select(
            [
                pl.col(c) if c in pl.DataFrame(records).columns else pl.lit(None, t).alias(c)
                for c, t in SUMMARY_SCHEMA.items()
            ]
        )
        .cast(SUMMARY_SCHEMA)
    )


@pytest.fixture(scope="module")
def history() -> pl.DataFrame:
    one = [(2, 25, 32.0, 30.0)]
    return frame(
        [
            *rows("2024-11-01", "g1", 10, 30, [(1, 10, 30.0, 20.0), *one], pace=98.0),
            *rows("2024-11-01", "g1", 30, 10, [(3, 12, 30.0, 20.0)], pace=98.0),
            *rows("2024-11-03", "g2", 10, 30, [(1, 20, 32.0, 20.0), *one], pace=100.0),
            *rows("2024-11-03", "g2", 30, 10, [(3, 12, 30.0, 20.0)], pace=100.0),
            *rows(
                "2024-11-04",
                "g3",
                10,
                30,
                [(1, 30, 34.0, 30.0), *one],
                pace=101.0,
                zones={1: (6, 4, 2, 1, 2, 1), 2: (4, 2, 4, 2, 2, 0)},
            ),
            *rows("2024-11-04", "g3", 30, 10, [(3, 12, 30.0, 20.0)], pace=101.0, zones={3: (10, 5, 10, 4, 10, 3)}),
            *rows(
                "2024-11-05", "g4", 10, 20, [(1, None, None, None), *one], pace=101.0, zones={2: (10, 5, 0, 0, 10, 4)}
            ),
            *rows(
                "2024-11-05",
                "g4",
                20,
                10,
                [(4, 15, 30.0, 20.0)],
                pace=105.0,
                def_rating=120.0,
                zones={4: (10, 4, 10, 5, 10, 3)},
            ),
            *rows("2024-11-06", "g5", 10, 30, [(1, 40, 36.0, 30.0), *one], pace=100.0),
            *rows("2024-11-06", "g5", 30, 10, [(3, 12, 30.0, 20.0)], pace=100.0),
            *rows("2024-11-06", "g6", 20, 40, [(4, 15, 30.0, 20.0)], pace=103.0, def_rating=100.0),
            *rows("2024-11-06", "g6", 40, 20, [(5, 15, 30.0, 20.0)], pace=103.0),
        ]
    )


@pytest.fixture(scope="module")
def roster() -> pl.DataFrame:
    return frame(
        [
            *rows(DAY, "g9", 10, 20, [(1, 99, 48.0, 99.0), (2, None, None, None)]),
            *rows(DAY, "g9", 20, 10, [(4, 99, 48.0, 99.0)]),
        ]
    )


@pytest.fixture(scope="module")
def factors(roster, history) -> pl.DataFrame:
    return composite_factors(roster, history, DAY, WINDOW, **SETTINGS)


def test_window_dates():
    dates = ["2024-06-10", "2024-10-22", "2024-10-30", "2024-11-01", "2024-11-06", "2024-11-07", "2024-11-08"]
    assert window_dates(dates, "2024-11-07", None) == ["2024-10-22", "2024-10-30", "2024-11-01", "2024-11-06"]
    assert window_dates(dates, "2024-11-07", 7) == ["2024-11-01", "2024-11-06"]  # 10-31 .. 11-06
    assert window_dates(dates, "2024-11-07", 8) == ["2024-10-30", "2024-11-01", "2024-11-06"]
    assert window_dates(dates, "2024-10-22", None) == []  # a new season; June belongs to 2023-24
    assert season_of("2024-06-10") == 2023 and season_of("2024-10-22") == 2024


def test_player_history_by_hand(history):
    form = player_form(history).filter(pl.col("player_id") == 1).row(0, named=True)
    assert form["games_played_season"] == 4
    assert form["points_avg_last_3"] == pytest.approx(30.0) and form["points_avg_season"] == pytest.approx(25.0)
    assert form["points_std_last_10"] == pytest.approx(pl.Series([10, 20, 30, 40]).std())
    assert form["points_trend_last_10"] == pytest.approx(10.0)  # +10 points per game
    assert form["points_per_minute_last_10"] == pytest.approx(100 / 132)
    assert form["usage_rate_last_10"] == pytest.approx(25.0)
    assert form["ts_pct_last_10"] == pytest.approx(100 / (2 * (40 + 0.44 * 20)))
    assert form["dnp_rate_season"] == pytest.approx(0.2)
    load = player_load(history, DAY).filter(pl.col("player_id") == 1).row(0, named=True)
    assert load["usage_last_3"] == pytest.approx(80 / 3) and load["usage_last_10"] == pytest.approx(25.0)
    assert load["games_last_7_days"] == 4 and load["minutes_last_7_days"] == pytest.approx(132.0)
    assert load["back_to_backs_last_14_days"] == 1  # 11-04 after 11-03 (11-05 he did not play)
    # zone attempts per game over his charted games (only g3)
    assert (load["paint_fga_per_game"], load["mid_fga_per_game"], load["three_fga_per_game"]) == (6.0, 2.0, 2.0)
    # only the players asked for
    assert player_load(history, DAY, pl.Series([4]))["player_id"].to_list() == [4]


def test_fatigue_rules():
    score = fatigue_score(pl.col("rest"), pl.col("g7"), pl.col("m7"), pl.col("b2b"))
    got = (
        pl.DataFrame(
            {
                "rest": [None, 0, 3, 1, 0],
                "g7": [0, 4, 1, 3, 4],
                "m7": [0.0, 132.0, 30.0, 108.0, 150.0],
                "b2b": [0, 1, 0, 2, 3],
            }
        )
        .select(score.alias("s"))["s"]
        .to_list()
    )
    assert got == [100.0, 70.0, 100.0, 100.0 - 8 - 12, 100.0 - 15 - 10 - 8 - 12]


def test_composite_factors_by_hand(factors):
    assert factors.schema == COMPOSITE_SCHEMA
    one = factors.filter(pl.col("player_id") == 1).row(0, named=True)
    assert one["days_rest"] == 0 and one["back_to_back"]
    assert one["fatigue_score"] == 70.0 and one["fatigue_adjustment"] == -1.5  # -15 b2b, -10 4 games, -5 one b2b
    # team 10's last games: 98, 100, 101, 101, 100; opponent 20: 105, 103
    assert one["team_pace_last_10"] == pytest.approx(100.0) and one["opp_pace_last_10"] == pytest.approx(104.0)
    assert one["opp_def_rating_last_10"] == pytest.approx(110.0)
    assert one["pace_adjustment"] == pytest.approx(25.0 * 4.0 / 200.0)
    # teammate 2 (usage 30 %, 32 min) is out: the positive spike is amplified x1.15
    assert one["high_usage_teammates_out"] == 1
    assert one["usage_spike_adjustment"] == pytest.approx(25.0 * (80 / 3 - 25) / 25 * 1.15)
    # opponent 20 allowed (g4, team 10's shots): paint 5/10, mid 0/0, three 4/10; mid allowed undefined
    assert one["shot_zone_mismatch"] is None and one["missing_factors"] == "shot_zone"
    assert one["total_adjustment"] == pytest.approx(-1.5 + 0.5 + 25 * (80 / 3 - 25) / 25 * 1.15)
    assert (one["expected_games"], one["found_games"], one["completeness_pct"]) == (5, 5, 100.0)
    assert one["production_ready"] and not one["early_season_bootstrap"] and one["window_unreadable_dates"] == 0
    four = factors.filter(pl.col("player_id") == 4).row(0, named=True)
    # player 4's opponent (team 10) allowed in g3 and g4 (shots of teams 30 and 20)
    league = {"paint": (4 + 2 + 5 + 5 + 4) / 40, "mid": (1 + 2 + 4 + 0 + 5) / 26, "three": (1 + 0 + 3 + 4 + 3) / 34}
    allowed = {"paint": 9 / 20, "mid": 9 / 20, "three": 6 / 20}
    points = {"paint": 2, "mid": 2, "three": 3}
    expected = sum(10.0 * points[z] * (allowed[z] - league[z]) for z in points)
    assert four["shot_zone_mismatch"] == pytest.approx(expected)
    assert four["expected_games"] == 2 and four["days_rest"] == 0 and four["usage_spike_adjustment"] == 0.0
    assert four["early_season_bootstrap"] and not four["production_ready"]  # 2 team games < 3


def test_feature_vectors(factors, history):
    features = feature_store(factors, history)
    assert features.schema == FEATURE_SCHEMA and len(FEATURES) == 27
    assert features["feature_version"].unique().to_list() == [FEATURE_VERSION]
    assert features["player_id"].to_list() == [1, 2, 4]
    one = features.filter(pl.col("player_id") == 1).row(0, named=True)
    assert one["points_avg_last_5"] == pytest.approx(25.0) and one["points_zscore_last_5"] == pytest.approx(0.0)
    assert one["usage_rate_last_10"] == pytest.approx(25.0) and one["games_played_season"] == 4
    for name in ("days_rest", "fatigue_score", "pace_adjustment", "total_adjustment", "is_home"):
        assert one[name] == factors.filter(pl.col("player_id") == 1)[name][0]
    # no NaN anywhere: undefined values are null
    floats = [c for c, t in features.schema.items() if t == pl.Float64]
    assert not features.select(pl.any_horizontal(pl.col(floats).is_nan()).any()).item()


def test_a_date_without_history(roster):
    empty = pl.DataFrame(schema=SUMMARY_SCHEMA)
    factors = composite_factors(roster, empty, DAY, [], **SETTINGS)
    features = feature_store(factors, empty)
    assert features["points_avg_season"].is_null().all() and (features["games_played_season"] == 0).all()
    assert factors["fatigue_score"].to_list() == [100.0] * 3 and factors["early_season_bootstrap"].all()
    assert factors["total_adjustment"].to_list() == [0.0] * 3
    assert factors["missing_factors"].unique().to_list() == ["pace,usage_spike,shot_zone"]


def test_an_unreadable_window_date_is_counted(roster, history, factors):
    missing = composite_factors(roster, history, DAY, [*WINDOW, "2024-11-02"], **SETTINGS)
    assert (missing["window_unreadable_dates"] == 1).all() and not missing["production_ready"].any()
    assert missing.drop("window_unreadable_dates", "production_ready").equals(
        factors.drop("window_unreadable_dates", "production_ready")
    )


def test_the_per_date_jobs_import_neither_pandas_numpy_nor_snakemake():
    code = (
        "import sys; import shardflow.nba.jobs; "
        "print(sorted(m for m in ('pandas', 'numpy', 'pyarrow', 'snakemake') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
