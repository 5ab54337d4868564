"""Reader of the stats.nba.com ShotChartDetail response (nba_api ``ShotChartDetail(team_id=0,
player_id=0, game_id_nullable=...)``): one row per field-goal attempt in result set
``Shot_Chart_Detail`` (GAME_ID, PLAYER_ID, TEAM_ID, SHOT_ZONE_BASIC, SHOT_ATTEMPTED_FLAG,
SHOT_MADE_FLAG, ...).

Attempts are counted per player and game in three zones of ``SHOT_ZONE_BASIC``:

==========  =============================================================
paint       Restricted Area, In The Paint (Non-RA)
mid         Mid-Range
three       Left Corner 3, Right Corner 3, Above the Break 3, Backcourt
==========  =============================================================
"""

from __future__ import annotations

import polars as pl

from .boxscore import SHOT_ZONE_SCHEMA, ZONES, BoxScoreError
from .boxscore_v2 import Rows, result_rows, result_sets

ZONE_OF_BASIC = {
    "Restricted Area": "paint",
    "In The Paint (Non-RA)": "paint",
    "Mid-Range": "mid",
    "Left Corner 3": "three",
    "Right Corner 3": "three",
    "Above the Break 3": "three",
    "Backcourt": "three",
}
SHOT_HEADERS = {
    "GAME_ID": "game_id",
    "TEAM_ID": "team_id",
    "PLAYER_ID": "player_id",
    "SHOT_ZONE_BASIC": "zone_basic",
    "SHOT_MADE_FLAG": "made",
}


def read_shot_chart(response: dict) -> Rows:
    """The attempts of a ShotChartDetail response (checked rows; :func:`.boxscore_v2.rows_frame`
    with :data:`SHOT_HEADERS` makes them a frame of game_id, team_id, player_id, zone_basic,
    made, which :func:`zone_totals` sums per player)."""
    return result_rows(result_sets(response)["Shot_Chart_Detail"], SHOT_HEADERS)


def zone_totals(shots: pl.DataFrame) -> pl.DataFrame:
    """Zone attempts and makes per (game, team, player) of the attempts ``shots``
    (:data:`.boxscore.SHOT_ZONE_SCHEMA`); an unknown zone or a made flag other than 0/1 is a
    :class:`.BoxScoreError`."""
    unknown = shots.filter(~pl.col("zone_basic").is_in(list(ZONE_OF_BASIC)))
    if len(unknown):
        raise BoxScoreError(f"Shot_Chart_Detail has an unknown SHOT_ZONE_BASIC {unknown['zone_basic'][0]!r}")
    made = pl.col("made").cast(pl.Int64, strict=False)
    if shots.select((made.is_null() | ~made.is_in([0, 1])).any()).item():
        raise BoxScoreError("Shot_Chart_Detail has a SHOT_MADE_FLAG that is not 0 or 1")
    zone = pl.col("zone_basic").replace_strict(ZONE_OF_BASIC)
    return (
        shots.with_columns(pl.col("team_id", "player_id").cast(pl.Int64), zone.alias("zone"), made.alias("made"))
        .group_by("game_id", "team_id", "player_id")
        .agg(
            expr
            for z in ZONES
            for expr in (
                (pl.col("zone") == z).sum().alias(f"{z}_fga"),
                ((pl.col("zone") == z) * pl.col("made")).sum().alias(f"{z}_fgm"),
            )
        )
        .select(SHOT_ZONE_SCHEMA.names())
        .cast(SHOT_ZONE_SCHEMA)
    )
