"""Season tables on the real samples of ``../shared/data/nba`` (the Kaggle month, nba_api game
logs), season ids and types, and the staged date files they become."""

from __future__ import annotations

import json

import polars as pl
import pytest

from shardflow.nba.boxscore import BoxScoreError
from shardflow.nba.datefile import read_date_file
from shardflow.nba.season_ids import chosen_games, game_id_expr, season_expr, season_type_expr
from shardflow.nba.season_tables import (
    KAGGLE_DETAILS,
    KAGGLE_GAMES,
    PLAYER_LOG,
    TEAM_LOG,
    date_documents,
    detect,
    folder_tables,
    read_table,
    stage,
    staged_index,
)
from shardflow.nba.summary import player_game_summary

TYPES = ["regular_season", "playoffs"]
MITCHELL = 1628378
CLE = 1610612739


@pytest.fixture(scope="module")
def nba_data(shared_data):
    return shared_data / "nba"


@pytest.fixture(scope="module")
def kaggle(nba_data):
    return [nba_data / "kaggle_2022-01" / "games.csv", nba_data / "kaggle_2022-01" / "games_details.csv"]


def test_season_and_type_from_game_ids():
    ids = pl.DataFrame({"g": ["22100759", "0042300155", "0012300001", "0052300101", "0029900001", "1037593"]})
    out = ids.select(game_id_expr("g")).with_columns(
        season_expr(pl.col("g")).alias("season"),
        season_type_expr(pl.col("g")).alias("type"),
        chosen_games(pl.col("g"), TYPES).alias("chosen"),
    )
    assert out["g"].to_list()[:2] == ["0022100759", "0042300155"]
    assert out["season"].to_list() == [2021, 2023, 2023, 2023, 1999, None]
    assert out["type"].to_list() == ["regular_season", "playoffs", "preseason", "play_in", "regular_season", None]
    assert out["chosen"].to_list() == [True, True, False, False, True, True]


def test_each_real_table_says_what_it_is(nba_data, kaggle):
    assert [detect(p) for p in kaggle] == [KAGGLE_GAMES, KAGGLE_DETAILS]
    assert detect(nba_data / "nba_api" / "playergamelog_1628378_2025-26.json") == PLAYER_LOG
    assert detect(nba_data / "nba_api" / "leaguegamefinder_player_2544_2023-24.json") == PLAYER_LOG
    assert detect(nba_data / "nba_api" / "leaguegamelog_team_2025-26.json") == TEAM_LOG
    assert detect(nba_data / "boxscoretraditionalv2_0022200552.json") is None


def test_the_kaggle_month(kaggle):
    players, teams, games = stage(kaggle, TYPES)
    assert len(games) == 231 and len(players) == 5912 and len(teams) == 462
    assert games["game_date"].dt.strftime("%Y-%m").unique().to_list() == ["2022-01"]
    assert players["minutes"].is_null().sum() == 999  # the blank DNP rows
    # the three fractions of a day (0.916666667, 0.916666667, 1) become 22:00, 22:00 and 24:00
    raw = pl.read_csv(kaggle[1], infer_schema=False)
    fractions = raw.filter(~pl.col("MIN").str.contains(":")).select("GAME_ID", "PLAYER_ID").rows()
    read = players.filter(
        pl.struct(game_id=pl.col("game_id").str.strip_chars_start("0"), player_id="player_id").is_in(
            [{"game_id": g, "player_id": p} for g, p in fractions]
        )
    )
    assert sorted(read["minutes"].to_list()) == ["1:00.00", "22:00.00", "22:00.00"]


def test_a_staged_kaggle_date_reads_like_a_date_file(kaggle, tmp_path):
    documents = date_documents(*stage(kaggle, TYPES))
    assert len(documents) == 31
    path = tmp_path / "2022-01-15.json"
    path.write_text(json.dumps(documents["2022-01-15"]))
    box = read_date_file(path, "2022-01-15")
    summary = player_game_summary(box, "2022-01-15", path.name, season_types=TYPES)
    assert summary["game_id"].n_unique() == 10 and summary["is_home"].null_count() == 0
    assert summary["season"].unique().to_list() == [2021] and summary["season_type"].unique().to_list() == [
        "regular_season"
    ]
    with pytest.raises(BoxScoreError, match="holds games of 2022-01-15"):
        read_date_file(path, "2022-01-16")  # the staged file dates its games


def _log_tables(nba_data, tmp_path, form):
    """The real PlayerGameLog and team LeagueGameLog as nba_api gives them, or rewritten as CSV
    or as a JSON list of records (what pandas' to_csv / to_json(orient="records") write)."""
    paths = [
        nba_data / "nba_api" / "playergamelog_1628378_2025-26.json",
        nba_data / "nba_api" / "leaguegamelog_team_2025-26.json",
    ]
    if form == "response":
        return paths
    out = []
    for path in paths:
        result = json.loads(path.read_text())["resultSets"][0]
        frame = pl.DataFrame(result["rowSet"], schema=result["headers"], orient="row", infer_schema_length=None)
        dest = tmp_path / f"{path.stem}.{'csv' if form == 'csv' else 'json'}"
        if form == "csv":
            frame.write_csv(dest)
        else:
            dest.write_text(json.dumps(frame.to_dicts()))
        out.append(dest)
    return out


@pytest.mark.parametrize("form", ["response", "csv", "records"])
def test_the_game_logs(nba_data, tmp_path, form):
    players, teams, games = stage(_log_tables(nba_data, tmp_path, form), TYPES)
    assert len(players) == 53 and players["player_id"].unique().to_list() == [str(MITCHELL)]
    assert players["team_id"].unique().to_list() == [str(CLE)]
    game = games.filter(pl.col("game_id") == "0022500802").row(0, named=True)  # CLE @ CHA
    assert (game["home_team_id"], game["away_team_id"]) == ("1610612766", str(CLE))
    assert set(teams["team_minutes"].cast(pl.Float64).to_list()) <= {240.0, 265.0, 290.0}
    row = players.filter(pl.col("game_id") == "0022500802").row(0, named=True)
    assert (row["minutes"], row["pts"]) == ("34:00.00", "32")
    path = tmp_path / "2026-02-20.json"
    path.write_text(json.dumps(date_documents(players, teams, games)["2026-02-20"]))
    summary = player_game_summary(read_date_file(path, "2026-02-20"), "2026-02-20", path.name, season_types=None)
    mitchell = summary.filter(pl.col("player_id") == MITCHELL).row(0, named=True)
    assert (mitchell["pts"], mitchell["is_home"], mitchell["opponent_abbr"]) == (32, False, "CHA")
    assert mitchell["minutes_flag"] is None and mitchell["usage_rate"] > 0  # team totals from the team log


def test_season_types_choose_the_games(nba_data):
    _, finder = read_table(nba_data / "nba_api" / "leaguegamefinder_player_2544_2023-24.json")
    kinds = finder.select(season_type_expr(pl.col("game_id"))).to_series().value_counts().sort("game_id")
    assert dict(kinds.rows()) == {
        "all_star": 1,
        "cup_final": 1,
        "play_in": 1,
        "playoffs": 5,
        "preseason": 3,
        "regular_season": 71,
    }
    assert finder.filter(chosen_games(pl.col("game_id"), TYPES)).height == 76
    # LeBron's log alone has no opponents' totals: staging asks for the team log
    with pytest.raises(BoxScoreError, match="add the season's LeagueGameLog in team mode"):
        stage([nba_data / "nba_api" / "leaguegamefinder_player_2544_2023-24.json"], TYPES)


def test_a_corrected_table_changes_only_its_dates_digest(kaggle, tmp_path):
    before = staged_index(list(map(str, kaggle)), TYPES)
    assert before["2022-01-15"][1] == tuple(map(str, kaggle))  # the tables holding its games
    details = pl.read_csv(kaggle[1], infer_schema=False)
    game = pl.read_csv(kaggle[0], infer_schema=False).filter(pl.col("GAME_DATE_EST") == "15/01/2022")["GAME_ID"][0]
    first = details.with_row_index().filter((pl.col("GAME_ID") == game) & pl.col("MIN").is_not_null())["index"][0]
    fixed = details.with_columns(
        pl.when(pl.int_range(pl.len()) == first).then(pl.lit("99")).otherwise(pl.col("PTS")).alias("PTS")
    )
    fixed.write_csv(tmp_path / "games_details.csv")
    after = staged_index([str(kaggle[0]), str(tmp_path / "games_details.csv")], TYPES)
    assert {d for d in before if before[d][0] != after[d][0]} == {"2022-01-15"}


def test_files_no_reader_takes_are_named(kaggle, tmp_path):
    for path in kaggle:
        (tmp_path / path.name).write_bytes(path.read_bytes())
    (tmp_path / "notes.txt").write_text("my notes")
    (tmp_path / "old").mkdir()
    tables, foreign = folder_tables(tmp_path)
    assert [p.rsplit("/", 1)[1] for p in tables] == ["games.csv", "games_details.csv"]
    assert [name for name, _ in foreign] == ["notes.txt", "old"]


def test_season_types_filter_date_files_too(nba_data, tmp_path):
    text = (nba_data / "boxscoretraditionalv2_0022200552.json").read_text()
    path = tmp_path / "2022-10-02.json"
    path.write_text(text.replace("0022200552", "0012200552"))  # the same game as a preseason game
    box = read_date_file(path)
    assert player_game_summary(box, "2022-10-02", path.name, season_types=TYPES).is_empty()
    preseason = player_game_summary(box, "2022-10-02", path.name, season_types=["preseason"])
    assert preseason["season_type"].unique().to_list() == ["preseason"] and preseason["season"].unique().to_list() == [
        2022
    ]
