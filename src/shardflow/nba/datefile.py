"""One date file: every game of a date, in any of the formats users have, as canonical tables.

``{boxscores_dir}/YYYY-MM-DD.json`` is one JSON document, either

* a list of stats.nba.com responses (nba_api ``get_dict()``): one box score per game, either
  BoxScoreTraditionalV2 (:mod:`.boxscore_v2`) or V3 (:mod:`.boxscore_v3`), plus, optionally, the
  day's ScoreboardV2 or each game's BoxScoreSummaryV2 (home and away for V2 box scores) and
  ShotChartDetail responses (shot zones, :mod:`.shotchart`);
* one such response (a date with one game: the real single-game files of
  ``../shared/data/nba`` are read as they are);
* a balldontlie ``/v1/box_scores`` response (:mod:`.boxscore_balldontlie`), which holds all
  games of the date.

Each document says what it is (:func:`detect`): ``resultSets`` with PlayerStats is V2,
``boxScoreTraditional`` is V3, ``data`` with home_team/visitor_team games is balldontlie.
With ``fmt`` other than ``auto`` every box score must be of that format.

Anything wrong (not JSON, an unknown document, a missing result set or column, a value of no
known form, a game without two teams, a player listed twice, a game of another date, no game
at all) is a :class:`.BoxScoreError` whose message starts with the file's path.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import polars as pl

from . import boxscore_balldontlie, boxscore_v2, boxscore_v3, shotchart
from .boxscore import GAME_SCHEMA, SHOT_ZONE_SCHEMA, BoxScoreError, BoxScores, players_table, teams_table

FORMATS = ("auto", "v2", "v3", "balldontlie")
BOX_SCORE_KINDS = ("v2", "v3", "balldontlie")


def detect(document) -> str | None:
    """What a JSON document is: ``v2``, ``v3``, ``balldontlie`` (box scores), ``game_header``
    (ScoreboardV2 / BoxScoreSummaryV2), ``shot_chart`` (ShotChartDetail), or None."""
    if not isinstance(document, dict):
        return None
    if isinstance(document.get("boxScoreTraditional"), dict):
        return "v3"
    if isinstance(document.get("data"), list) and all(
        isinstance(g, dict) and "home_team" in g and "visitor_team" in g for g in document["data"]
    ):
        return "balldontlie"
    if "resultSets" in document or "resultSet" in document:
        try:
            names = set(boxscore_v2.result_sets(document))
        except BoxScoreError:
            return None
        if "PlayerStats" in names:
            return "v2"
        if names & set(boxscore_v2.GAME_HEADER_SETS):
            return "game_header"
        if "Shot_Chart_Detail" in names:
            return "shot_chart"
    return None


def read_date_file(path: str | os.PathLike, date: str | None = None, fmt: str = "auto") -> BoxScores:
    """Every game of the date file ``path`` (see the module docstring). With ``date``
    (``YYYY-MM-DD``), a document that dates its games (balldontlie, a scoreboard) must name
    that date."""
    if fmt not in FORMATS:
        raise ValueError(f"format {fmt!r} is not one of {FORMATS}")
    try:
        return _read(Path(path), date, fmt)
    except BoxScoreError as err:
        raise BoxScoreError(f"{path}: {err}") from None
    except (KeyError, TypeError, AttributeError, IndexError, ValueError, pl.exceptions.PolarsError) as err:
        raise BoxScoreError(f"{path}: unexpected structure ({type(err).__name__}: {err})") from None


def _read(path: Path, date: str | None, fmt: str) -> BoxScores:
    """:func:`read_date_file` without the file name in the errors."""
    try:
        data = json.loads(path.read_bytes())
    except (json.JSONDecodeError, UnicodeDecodeError) as err:
        raise BoxScoreError(f"not valid JSON ({err})") from None
    documents = data if isinstance(data, list) else [data]
    # stats.nba.com result-set rows are gathered over all responses and made frames once
    v2_players, v2_teams, headers, shots = [], [], [], []
    players, teams, games, dates = [], [], [], set()
    for i, document in enumerate(documents):
        kind = detect(document)
        where = f"document {i}" if isinstance(data, list) else "the document"
        if kind is None:
            raise BoxScoreError(
                f"{where} is none of BoxScoreTraditionalV2, BoxScoreTraditionalV3, a balldontlie box-score "
                "response, ScoreboardV2/BoxScoreSummaryV2 or ShotChartDetail"
            )
        if kind in BOX_SCORE_KINDS and fmt not in ("auto", kind):
            raise BoxScoreError(f"{where} is a {kind} box score, but nba.format is {fmt}")
        try:
            if kind == "v2":
                player_rows, team_rows = boxscore_v2.read_boxscore(document)
                v2_players.append(player_rows)
                v2_teams.append(team_rows)
            elif kind == "v3":
                p, t, g = boxscore_v3.read_boxscore(document)
                players.append(p)
                teams.append(t)
                games.append(g)
            elif kind == "balldontlie":
                p, t, g, d = boxscore_balldontlie.read_box_scores(document)
                players += [p] if len(p) else []
                teams += [t] if len(t) else []
                games.append(g)
                dates.update(d)
            elif kind == "game_header":
                headers.append(boxscore_v2.read_game_header(document))
            else:
                shots.append(shotchart.read_shot_chart(document))
        except BoxScoreError as err:
            raise BoxScoreError(f"{where} ({kind}): {err}") from None
    if v2_players:
        players.append(boxscore_v2.rows_frame(v2_players, boxscore_v2.PLAYER_HEADERS))
        teams.append(boxscore_v2.rows_frame(v2_teams, boxscore_v2.TEAM_HEADERS))
    if headers:
        header_games, header_dates = boxscore_v2.games_table(headers)
        games.append(header_games)
        dates.update(header_dates)
    if not players:
        raise BoxScoreError("no box scores")
    player_table = players_table(pl.concat(players, how="diagonal_relaxed"))
    zones = shotchart.zone_totals(boxscore_v2.rows_frame(shots, shotchart.SHOT_HEADERS)) if shots else None
    box = BoxScores(
        players=player_table,
        teams=teams_table(pl.concat(teams, how="diagonal_relaxed"), player_table),
        games=pl.concat([pl.DataFrame(schema=GAME_SCHEMA), *games]).unique(
            "game_id", keep="first", maintain_order=True
        ),
        shot_zones=zones if zones is not None else pl.DataFrame(schema=SHOT_ZONE_SCHEMA),
    )
    if date is not None and (other := sorted(dates - {date})):
        raise BoxScoreError(f"holds games of {', '.join(other)}, not only of {date}")
    validate(box)
    return box


def validate(box: BoxScores) -> None:
    """Raise :class:`.BoxScoreError` unless the tables describe at least one complete game:
    two teams per game with their totals and minutes, every player on one of them, no player
    or team listed twice, home/away teams (where given) those of the game."""
    teams, players = box.teams, box.players
    if teams.is_empty():
        raise BoxScoreError("no games")
    if teams.select(pl.struct("game_id", "team_id").is_duplicated().any()).item():
        raise BoxScoreError("a team is listed twice in one game")
    counts = teams.group_by("game_id").len().filter(pl.col("len") != 2)
    if len(counts):
        raise BoxScoreError(f"game {counts['game_id'][0]} has {counts['len'][0]} teams, not 2")
    if teams.select(pl.col("team_minutes").is_null().any() | (pl.col("team_minutes") <= 0).any()).item():
        raise BoxScoreError("a team has no minutes played")
    stray = players.join(teams, on=["game_id", "team_id"], how="anti")
    if len(stray):
        player, team, game = stray.select("player_id", "team_id", "game_id").row(0)
        raise BoxScoreError(f"player {player} is on team {team}, which is not in game {game}")
    if players.select(pl.struct("game_id", "player_id").is_duplicated().any()).item():
        dup = players.filter(pl.struct("game_id", "player_id").is_duplicated())
        raise BoxScoreError(f"player {dup['player_id'][0]} is listed twice in game {dup['game_id'][0]}")
    sides = box.games.join(teams.select("game_id").unique(), on="game_id", how="semi")
    pairs = teams.group_by("game_id").agg(pl.col("team_id").sort().alias("ids"))
    wrong = sides.join(pairs, on="game_id").filter(
        pl.concat_list(
            pl.min_horizontal("home_team_id", "away_team_id"), pl.max_horizontal("home_team_id", "away_team_id")
        )
        != pl.col("ids")
    )
    if len(wrong):
        raise BoxScoreError(f"game {wrong['game_id'][0]}: home/away teams are not the teams of its box score")
