"""Minutes that cannot lie: every damaged form real files carry is read as what it means or
rejected naming the file and the row, in a V2 date file and in a season table; minutes that
cannot be right (more than the game, a team total off the game's length) are flagged in the
summary and left out of the window statistics."""

from __future__ import annotations

import json

import polars as pl
import pytest

from shardflow.nba.boxscore import BoxScoreError, minutes_expr
from shardflow.nba.datefile import read_date_file
from shardflow.nba.history import player_form, usable
from shardflow.nba.season_tables import stage
from shardflow.nba.summary import player_game_summary

V2 = "nba/boxscoretraditionalv2_0022200552.json"
MIN_COLUMN = 9  # MIN in the real file's PlayerStats headers
MITCHELL = 1628378


def test_every_minutes_form():
    raw = pl.DataFrame(
        {"m": ["31:01:00", "32.000000:05", "0.916666667", ".9375000", "37:60", "49:48", "34", "0.5", "PT05M30.00S"]}
    )
    minutes = raw.select(minutes_expr("m"))["m"].to_list()
    assert minutes == pytest.approx([31 + 1 / 60, 32 + 5 / 60, 22.0, 22.5, 38.0, 49.8, 34.0, 0.5, 5.5])
    rejected = pl.DataFrame({"m": ["31:01:30", "45m55", "32.5:05", "12:75"]}).select(minutes_expr("m"))["m"]
    assert rejected.is_null().all()


def _v2(shared_data, tmp_path, value, name="2023-01-02.json"):
    document = json.loads((shared_data / V2).read_text())
    rows = document["resultSets"][0]["rowSet"]
    mitchell = next(i for i, r in enumerate(rows) if r[4] == MITCHELL)
    rows[mitchell][MIN_COLUMN] = value
    path = tmp_path / name
    path.write_text(json.dumps(document))
    return path, mitchell


@pytest.mark.parametrize("value", ["49:48:00", "49.000000:48", "49:48"])
def test_damaged_minutes_in_a_v2_file_are_read_right(shared_data, tmp_path, value):
    path, _ = _v2(shared_data, tmp_path, value)
    players = read_date_file(path).players
    assert players.filter(pl.col("player_id") == MITCHELL)["minutes"].item() == pytest.approx(49.8)


def test_a_bad_minutes_value_in_a_v2_file_names_the_file_and_row(shared_data, tmp_path):
    path, row = _v2(shared_data, tmp_path, "49:48:30")
    with pytest.raises(BoxScoreError, match=rf"2023-01-02\.json: player line {row + 1}: column 'minutes' .*'49:48:30'"):
        read_date_file(path)


def _kaggle(tmp_path, minutes: list[str]):
    """A Kaggle pair of one game: ten players per team, the first player's MIN given."""
    (tmp_path / "games.csv").write_text(
        "GAME_DATE_EST,GAME_ID,HOME_TEAM_ID,VISITOR_TEAM_ID,SEASON\n15/01/2022,22100641,1,2,2021\n"
    )
    stats = "FGM,FGA,FG3M,FG3A,FTM,FTA,OREB,DREB,REB,AST,STL,BLK,TO,PF,PTS"
    lines = [f"GAME_ID,TEAM_ID,TEAM_ABBREVIATION,PLAYER_ID,PLAYER_NAME,START_POSITION,COMMENT,MIN,{stats},PLUS_MINUS"]
    for team in (1, 2):
        for i in range(5):
            value = minutes[i] if team == 1 else "48:00"
            lines.append(f"22100641,{team},T{team},{team * 100 + i},P {i},F,,{value},5,10,1,3,2,2,1,4,5,3,1,0,1,2,13,0")
    (tmp_path / "games_details.csv").write_text("\n".join(lines) + "\n")
    return [tmp_path / "games.csv", tmp_path / "games_details.csv"]


def test_damaged_minutes_in_a_season_table_are_read_right(tmp_path):
    tables = _kaggle(tmp_path, ["0.916666667", "31:01:00", "37:60", "48:00", "55:00"])
    players, teams, _ = stage(tables, ["regular_season"])
    minutes = players.filter(pl.col("team_id") == "1").sort("player_id")["minutes"].to_list()
    assert minutes == ["22:00.00", "31:01.00", "38:00.00", "48:00.00", "55:00.00"]
    assert teams["team_minutes"].to_list() == [240.0, 240.0]  # 194:01 is nearest to regulation


def test_a_bad_minutes_value_in_a_season_table_names_the_file_and_row(tmp_path):
    tables = _kaggle(tmp_path, ["22:00", "31:01:30", "37:60", "48:00", "48:00"])
    with pytest.raises(BoxScoreError, match=r"games_details\.csv: row 2: column 'minutes' .*'31:01:30'"):
        stage(tables, ["regular_season"])


def _box(shared_data, tmp_path, value):
    path, _ = _v2(shared_data, tmp_path, value)
    return player_game_summary(read_date_file(path), "2023-01-02", path.name, season_types=None)


def test_minutes_over_the_game_and_a_wrong_team_total_are_flagged(shared_data, tmp_path):
    good = _box(shared_data, tmp_path, "49:48")
    assert good["minutes_flag"].is_null().all()  # the real game: 265 team minutes, sums match
    # 0.916666667 read as minutes (what a bare number used to mean) would be 0.92 minutes and
    # a usage rate in the hundreds: the team total (216 of 265) flags all of Cleveland
    wrong = _box(shared_data, tmp_path, "0.92")
    cle = wrong.filter(pl.col("team_abbr") == "CLE")
    played = cle.filter(~pl.col("dnp"))
    assert played["minutes_flag"].str.starts_with("the team's players total").all()
    assert played["usage_rate"].is_null().all()
    assert wrong.filter(pl.col("team_abbr") == "CHI")["minutes_flag"].is_null().all()
    over = _box(shared_data, tmp_path, "60:00")  # more than the 53 minutes of an overtime game
    flag = over.filter(pl.col("player_id") == MITCHELL)["minutes_flag"].item()
    assert flag.startswith("60.0 minutes, more than the game's 53.0")


def test_flagged_minutes_are_left_out_of_the_window(shared_data, tmp_path):
    wrong = _box(shared_data, tmp_path, "0.92")
    form = player_form(usable(wrong, wrong["season"]), pl.Series([MITCHELL]))
    assert form["minutes_avg_last_10"].item() is None and form["points_per_minute_last_10"].item() is None
    assert form["points_avg_last_10"].item() == 71.0  # his points are right and still count
