"""Reader of stats.nba.com ``resultSets`` responses, as nba_api's ``get_dict()`` returns them
(the real BoxScoreTraditionalV2 of game 0022200552 is in ``../shared/data/nba``).

A response is ``{"resource": ..., "parameters": {...}, "resultSets": [{"name", "headers",
"rowSet"}, ...]}``; result sets are found by name and columns by header, so extra or
reordered columns do no harm. Three endpoints are read:

* BoxScoreTraditionalV2: ``PlayerStats`` (GAME_ID, TEAM_ID, PLAYER_ID, PLAYER_NAME,
  START_POSITION, COMMENT, MIN "MM:SS", FGM ... TO, PF, PTS, PLUS_MINUS; a DNP player has a
  COMMENT and null statistics) and ``TeamStats`` (the same statistics per team, MIN "265:00"
  after one overtime). The response does not say which team is at home.
* ScoreboardV2 ``GameHeader`` or BoxScoreSummaryV2 ``GameSummary`` (GAME_ID, HOME_TEAM_ID,
  VISITOR_TEAM_ID, GAME_DATE_EST): which team is at home. Put the day's scoreboard (or each
  game's summary) in the date file next to the box scores to get home/away; without it
  ``is_home`` is null.
* ShotChartDetail ``Shot_Chart_Detail`` (GAME_ID, PLAYER_ID, TEAM_ID, SHOT_ZONE_BASIC,
  SHOT_MADE_FLAG): read by :mod:`.shotchart`.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from .boxscore import GAME_SCHEMA, STAT_COLUMNS, BoxScoreError

#: stats.nba.com column -> canonical column, for PlayerStats and TeamStats.
STAT_HEADERS = {
    "FGM": "fgm",
    "FGA": "fga",
    "FG3M": "fg3m",
    "FG3A": "fg3a",
    "FTM": "ftm",
    "FTA": "fta",
    "OREB": "oreb",
    "DREB": "dreb",
    "REB": "reb",
    "AST": "ast",
    "STL": "stl",
    "BLK": "blk",
    "TO": "tov",
    "PF": "pf",
    "PTS": "pts",
}
#: START_POSITION ("F", "C", "G" for starters, "" for the bench) becomes ``starter``.
PLAYER_HEADERS = {
    "GAME_ID": "game_id",
    "TEAM_ID": "team_id",
    "PLAYER_ID": "player_id",
    "PLAYER_NAME": "player_name",
    "START_POSITION": "starter",
    "COMMENT": "comment",
    "MIN": "minutes",
    **STAT_HEADERS,
    "PLUS_MINUS": "plus_minus",
}
TEAM_HEADERS = {
    "GAME_ID": "game_id",
    "TEAM_ID": "team_id",
    "TEAM_ABBREVIATION": "team_abbr",
    "MIN": "team_minutes",
    **STAT_HEADERS,
}
PLAYER_OPTIONAL = ("START_POSITION", "COMMENT", "PLUS_MINUS")
HEADER_HEADERS = {
    "GAME_ID": "game_id",
    "HOME_TEAM_ID": "home_team_id",
    "VISITOR_TEAM_ID": "away_team_id",
    "GAME_DATE_EST": "date",
}
#: Result sets that say which team is at home (ScoreboardV2, BoxScoreSummaryV2).
GAME_HEADER_SETS = ("GameHeader", "GameSummary")
assert set(STAT_HEADERS.values()) == set(STAT_COLUMNS)


def result_sets(response: dict) -> dict[str, dict]:
    """The response's result sets by name (``resultSets`` is a list; some endpoints and older
    dumps write one ``resultSet`` object)."""
    sets = response.get("resultSets", response.get("resultSet"))
    if isinstance(sets, dict):
        sets = [sets]
    if not isinstance(sets, list):
        raise BoxScoreError("no resultSets list")
    return {s.get("name"): s for s in sets if isinstance(s, dict)}


@dataclass(frozen=True)
class Rows:
    """The rows of one result set, as the response has them (lists in ``headers`` order)."""

    headers: tuple[str, ...]
    rows: list[list]


def result_rows(result_set: dict, columns: dict[str, str], optional: tuple[str, ...] = ()) -> Rows:
    """The rows of a result set, checked: every header of ``columns`` except ``optional`` ones
    is there and every row has one value per header."""
    name = result_set.get("name")
    headers, rows = result_set.get("headers"), result_set.get("rowSet")
    if not isinstance(headers, list) or not isinstance(rows, list):
        raise BoxScoreError(f"result set {name!r} has no headers/rowSet lists")
    missing = [h for h in columns if h not in headers and h not in optional]
    if missing:
        raise BoxScoreError(f"result set {name!r} lacks columns {', '.join(missing)}")
    if rows and (set(map(type, rows)) != {list} or set(map(len, rows)) != {len(headers)}):
        raise BoxScoreError(f"result set {name!r} has a row whose length differs from its {len(headers)} headers")
    return Rows(tuple(headers), rows)


def rows_frame(blocks: list[Rows], columns: dict[str, str]) -> pl.DataFrame:
    """The rows of same-kind result sets (one per response) as one frame of strings, keeping
    and renaming ``columns`` (missing ones are absent). Built once per date and column by
    column: per-response, row-by-row construction cost several times more."""
    by_headers: dict[tuple[str, ...], list[list]] = {}
    for block in blocks:
        by_headers.setdefault(block.headers, []).extend(block.rows)
    frames = []
    for headers, rows in by_headers.items():
        values = list(zip(*rows)) if rows else [()] * len(headers)
        kept = {c: values[headers.index(h)] for h, c in columns.items() if h in headers}
        frames.append(pl.DataFrame({c: pl.Series(v, dtype=pl.String, strict=False) for c, v in kept.items()}))
    return pl.concat(frames, how="diagonal")


def read_boxscore(response: dict) -> tuple[Rows, Rows]:
    """The PlayerStats and TeamStats rows of a BoxScoreTraditionalV2 response (checked; turned
    into frames with :func:`rows_frame` and :data:`PLAYER_HEADERS`, :data:`TEAM_HEADERS`)."""
    sets = result_sets(response)
    for name in ("PlayerStats", "TeamStats"):
        if name not in sets:
            raise BoxScoreError(f"BoxScoreTraditionalV2 response without a {name} result set")
    players = result_rows(sets["PlayerStats"], PLAYER_HEADERS, optional=PLAYER_OPTIONAL)
    return players, result_rows(sets["TeamStats"], TEAM_HEADERS)


def read_game_header(response: dict) -> Rows:
    """The GameHeader (ScoreboardV2) or GameSummary (BoxScoreSummaryV2) rows of a response."""
    sets = result_sets(response)
    name = next(n for n in GAME_HEADER_SETS if n in sets)
    return result_rows(sets[name], HEADER_HEADERS, optional=("GAME_DATE_EST",))


def games_table(blocks: list[Rows]) -> tuple[pl.DataFrame, list[str]]:
    """(games, dates) of game-header rows: home and away team per game
    (:data:`.boxscore.GAME_SCHEMA`) and the GAME_DATE_EST dates they name (``YYYY-MM-DD``)."""
    frame = rows_frame(blocks, HEADER_HEADERS)
    dates = frame["date"].drop_nulls().str.slice(0, 10).unique().sort().to_list() if "date" in frame.columns else []
    games = frame.select(
        "game_id",
        *(pl.col(c).cast(pl.Float64, strict=False).cast(pl.Int64).alias(c) for c in ("home_team_id", "away_team_id")),
    )
    if games.select(pl.col("home_team_id", "away_team_id").is_null().any()).row(0) != (False, False):
        raise BoxScoreError("a game header without numeric HOME_TEAM_ID/VISITOR_TEAM_ID")
    return games.cast(GAME_SCHEMA), dates
