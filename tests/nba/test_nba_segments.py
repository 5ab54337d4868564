"""How a window reaches a per-date job: history segments wholly inside it plus single
summaries (shardflow.nba.windows.window_parts, shardflow.nba.history.load_window)."""

from __future__ import annotations

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from shardflow.nba.history import HISTORY_COLUMNS, load_summaries, load_window, write_segment
from shardflow.nba.summary import SUMMARY_SCHEMA, write_summary
from shardflow.nba.windows import SEGMENT_DAYS, consecutive_dates, segment_dates, segment_of, window_dates, window_parts

#: Two seasons' worth of dates with gaps, as game calendars have.
DATES = [d for i, d in enumerate(consecutive_dates("2023-10-01", 700)) if i % 3 != 1]


def test_segments_are_16_day_periods_from_the_first_of_august_that_never_cross_seasons():
    assert SEGMENT_DAYS == 16
    assert segment_of("2024-08-01") == segment_of("2024-08-16") == "2024-08-01"
    assert segment_of("2024-08-17") == "2024-08-17"
    assert segment_of("2024-10-22") == "2024-10-20"
    assert segment_of("2025-07-31") == "2025-07-19" and segment_of("2025-08-01") == "2025-08-01"
    assert segment_dates(DATES, "2025-07-19") == [d for d in DATES if "2025-07-19" <= d <= "2025-07-31"]


@pytest.mark.parametrize("window_days", [None, 1, 2, 15, 16, 17, 40, 400])
def test_the_parts_of_a_window_are_exactly_its_dates(window_days):
    for day in DATES[::7]:
        segments, singles = window_parts(DATES, day, window_days)
        covered = [d for s in segments for d in segment_dates(DATES, s)]
        assert sorted(covered + singles) == window_dates(DATES, day, window_days), (day, window_days)
        assert not set(covered) & set(singles)
        # no segment reaches the date's own period, and singles never hold a whole period of the window
        assert segment_of(day) not in segments
        assert len(singles) <= 2 * SEGMENT_DAYS


def test_a_season_to_date_window_has_few_parts_late_in_the_season():
    segments, singles = window_parts(DATES, "2024-06-15", None)
    # the periods from the one of 2023-10-01 (2023-09-18 .. 10-03) to the one before 2024-05-31 .. 06-15
    assert segments[0] == "2023-09-18" and segments[-1] == "2024-05-15" and len(segments) == 16
    assert singles == [d for d in DATES if "2024-05-31" <= d < "2024-06-15"]
    assert len(window_dates(DATES, "2024-06-15", None)) > 150


def _summary(day: str, players: int) -> pl.DataFrame:
    frame = pl.DataFrame(
        {"game_id": [f"g{day}"] * players, "player_id": list(range(players)), "pts": list(range(10, 10 + players))}
    ).with_columns(
        pl.lit(day).str.to_date().alias("game_date"), pl.lit(2024).alias("season"), pl.lit(False).alias("dnp")
    )
    return (
        frame.with_columns(pl.lit(None).alias(c) for c in SUMMARY_SCHEMA.names() if c not in frame.columns)
        .select(SUMMARY_SCHEMA.names())
        .cast(SUMMARY_SCHEMA)
    )


def test_a_window_read_from_a_segment_is_the_window_read_from_its_summaries(tmp_path):
    days = ["2024-10-04", "2024-10-06", "2024-10-09", "2024-10-12"]
    paths = [tmp_path / f"{d}.parquet" for d in days]
    for i, (d, path) in enumerate(zip(days, paths)):
        if d == "2024-10-09":
            write_summary(pl.DataFrame(schema=SUMMARY_SCHEMA), path, unreadable=f"{d}.json: not valid JSON")
        else:
            write_summary(_summary(d, 3 + i), path)
    segment = tmp_path / "segment.parquet"
    write_segment(paths[:3], segment)
    direct = load_summaries(paths, HISTORY_COLUMNS)
    rows, unreadable = load_window([segment], paths[3:])
    assert unreadable == ["2024-10-09"] == load_window([], paths)[1]
    assert_frame_equal(rows.sort("game_date", "player_id"), direct.sort("game_date", "player_id"))
    assert len(rows) == 3 + 4 + 6
