"""Reader of the stats.nba.com BoxScoreTraditionalV3 response (nba_api ``get_dict()``; the real
response of game 0022200552 is in ``../shared/data/nba``).

Shape: ``{"meta": {...}, "boxScoreTraditional": {"gameId", "homeTeamId", "awayTeamId",
"homeTeam": team, "awayTeam": team}}`` with ``team = {"teamId", "teamTricode", "players":
[{"personId", "firstName", "familyName", "position", "comment", "statistics": {"minutes",
"fieldGoalsMade", ..., "points", "plusMinusPoints"}}], "statistics": {...team totals...}}``.
Starters have a ``position``; a DNP player has a ``comment``, ``minutes`` "" and zeros.
Home and away are explicit.
"""

from __future__ import annotations

import polars as pl

from .boxscore import GAME_SCHEMA, STAT_COLUMNS, BoxScoreError

#: V3 statistics key -> canonical column.
STAT_KEYS = {
    "fieldGoalsMade": "fgm",
    "fieldGoalsAttempted": "fga",
    "threePointersMade": "fg3m",
    "threePointersAttempted": "fg3a",
    "freeThrowsMade": "ftm",
    "freeThrowsAttempted": "fta",
    "reboundsOffensive": "oreb",
    "reboundsDefensive": "dreb",
    "reboundsTotal": "reb",
    "assists": "ast",
    "steals": "stl",
    "blocks": "blk",
    "turnovers": "tov",
    "foulsPersonal": "pf",
    "points": "pts",
}
assert set(STAT_KEYS.values()) == set(STAT_COLUMNS)


def _strings(records: list[dict]) -> pl.DataFrame:
    return pl.from_dicts(records, infer_schema_length=None, strict=False)


def _text(value) -> str | None:
    return None if value is None else str(value)


def read_boxscore(response: dict) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """(players, teams, games) of a BoxScoreTraditionalV3 response: players and teams as
    strings under the canonical column names, games typed (schemas of :mod:`.boxscore`)."""
    box = response["boxScoreTraditional"]
    game_id = str(box["gameId"])
    players, teams = [], []
    for side in ("homeTeam", "awayTeam"):
        team = box.get(side)
        if not isinstance(team, dict) or not isinstance(team.get("players"), list):
            raise BoxScoreError(f"game {game_id}: {side} has no players list")
        roster = _strings(team["players"])
        missing = [k for k in ("personId", "firstName", "familyName", "statistics") if k not in roster.columns]
        if missing:
            raise BoxScoreError(f"game {game_id}: {side} players lack {', '.join(missing)}")
        stats = roster.get_column("statistics").struct.unnest()
        needed = [*STAT_KEYS, "minutes"]
        if absent := [k for k in needed if k not in stats.columns]:
            raise BoxScoreError(f"game {game_id}: {side} player statistics lack {', '.join(absent)}")
        n = len(roster)
        optional = {
            "starter": roster["position"].cast(pl.String).fill_null("") if "position" in roster.columns else None,
            "comment": roster["comment"].cast(pl.String) if "comment" in roster.columns else None,
            "plus_minus": stats["plusMinusPoints"].cast(pl.String) if "plusMinusPoints" in stats.columns else None,
        }
        players.append(
            pl.DataFrame(
                {
                    "game_id": [game_id] * n,
                    "team_id": [str(team.get("teamId"))] * n,
                    "player_id": roster["personId"].cast(pl.String),
                    "player_name": roster["firstName"].cast(pl.String) + " " + roster["familyName"].cast(pl.String),
                    "minutes": stats["minutes"].cast(pl.String),
                    **{c: stats[k].cast(pl.String) for k, c in STAT_KEYS.items()},
                    **{c: v for c, v in optional.items() if v is not None},
                }
            )
        )
        totals = team.get("statistics")
        if not isinstance(totals, dict) or "minutes" not in totals:
            raise BoxScoreError(f"game {game_id}: {side} has no team statistics with minutes")
        teams.append(
            {
                "game_id": game_id,
                "team_id": str(team.get("teamId")),
                "team_abbr": team.get("teamTricode"),
                "team_minutes": str(totals["minutes"]),
                **{c: _text(totals.get(k)) for k, c in STAT_KEYS.items()},
            }
        )
    games = pl.DataFrame(
        {"game_id": [game_id], "home_team_id": [box["homeTeam"]["teamId"]], "away_team_id": [box["awayTeam"]["teamId"]]}
    ).cast(GAME_SCHEMA)
    team_frame = pl.DataFrame(teams, schema=dict.fromkeys(teams[0], pl.String))
    return pl.concat(players, how="diagonal_relaxed"), team_frame, games
