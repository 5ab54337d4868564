"""No leakage: the composite factors and feature vectors of a date D do not change when every
statistic of the games on and after D (points, shots, minutes, plus-minus, team totals, shot
charts) and their points lines are altered; those of later dates do. The roster of D (who is
listed, on which side, and who is out) is pre-game information and stays as it is."""

from __future__ import annotations

import csv
import json

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from shardflow.config import schema_defaults
from shardflow.nba.composite import SETTING_KEYS, composite_factors
from shardflow.nba.datefile import read_date_file
from shardflow.nba.demo import demo_dates, write_demo_season
from shardflow.nba.features import feature_store
from shardflow.nba.lines import read_lines
from shardflow.nba.summary import player_game_summary
from shardflow.nba.windows import window_dates

NBA = schema_defaults()["nba"]
SETTINGS = {key: NBA[key] for key in SETTING_KEYS}
DATES = demo_dates("2024-10-22", 12)
CUT = 7  # D = DATES[7]


def features_by_date(root, window_days=None) -> dict[str, tuple[pl.DataFrame, pl.DataFrame]]:
    """(composite factors, feature vectors) of every date, computed as the workflow does."""
    summaries = {
        d: player_game_summary(
            read_date_file(root / "boxscores" / f"{d}.json", d),
            d,
            f"{d}.json",
            read_lines(root / "lines" / f"{d}.csv"),
            season_types=NBA["season_types"],
        )
        for d in DATES
    }
    out = {}
    for d in DATES:
        window = window_dates(DATES, d, window_days)
        history = pl.concat([summaries[w] for w in window]) if window else summaries[d].clear()
        factors = composite_factors(summaries[d], history, d, window, **SETTINGS)
        out[d] = factors, feature_store(factors, history)
    return out


def alter_games(root, day: str) -> None:
    """Change every statistic of the date file's games (not who is listed or out) and its lines."""
    path = root / "boxscores" / f"{day}.json"
    documents = json.loads(path.read_text())
    for document in documents:
        for result_set in document["resultSets"]:
            h = result_set["headers"]
            for row in result_set["rowSet"]:
                if result_set["name"] in ("PlayerStats", "TeamStats") and row[h.index("MIN")] is not None:
                    for col, delta in (("PTS", 7), ("FGM", 2), ("FGA", 3), ("FTA", 2), ("TO", 1), ("OREB", 1)):
                        row[h.index(col)] += delta
                    row[h.index("PLUS_MINUS")] = -row[h.index("PLUS_MINUS")] + 3
                    if result_set["name"] == "PlayerStats":
                        row[h.index("MIN")] = f"{int(row[h.index('MIN')].split(':')[0]) // 2}:17"
                if result_set["name"] == "Shot_Chart_Detail":
                    row[h.index("SHOT_MADE_FLAG")] = 1 - row[h.index("SHOT_MADE_FLAG")]
    path.write_text(json.dumps(documents, ensure_ascii=False))
    lines_path = root / "lines" / f"{day}.csv"
    rows = list(csv.DictReader(lines_path.open()))
    with lines_path.open("w", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=["player_id", "player_name", "line"])
        writer.writeheader()
        writer.writerows({**r, "line": float(r["line"]) + 10} for r in rows)


@pytest.mark.parametrize("window_days", [None, 4])
def test_features_of_a_date_ignore_its_own_and_later_games(tmp_path, window_days):
    original = tmp_path / "original"
    write_demo_season(original, n_teams=8, roster_size=12, dates=DATES, seed=4)
    altered = tmp_path / "altered"
    write_demo_season(altered, n_teams=8, roster_size=12, dates=DATES, seed=4)
    for day in DATES[CUT:]:
        alter_games(altered, day)
    before, after = features_by_date(original, window_days), features_by_date(altered, window_days)
    for day in DATES[: CUT + 1]:
        for b, a in zip(before[day], after[day], strict=True):
            assert_frame_equal(a, b)
    changed = [day for day in DATES[CUT + 1 :] if not after[day][1].equals(before[day][1])]
    assert changed == DATES[CUT + 1 :]  # the alteration reaches every later date's features
