"""Reader of a date's player points lines: a CSV ``{lines_dir}/{date}.csv`` with columns
``player_id`` (the box scores' player id) and ``line`` (points, e.g. 24.5); other columns (a
player name, the book) are ignored."""

from __future__ import annotations

import os

import polars as pl

from .boxscore import BoxScoreError

LINES_SCHEMA = pl.Schema({"player_id": pl.Int64, "points_line": pl.Float64})


def read_lines(path: str | os.PathLike) -> pl.DataFrame:
    """One points line per player (:data:`LINES_SCHEMA`); an unreadable file, a missing
    column, a non-numeric value or a player listed twice is a :class:`.BoxScoreError` naming
    the file."""
    try:
        frame = pl.read_csv(path, infer_schema=False)
    except (pl.exceptions.PolarsError, OSError) as err:
        raise BoxScoreError(f"{path}: not a readable CSV ({err})") from err
    missing = [c for c in ("player_id", "line") if c not in frame.columns]
    if missing:
        raise BoxScoreError(f"{path}: points lines need columns player_id and line; missing {', '.join(missing)}")
    lines = frame.select(
        pl.col("player_id").str.strip_chars().cast(pl.Int64, strict=False),
        pl.col("line").str.strip_chars().cast(pl.Float64, strict=False).alias("points_line"),
    )
    bad = frame.filter(lines["player_id"].is_null() | lines["points_line"].is_null())
    if len(bad):
        raise BoxScoreError(f"{path}: row {bad.row(0)} has a player_id or line that is not a number")
    if lines["player_id"].is_duplicated().any():
        dup = lines.filter(pl.col("player_id").is_duplicated())["player_id"][0]
        raise BoxScoreError(f"{path}: player {dup} has more than one line")
    return lines.cast(LINES_SCHEMA)
