"""Reader of the balldontlie box-score response (``GET /v1/box_scores?date=YYYY-MM-DD``): all
finished games of one date.

Shape: ``{"data": [game, ...], "meta": {...}}`` with ``game = {"date", "season", "status",
"period", "postseason", "home_team_score", "visitor_team_score", "home_team": team,
"visitor_team": team}`` (a ``"id"`` too when it came from the games endpoint) and
``team = {"id", "abbreviation", "full_name", ..., "players": [{"min", "fgm", "fga", "fg3m",
"fg3a", "ftm", "fta", "oreb", "dreb", "reb", "ast", "stl", "blk", "turnover", "pf", "pts",
"player": {"id", "first_name", "last_name", ...}}]}``.

What balldontlie does not give, and how it is filled: no team totals (the sums of the player
lines), no team minutes (from the number of periods: 240 + 25 per overtime), no plus-minus
(null), no starters (null), no DNP comments (a player with no minutes is a DNP without a
reason). Without a game id the game is named ``YYYYMMDD_AWAY_HOME``. Team and player ids are
balldontlie's own, not stats.nba.com's: do not mix sources within a season.
"""

from __future__ import annotations

import polars as pl

from .boxscore import GAME_SCHEMA, STAT_COLUMNS, BoxScoreError, team_minutes_for_periods

#: balldontlie key -> canonical column.
STAT_KEYS = {
    "fgm": "fgm",
    "fga": "fga",
    "fg3m": "fg3m",
    "fg3a": "fg3a",
    "ftm": "ftm",
    "fta": "fta",
    "oreb": "oreb",
    "dreb": "dreb",
    "reb": "reb",
    "ast": "ast",
    "stl": "stl",
    "blk": "blk",
    "turnover": "tov",
    "pf": "pf",
    "pts": "pts",
}
assert set(STAT_KEYS.values()) == set(STAT_COLUMNS)


def game_id_of(game: dict) -> str:
    """balldontlie's game id when the game has one, else ``YYYYMMDD_AWAY_HOME``."""
    if game.get("id") is not None:
        return str(game["id"])
    day = str(game["date"])[:10].replace("-", "")
    return f"{day}_{game['visitor_team']['abbreviation']}_{game['home_team']['abbreviation']}"


def read_box_scores(response: dict) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame, list[str]]:
    """(players, teams, games, dates) of a balldontlie box-score response: players and teams
    (without totals) as strings under the canonical column names, games typed (schemas of
    :mod:`.boxscore`), and the game dates it names (``YYYY-MM-DD``)."""
    players, teams, games, dates = [], [], [], set()
    for i, game in enumerate(response["data"]):
        if not isinstance(game, dict) or "home_team" not in game or "visitor_team" not in game:
            raise BoxScoreError(f"data[{i}] is not a game with home_team and visitor_team")
        game_id = game_id_of(game)
        if game.get("date"):
            dates.add(str(game["date"])[:10])
        period = game.get("period")
        if not isinstance(period, int) or period < 4:
            raise BoxScoreError(f"game {game_id}: period {period!r} is not a finished game's period count (4 or more)")
        for side in ("home_team", "visitor_team"):
            team = game[side]
            if not isinstance(team.get("players"), list) or "id" not in team:
                raise BoxScoreError(f"game {game_id}: {side} has no id or no players list")
            roster = pl.from_dicts(team["players"], infer_schema_length=None, strict=False)
            missing = [k for k in ("min", "player", *STAT_KEYS) if k not in roster.columns]
            if missing:
                raise BoxScoreError(f"game {game_id}: {side} players lack {', '.join(missing)}")
            who = roster.get_column("player").struct.unnest()
            n = len(roster)
            players.append(
                pl.DataFrame(
                    {
                        "game_id": [game_id] * n,
                        "team_id": [str(team["id"])] * n,
                        "player_id": who["id"].cast(pl.String),
                        "player_name": who["first_name"].cast(pl.String) + " " + who["last_name"].cast(pl.String),
                        "minutes": roster["min"].cast(pl.String),
                        **{c: roster[k].cast(pl.String) for k, c in STAT_KEYS.items()},
                    }
                )
            )
            teams.append(
                {
                    "game_id": game_id,
                    "team_id": str(team["id"]),
                    "team_abbr": team.get("abbreviation"),
                    "team_minutes": str(team_minutes_for_periods(period)),
                }
            )
        home_id, away_id = game["home_team"]["id"], game["visitor_team"]["id"]
        games.append({"game_id": game_id, "home_team_id": home_id, "away_team_id": away_id})
    if not players:
        return pl.DataFrame(), pl.DataFrame(), pl.DataFrame(schema=GAME_SCHEMA), []
    team_frame = pl.DataFrame(teams, schema=dict.fromkeys(teams[0], pl.String))
    return pl.concat(players, how="diagonal_relaxed"), team_frame, pl.DataFrame(games).cast(GAME_SCHEMA), sorted(dates)
