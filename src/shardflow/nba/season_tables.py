"""Season tables: the box-score tables users have, one row per player (or team) and game over
whole seasons, staged into one date file per game date.

Tables read (each file says what it is, by its columns: :func:`detect`):

* the Kaggle "NBA games" data set: ``games.csv`` (``GAME_DATE_EST`` as ``dd/mm/yyyy`` or
  ``yyyy-mm-dd``, ``GAME_ID`` without its leading zeros, ``HOME_TEAM_ID``,
  ``VISITOR_TEAM_ID``) and ``games_details.csv`` (the V2 PlayerStats columns, ``TO`` for
  turnovers; a DNP has a ``COMMENT`` and blank statistics). The details take their dates and
  home/away from the games table; the teams' totals are the sums of their players' lines and
  their minutes the game length those minutes add up to (:func:`.boxscore.team_minutes_of`).
* nba_api game logs in player mode: ``LeagueGameLog`` (``PlayerOrTeam=P``),
  ``PlayerGameLogs``, ``PlayerGameLog`` (one player: no ``TEAM_ID``, the team comes from
  ``MATCHUP``), ``LeagueGameFinder`` (``PlayerOrTeam=P``); as the stats.nba.com response
  (``resultSets``), a JSON list of records, or CSV. Columns ``GAME_ID``, ``GAME_DATE``
  (``2024-04-29``, ``2024-04-29T00:00:00`` or ``Feb 20, 2026``), ``MATCHUP`` (``CLE vs. NYK``
  at home, ``CLE @ NYK`` away), ``MIN`` (a number of minutes, or ``MM:SS``), the counting
  statistics with ``TOV``, ``PLUS_MINUS``. Game logs list only the games a player played.
* the same game logs in team mode (``LeagueGameLog`` with ``PlayerOrTeam=T``): the teams'
  totals and minutes (240, 265 after one overtime). Without them a team's totals are the sums
  of its players' lines, which needs the whole team: a team with fewer than five players in
  the player logs and no team-log row is an error naming the game.

What no table has is null in the summaries: shot zones (and so the shot-zone factor),
starters in the game logs, DNP rows in the game logs, team rebounds.

Every table becomes canonical rows with a game date (:func:`read_table`); :func:`stage`
joins them and :func:`date_documents` writes one stats.nba.com-shaped date file per date (a
ScoreboardV2 GameHeader that dates the games and says who is home, and one
BoxScoreTraditionalV2 response with every player and team line of the date), which the
per-date jobs read like any date file. Minutes are read once, here, in every form of
:func:`.boxscore.minutes_expr` (a bare number in a game log is minutes, never a fraction of a
day); a value of no known form is an error naming the file, the row and the value.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

import polars as pl

from .boxscore import STAT_COLUMNS, BoxScoreError, minutes_expr, parse_columns, team_minutes_of
from .boxscore_v2 import PLAYER_HEADERS, STAT_HEADERS, TEAM_HEADERS
from .season_ids import chosen_games, game_id_expr

#: Table kinds (:func:`detect`).
KAGGLE_GAMES = "kaggle_games"
KAGGLE_DETAILS = "kaggle_details"
PLAYER_LOG = "player_log"
TEAM_LOG = "team_log"
#: Result sets of the nba_api game-log endpoints.
LOG_SETS = ("LeagueGameLog", "PlayerGameLogs", "PlayerGameLog", "LeagueGameFinderResults")
#: Game-log column -> canonical column (either spelling of the id columns; ``TOV`` or ``TO``).
LOG_HEADERS = {
    "GAME_ID": "game_id",
    "Game_ID": "game_id",
    "GAME_DATE": "game_date",
    "MATCHUP": "matchup",
    "PLAYER_ID": "player_id",
    "Player_ID": "player_id",
    "PLAYER_NAME": "player_name",
    "TEAM_ID": "team_id",
    "TEAM_ABBREVIATION": "team_abbr",
    "MIN": "minutes",
    **STAT_HEADERS,
    "TOV": "tov",
    "PLUS_MINUS": "plus_minus",
}
DETAILS_REQUIRED = ("GAME_ID", "TEAM_ID", "PLAYER_ID", "PLAYER_NAME", "MIN", "PTS")
GAMES_REQUIRED = ("GAME_DATE_EST", "GAME_ID", "HOME_TEAM_ID", "VISITOR_TEAM_ID")
LOG_REQUIRED = ("GAME_DATE", "MATCHUP", "MIN", "PTS")
#: A team needs this many players in the player logs for its totals to be their sums.
FULL_TEAM = 5


def _columns(path: Path) -> tuple[list[str], pl.DataFrame | None]:
    """(column names, the rows as strings) of a CSV or JSON table; for CSV only the header is
    read here (rows None)."""
    if path.suffix.lower() == ".csv":
        return pl.read_csv(path, n_rows=0).columns, None
    data = json.loads(path.read_bytes())
    if isinstance(data, dict):
        sets = data.get("resultSets", data.get("resultSet"))
        sets = [sets] if isinstance(sets, dict) else sets
        found = [s for s in sets or [] if isinstance(s, dict) and s.get("name") in LOG_SETS]
        if not found:
            return [], None
        headers, rows = found[0]["headers"], found[0]["rowSet"]
        values = list(zip(*rows)) if rows else [()] * len(headers)
        frame = pl.DataFrame({h: pl.Series(v, dtype=pl.String, strict=False) for h, v in zip(headers, values)})
        return headers, frame
    if isinstance(data, list) and data and all(isinstance(r, dict) for r in data):
        frame = pl.from_dicts(data, infer_schema_length=None).with_columns(pl.all().cast(pl.String))
        return frame.columns, frame
    return [], None


def detect(path: str | os.PathLike) -> str | None:
    """What a table file is (:data:`KAGGLE_GAMES`, :data:`KAGGLE_DETAILS`,
    :data:`PLAYER_LOG`, :data:`TEAM_LOG`), or None when no reader takes it."""
    try:
        return _kind(_columns(Path(path))[0])
    except (OSError, ValueError, TypeError, KeyError, pl.exceptions.PolarsError):
        return None


def _kind(columns: list[str]) -> str | None:
    names = set(columns)
    if names.issuperset(GAMES_REQUIRED):
        return KAGGLE_GAMES
    if names.issuperset(LOG_REQUIRED) and names & {"GAME_ID", "Game_ID"}:
        return PLAYER_LOG if names & {"PLAYER_ID", "Player_ID"} else TEAM_LOG if "TEAM_ID" in names else None
    if names.issuperset(DETAILS_REQUIRED):
        return KAGGLE_DETAILS
    return None


def _strings(path: Path) -> pl.DataFrame:
    """Every value of a table as a string (CSV or JSON)."""
    if path.suffix.lower() == ".csv":
        return pl.read_csv(path, infer_schema=False)
    return _columns(path)[1]


def _date_expr(col: str) -> pl.Expr:
    """Game date from ``yyyy-mm-dd`` (a time of day after it ignored), ``dd/mm/yyyy`` (the Kaggle
    table) or ``Mon DD, YYYY`` (PlayerGameLog, any case)."""
    s = pl.col(col).str.strip_chars()
    return pl.coalesce(
        s.str.slice(0, 10).str.strptime(pl.Date, "%Y-%m-%d", strict=False),
        s.str.strptime(pl.Date, "%d/%m/%Y", strict=False),
        s.str.to_titlecase().str.strptime(pl.Date, "%b %d, %Y", strict=False),
    )


def _check_dates(frame: pl.DataFrame, raw: str, path: Path) -> None:
    bad = frame.with_row_index("_row").filter(pl.col("game_date").is_null())
    if len(bad):
        row = bad.row(0, named=True)
        raise BoxScoreError(f"{path}: row {row['_row'] + 1}: {raw} {row[raw]!r} is not a date")


def _renamed(raw: pl.DataFrame, headers: dict[str, str]) -> pl.DataFrame:
    return raw.select(pl.col(h).alias(c) for h, c in headers.items() if h in raw.columns)


def _log_minutes(frame: pl.DataFrame, path: Path) -> pl.DataFrame:
    """Game-log minutes: a number is minutes (PlayerGameLogs writes 34.716666666666667), other
    text one of :func:`.boxscore.minutes_expr`'s clock forms; rewritten as ``MM:SS.ss``."""
    number = pl.col("minutes").str.strip_chars().cast(pl.Float64, strict=False)
    frame = frame.with_columns(pl.when(number.is_not_null()).then(pl.col("minutes")).alias("_number"))
    texts = frame.with_columns(
        pl.when(pl.col("_number").is_null()).then(pl.col("minutes")).otherwise(pl.lit("0:00")).alias("minutes")
    )
    parsed = _parse(texts.drop("_number"), "minutes", ("pts",), path)["minutes"]
    minutes = frame.select(pl.coalesce(pl.col("_number").cast(pl.Float64), parsed)).to_series()
    return frame.drop("_number").with_columns(clock(minutes).alias("minutes"))


def clock(minutes: pl.Series) -> pl.Series:
    """Minutes (float) as ``MM:SS.ss`` text (null stays null), the form date files carry."""
    hundredths = (minutes * 6000).round().cast(pl.Int64)
    frame = pl.DataFrame({"h": hundredths})
    two = lambda e: e.cast(pl.String).str.zfill(2)  # noqa: E731
    text = pl.format("{}:{}.{}", pl.col("h") // 6000, two(pl.col("h") % 6000 // 100), two(pl.col("h") % 100))
    return frame.select(text.alias(minutes.name)).to_series()


def _parse(frame: pl.DataFrame, minutes: str, numbers: tuple[str, ...], path: Path) -> pl.DataFrame:
    try:
        return parse_columns(frame, minutes, numbers, "row")
    except BoxScoreError as err:
        raise BoxScoreError(f"{path}: {err}") from None


def read_table(path: str | os.PathLike) -> tuple[str, pl.DataFrame]:
    """(kind, rows) of a season table: rows as strings under canonical names, with
    ``game_date`` (Date) where the table has it and ``game_id`` with its leading zeros.
    Player rows carry their minutes rewritten as ``MM:SS.ss`` (errors name the file, row and
    value)."""
    path = Path(path)
    kind = detect(path)
    if kind is None:
        raise BoxScoreError(f"{path}: none of the Kaggle games/games_details tables or an nba_api game log")
    raw = _strings(path)
    if kind != KAGGLE_GAMES:
        stats = [h for h in STAT_HEADERS if h not in raw.columns and not (h == "TO" and "TOV" in raw.columns)]
        if stats:
            raise BoxScoreError(f"{path}: lacks the columns {', '.join(stats)}")
    if kind == KAGGLE_GAMES:
        frame = raw.select(
            game_id_expr("GAME_ID").alias("game_id"),
            _date_expr("GAME_DATE_EST").alias("game_date"),
            pl.col("GAME_DATE_EST"),
            pl.col("HOME_TEAM_ID").alias("home_team_id"),
            pl.col("VISITOR_TEAM_ID").alias("away_team_id"),
        )
        _check_dates(frame, "GAME_DATE_EST", path)
        return kind, frame.drop("GAME_DATE_EST").unique("game_id", keep="first", maintain_order=True)
    if kind == KAGGLE_DETAILS:
        frame = _renamed(raw, PLAYER_HEADERS | {"TEAM_ABBREVIATION": "team_abbr"}).with_columns(game_id_expr("game_id"))
        parsed = _parse(frame, "minutes", ("pts",), path)
        return kind, frame.with_columns(clock(parsed["minutes"]).alias("minutes"))
    frame = _renamed(raw, LOG_HEADERS).with_columns(
        game_id_expr("game_id"), _date_expr("game_date").alias("game_date"), pl.col("game_date").alias("_raw_date")
    )
    _check_dates(frame.rename({"_raw_date": "GAME_DATE"}), "GAME_DATE", path)
    frame = _log_minutes(frame.drop("_raw_date"), path)
    side = pl.col("matchup").str.extract(r"^\s*(\S+)\s+(vs\.|@)\s+(\S+)\s*$", 2)
    frame = frame.with_columns(
        pl.col("matchup").str.extract(r"^\s*(\S+)\s", 1).alias("_abbr"),
        pl.col("matchup").str.extract(r"\s(\S+)\s*$", 1).alias("opponent_abbr"),
        (side == "vs.").alias("is_home"),
    )
    bad = frame.with_row_index("_row").filter(pl.col("is_home").is_null())
    if len(bad):
        row = bad.row(0, named=True)
        raise BoxScoreError(
            f"{path}: row {row['_row'] + 1}: MATCHUP {row['matchup']!r} is not 'TEAM vs. OPP' or 'TEAM @ OPP'"
        )
    if "team_abbr" not in frame.columns:
        frame = frame.with_columns(pl.col("_abbr").alias("team_abbr"))
    return kind, frame.drop("_abbr", "matchup")


def stage(
    paths: list[str | os.PathLike], season_types: list[str], day: str | None = None
) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """(players, teams, games) of the season tables ``paths``, each row with its ``game_date``
    (only those of ``day``, ``YYYY-MM-DD``, when given), only the games of ``season_types``:
    players and teams as strings under the V2 date-file columns' canonical names (``_file``
    names the table of each row), games with home and away team ids."""
    tables: dict[str, list[pl.DataFrame]] = {k: [] for k in (KAGGLE_GAMES, KAGGLE_DETAILS, PLAYER_LOG, TEAM_LOG)}
    for path in sorted(map(str, paths)):
        kind, frame = read_table(path)
        tables[kind].append(frame.with_columns(pl.lit(os.path.basename(path)).alias("_file")))
    games = [pl.concat(tables[KAGGLE_GAMES], how="diagonal")] if tables[KAGGLE_GAMES] else []
    players = []
    if tables[KAGGLE_DETAILS]:
        if not games:
            raise BoxScoreError(f"{tables[KAGGLE_DETAILS][0]['_file'][0]}: games_details without the games table")
        details = pl.concat(tables[KAGGLE_DETAILS], how="diagonal")
        dated = details.join(games[0].select("game_id", "game_date"), on="game_id", how="left")
        undated = dated.filter(pl.col("game_date").is_null())
        if len(undated):
            raise BoxScoreError(f"{undated['_file'][0]}: game {undated['game_id'][0]} is not in the games table")
        players.append(dated)
    logs = pl.concat(tables[PLAYER_LOG], how="diagonal") if tables[PLAYER_LOG] else None
    team_logs = pl.concat(tables[TEAM_LOG], how="diagonal") if tables[TEAM_LOG] else None
    if logs is not None:
        players.append(_with_team_ids(logs, [f for f in (logs, team_logs) if f is not None]))
    if not players:
        raise BoxScoreError("no player table (Kaggle games_details or an nba_api game log in player mode)")
    players = pl.concat(players, how="diagonal").unique(["game_id", "player_id"], keep="first", maintain_order=True)
    players = players.filter(chosen_games(pl.col("game_id"), season_types))
    if day is not None:
        players = players.filter(pl.col("game_date") == pl.lit(day).str.to_date())
        team_logs = (
            team_logs.filter(pl.col("game_date") == pl.lit(day).str.to_date()) if team_logs is not None else None
        )
    teams = _teams(players, team_logs)
    if team_logs is not None or logs is not None:
        games.append(_log_games(pl.concat([f for f in (logs, team_logs) if f is not None], how="diagonal"), teams))
    game_table = pl.concat(games, how="diagonal").select("game_id", "game_date", "home_team_id", "away_team_id")
    game_table = game_table.unique("game_id", keep="first", maintain_order=True).join(
        teams.select("game_id").unique(), on="game_id", how="semi"
    )
    return players, teams, game_table


def _with_team_ids(logs: pl.DataFrame, sources: list[pl.DataFrame]) -> pl.DataFrame:
    """Player-log rows with ``team_id`` (from ``TEAM_ID``, or from the abbreviation in
    ``MATCHUP`` and the id that another table gives it in the same season)."""
    ids = _abbr_ids(sources)
    if "team_id" not in logs.columns:
        logs = logs.with_columns(pl.lit(None, pl.String).alias("team_id"))
    season = pl.col("game_id").str.slice(3, 2)
    logs = logs.with_columns(season.alias("_season")).join(
        ids.rename({"team_id": "_id", "abbr": "team_abbr"}), on=["_season", "team_abbr"], how="left"
    )
    logs = logs.with_columns(pl.coalesce("team_id", "_id").alias("team_id")).drop("_id")
    unknown = logs.filter(pl.col("team_id").is_null())
    if len(unknown):
        row = unknown.row(0, named=True)
        raise BoxScoreError(
            f"{row['_file']}: game {row['game_id']}: no table gives the id of team {row['team_abbr']!r} "
            "(add the season's LeagueGameLog in team mode)"
        )
    return logs.drop("_season")


def _abbr_ids(sources: list[pl.DataFrame]) -> pl.DataFrame:
    """(season digits, abbreviation, team id) of every row that has both."""
    pairs = [
        f.select(pl.col("game_id").str.slice(3, 2).alias("_season"), pl.col("team_abbr").alias("abbr"), "team_id")
        for f in sources
        if "team_id" in f.columns
    ]
    if not pairs:
        return pl.DataFrame(schema={"_season": pl.String, "abbr": pl.String, "team_id": pl.String})
    return pl.concat(pairs).drop_nulls().unique(["_season", "abbr"], keep="first", maintain_order=True)


def _teams(players: pl.DataFrame, team_logs: pl.DataFrame | None) -> pl.DataFrame:
    """Team lines per game: the team log's where it has the game, else the sums of the
    players' lines with the game length those minutes add up to."""
    p = pl.col
    stats = players.with_columns(whole_numbers(*STAT_COLUMNS), minutes_expr("minutes").alias("_min"))
    sums = stats.group_by("game_id", "game_date", "team_id").agg(
        p("team_abbr").drop_nulls().first(),
        p("_min").is_not_null().sum().alias("_listed"),
        team_minutes_of(p("_min").sum()).alias("team_minutes"),
        *(p(c).sum() for c in STAT_COLUMNS),
    )
    if team_logs is not None:
        logged = team_logs.with_columns(minutes_expr("minutes").alias("team_minutes"), whole_numbers(*STAT_COLUMNS))
        logged = logged.select("game_id", "game_date", "team_id", "team_abbr", "team_minutes", *STAT_COLUMNS, "_file")
        sums = sums.join(logged, on=["game_id", "team_id"], how="anti")
    else:
        logged = None
    short = sums.filter(p("_listed") < FULL_TEAM)
    if len(short):
        row = short.row(0, named=True)
        raise BoxScoreError(
            f"game {row['game_id']}: team {row['team_id']} has {row['_listed']} players with minutes in the tables "
            "and no team-log row: add the season's LeagueGameLog in team mode for its totals"
        )
    teams = [sums.drop("_listed")] + ([logged] if logged is not None else [])
    both = pl.concat(teams, how="diagonal_relaxed").join(players.select("game_id").unique(), on="game_id", how="semi")
    return both.sort("game_date", "game_id", "team_id")


def whole_numbers(*cols: str) -> pl.Expr:
    """Int64 columns from whole numbers written as text (``"9"``, ``"9.0"``)."""
    return pl.col(*cols).str.strip_chars().cast(pl.Float64, strict=False).cast(pl.Int64)


def _log_games(logs: pl.DataFrame, teams: pl.DataFrame) -> pl.DataFrame:
    """Home and away team ids per game, from the game logs' MATCHUP (``vs.`` at home)."""
    ids = _abbr_ids([teams.with_columns(pl.col("team_id").cast(pl.String))])
    season = pl.col("game_id").str.slice(3, 2).alias("_season")
    sides = logs.select(
        "game_id",
        "game_date",
        season,
        pl.when("is_home").then(pl.col("team_abbr")).otherwise(pl.col("opponent_abbr")).alias("home"),
        pl.when("is_home").then(pl.col("opponent_abbr")).otherwise(pl.col("team_abbr")).alias("away"),
    ).unique("game_id", keep="first", maintain_order=True)
    for side in ("home", "away"):
        sides = sides.join(ids.rename({"abbr": side, "team_id": f"{side}_team_id"}), on=["_season", side], how="left")
    return sides.select("game_id", "game_date", "home_team_id", "away_team_id")


def _response(name: str, headers: dict[str, str], frame: pl.DataFrame) -> dict:
    """A stats.nba.com result set of ``frame``'s canonical columns under their V2 headers."""
    present = {h: c for h, c in headers.items() if c in frame.columns}
    rows = frame.select(pl.col(c).cast(pl.String) for c in present.values()).rows()
    return {"name": name, "headers": list(present), "rowSet": [list(r) for r in rows]}


def date_documents(players: pl.DataFrame, teams: pl.DataFrame, games: pl.DataFrame) -> dict[str, list[dict]]:
    """One date file per game date (``YYYY-MM-DD`` -> the JSON document list): the day's
    ScoreboardV2 GameHeader (dates the games, says who is home) and one
    BoxScoreTraditionalV2 response with the date's player and team lines, rows sorted by
    game, team and player."""
    team_rows = teams.with_columns(clock(teams["team_minutes"].cast(pl.Float64)).alias("team_minutes"))
    names = [] if "player_name" in players.columns else [pl.lit(None, pl.String).alias("player_name")]  # PlayerGameLog
    player_rows = players.with_columns(pl.col("player_id").cast(pl.Int64), *names)
    player_rows = player_rows.sort("game_id", "team_id", "player_id")
    header = games.with_columns(pl.col("game_date").dt.strftime("%Y-%m-%dT00:00:00").alias("date")).sort("game_id")
    header_columns = {"GAME_ID": "game_id", "HOME_TEAM_ID": "home_team_id", "VISITOR_TEAM_ID": "away_team_id"}
    documents = {}
    for day in sorted(set(games["game_date"].to_list())):
        on_day = pl.col("game_date") == day
        documents[day.isoformat()] = [
            {
                "resource": "scoreboardv2",
                "resultSets": [
                    _response("GameHeader", {**header_columns, "GAME_DATE_EST": "date"}, header.filter(on_day))
                ],
            },
            {
                "resource": "boxscore",
                "resultSets": [
                    _response("PlayerStats", PLAYER_HEADERS, player_rows.filter(on_day)),
                    _response("TeamStats", TEAM_HEADERS, team_rows.filter(on_day)),
                ],
            },
        ]
    return documents


def digest(document: list[dict]) -> str:
    """A date file's content hash (sha256 of its canonical JSON): the staging rule's per-date
    parameter, so that a corrected table reruns exactly the dates whose files change."""
    return hashlib.sha256(json.dumps(document, sort_keys=True).encode()).hexdigest()[:16]


def folder_tables(folder: str | os.PathLike) -> tuple[list[str], list[tuple[str, str]]]:
    """(season tables, foreign files) of ``folder``: the paths of the files a reader takes, and
    (file name, why) for every other entry, for the pipeline's error table."""
    tables, foreign = [], []
    for name in sorted(os.listdir(folder)):
        path = os.path.join(folder, name)
        if os.path.isdir(path):
            foreign.append((name, "a folder: season tables are files directly in nba.boxscores_dir"))
        elif detect(path) is None:
            foreign.append((name, "none of the Kaggle games/games_details tables or an nba_api game log (CSV or JSON)"))
        else:
            tables.append(path)
    return tables, foreign


def staged_index(tables: list[str], season_types: list[str]) -> dict[str, tuple[str, tuple[str, ...]]]:
    """{date: (digest of its date file, the tables that hold its games)} of the season
    ``tables``: the staging rule's per-date parameter and inputs."""
    players, teams, games = stage(tables, season_types)
    files = pl.concat(
        [f.select(pl.col("game_date").cast(pl.String), "_file") for f in (players, teams) if "_file" in f.columns]
    )
    holders = files.unique().group_by("game_date").agg(pl.col("_file").sort())
    by_date = {day: tuple(names) for day, names in holders.iter_rows()}
    folder = {os.path.basename(t): t for t in tables}
    kaggle_games = tuple(t for t in tables if detect(t) == KAGGLE_GAMES)
    return {
        day: (digest(document), tuple(sorted({*kaggle_games, *(folder[n] for n in by_date.get(day, ()))})))
        for day, document in date_documents(players, teams, games).items()
    }
