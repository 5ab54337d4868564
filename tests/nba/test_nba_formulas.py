"""Rate statistics against hand-computed values (Donovan Mitchell's 71-point overtime game and
small made-up lines), nulls for undefined ratios, and the over/under outcome."""

from __future__ import annotations

import polars as pl
import pytest

from shardflow.nba import formulas as f
from shardflow.nba.datefile import read_date_file
from shardflow.nba.summary import SUMMARY_SCHEMA, over_under, player_game_summary

P = pl.col


def evaluate(expr: pl.Expr, **columns) -> list:
    return pl.DataFrame(columns).select(expr.alias("x"))["x"].to_list()


def test_shooting_percentages_and_nulls():
    ts = f.true_shooting(P("pts"), P("fga"), P("fta"))
    assert evaluate(ts, pts=[71, 0, 2, 0], fga=[34, 0, 0, 3], fta=[25, 0, 2, 0]) == pytest.approx(
        [71 / 90, None, 2 / 1.76, 0.0]
    )
    efg = f.effective_fg(P("fgm"), P("fg3m"), P("fga"))
    assert evaluate(efg, fgm=[22, 0, 3], fg3m=[7, 0, 2], fga=[34, 0, 4]) == pytest.approx([25.5 / 34, None, 1.0])


def test_usage_rate_uses_the_real_team_minutes():
    usage = f.usage_rate(P("min"), f.plays(P("fga"), P("fta"), P("tov")), P("tm_min"), P("tm_plays"))
    # Mitchell: 34 FGA, 25 FTA, 4 TOV in 49:48; Cleveland 92 FGA, 45 FTA, 10 TOV in 265 minutes
    tm_plays = 92 + 0.44 * 45 + 10
    got = evaluate(
        usage,
        min=[49.8, 49.8, 0.0],
        fga=[34] * 3,
        fta=[25] * 3,
        tov=[4] * 3,
        tm_min=[265.0, 240.0, 265.0],
        tm_plays=[tm_plays] * 3,
    )
    assert got[0] == pytest.approx(100 * 49 * 53 / (49.8 * 121.8))  # 42.82 %
    assert got[1] == pytest.approx(100 * 49 * 48 / (49.8 * 121.8))  # 38.78 % if the overtime were ignored
    assert got[2] is None


def test_possessions_pace_and_ratings():
    cle = f.possessions(pl.lit(92), pl.lit(45), pl.lit(13), pl.lit(10))
    chi = f.possessions(pl.lit(95), pl.lit(34), pl.lit(6), pl.lit(7))
    row = pl.select(
        cle.alias("cle"),
        chi.alias("chi"),
        f.pace(cle, chi, pl.lit(265.0)).alias("pace"),
        f.rating(pl.lit(145), cle, chi).alias("off"),
        f.rating(pl.lit(134), cle, chi).alias("def"),
        f.pace(cle, chi, pl.lit(0.0)).alias("no_minutes"),
    ).row(0, named=True)
    assert (row["cle"], row["chi"]) == pytest.approx((108.8, 110.96))
    assert row["pace"] == pytest.approx(48 * (108.8 + 110.96) / (2 * 53))
    assert row["off"] == pytest.approx(100 * 145 / 109.88) and row["def"] == pytest.approx(100 * 134 / 109.88)
    assert row["no_minutes"] is None


def test_over_under_push_and_no_line():
    outcome = over_under(P("pts"), P("line"))
    assert evaluate(outcome, pts=[30, 20, 25, None, 25], line=[24.5, 24.5, 25.0, 24.5, None]) == [
        "over",
        "under",
        "push",
        None,
        None,
    ]


def test_summary_of_the_real_game(shared_data):
    box = read_date_file(shared_data / "nba" / "boxscoretraditionalv2_0022200552.json")
    lines = pl.DataFrame({"player_id": [1628378, 201942, 1630596]}, schema={"player_id": pl.Int64}).with_columns(
        points_line=pl.Series([33.5, 44.0, 10.5])
    )
    summary = player_game_summary(box, "2023-01-02", "game.json", lines, season_types=None)
    assert summary.schema == SUMMARY_SCHEMA
    assert summary["season"].unique().to_list() == [2022]
    m = summary.filter(P("player_id") == 1628378).row(0, named=True)
    assert m["ts_pct"] == pytest.approx(71 / 90) and m["efg_pct"] == pytest.approx(0.75)
    assert m["usage_rate"] == pytest.approx(100 * 49 * 53 / (49.8 * 121.8))
    assert (m["team_minutes"], m["team_pts"], m["opponent_pts"], m["over_under"]) == (265.0, 145, 134, "over")
    assert m["team_pace"] == pytest.approx(48 * (108.8 + 110.96) / 106)
    assert summary.filter(P("player_id") == 201942)["over_under"][0] == "push"  # DeRozan 44 on 44.0
    mobley = summary.filter(P("player_id") == 1630596).row(0, named=True)  # injured: a line but no game
    assert mobley["dnp"] and mobley["dnp_reason"] == "DNP - Injury/Illness" and mobley["over_under"] is None
    assert mobley["ts_pct"] is None and mobley["usage_rate"] is None
    # no shot chart: zone columns null for everyone
    assert summary.select(P("paint_fga", "three_fgm").is_null().all()).row(0) == (True, True)
