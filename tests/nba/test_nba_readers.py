"""Box-score readers: the real stats.nba.com V2 and V3 responses of game 0022200552 (known
values), a balldontlie response in its real shape, the minutes and plus-minus forms, points
lines, and malformed files named in the error."""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from shardflow.nba.boxscore import BoxScoreError, minutes_expr, whole_number_expr
from shardflow.nba.datefile import detect, read_date_file
from shardflow.nba.lines import read_lines
from shardflow.nba.summary import player_game_summary

V2 = "nba/boxscoretraditionalv2_0022200552.json"
V3 = "nba/boxscoretraditionalv3_0022200552.json"
MITCHELL, CLE, CHI = 1628378, 1610612739, 1610612741
GAME_DATE = "2023-01-02"


def scoreboard(game_id="0022200552", home=CLE, away=CHI, day=GAME_DATE) -> dict:
    """A ScoreboardV2 response with the GameHeader of one game (Chicago at Cleveland)."""
    headers = [
        "GAME_DATE_EST",
        "GAME_SEQUENCE",
        "GAME_ID",
        "GAME_STATUS_ID",
        "GAME_STATUS_TEXT",
        "GAMECODE",
        "HOME_TEAM_ID",
        "VISITOR_TEAM_ID",
        "SEASON",
        "LIVE_PERIOD",
    ]
    row = [f"{day}T00:00:00", 1, game_id, 3, "Final", "20230102/CHICLE", home, away, "2022", 5]
    return {
        "resource": "scoreboardV2",
        "parameters": {"GameDate": day},
        "resultSets": [{"name": "GameHeader", "headers": headers, "rowSet": [row]}],
    }


def write(path: Path, document) -> Path:
    path.write_text(json.dumps(document), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def v2(shared_data):
    return read_date_file(shared_data / V2)


@pytest.fixture(scope="module")
def v3(shared_data):
    return read_date_file(shared_data / V3)


def test_real_v2_reproduces_the_known_box_score(v2):
    mitchell = v2.players.filter(pl.col("player_id") == MITCHELL).row(0, named=True)
    assert (mitchell["pts"], mitchell["fgm"], mitchell["fga"], mitchell["fg3m"], mitchell["fg3a"]) == (
        71,
        22,
        34,
        7,
        15,
    )
    assert (mitchell["ftm"], mitchell["fta"], mitchell["plus_minus"]) == (20, 25, 19)
    assert mitchell["minutes"] == pytest.approx(49 + 48 / 60)
    assert mitchell["player_name"] == "Donovan Mitchell" and mitchell["starter"] and not mitchell["dnp"]
    assert v2.teams["team_minutes"].to_list() == [265.0, 265.0]  # overtime: 5 x 53 minutes
    totals = v2.players.group_by("team_id").agg(pl.col("fgm", "fga", "fg3m", "fta", "reb", "tov", "pts").sum())
    assert_frame_equal(totals.sort("team_id"), v2.teams.select(totals.columns).sort("team_id"))
    dnp = v2.players.filter(pl.col("dnp"))
    assert sorted(dnp["comment"]) == ["DNP - Coach's Decision"] * 3 + ["DNP - Injury/Illness"]
    assert dnp.select(pl.col("minutes", "pts", "fga", "plus_minus").is_null().all()).row(0) == (True,) * 4
    assert v2.games.is_empty()  # V2 does not say who is at home


def test_real_v3_gives_the_same_tables_as_v2(v2, v3):
    keys = ["game_id", "team_id", "player_id"]
    assert_frame_equal(v3.players.sort(keys), v2.players.sort(keys))
    assert_frame_equal(v3.teams.sort(keys[:2]), v2.teams.sort(keys[:2]))
    assert v3.games.row(0) == ("0022200552", CLE, CHI)
    assert v3.players.filter(pl.col("player_id") == 202696)["player_name"][0] == "Nikola Vučević"


def test_v2_with_the_scoreboard_gives_the_same_summary_as_v3(shared_data, tmp_path, v3):
    day_file = write(tmp_path / f"{GAME_DATE}.json", [scoreboard(), json.loads((shared_data / V2).read_text())])
    from_v2 = player_game_summary(read_date_file(day_file, GAME_DATE), GAME_DATE, "x", season_types=None)
    from_v3 = player_game_summary(v3, GAME_DATE, "x", season_types=None)
    assert_frame_equal(from_v2, from_v3)
    mitchell = from_v2.filter(pl.col("player_id") == MITCHELL).row(0, named=True)
    assert mitchell["is_home"] is True and mitchell["opponent_abbr"] == "CHI" and mitchell["team_minutes"] == 265.0
    # without the scoreboard, only is_home is unknown
    alone = player_game_summary(read_date_file(shared_data / V2), GAME_DATE, "x", season_types=None)
    assert alone["is_home"].is_null().all()
    assert_frame_equal(alone.drop("is_home"), from_v3.drop("is_home"))


def test_format_setting_and_detection(shared_data):
    assert detect(json.loads((shared_data / V2).read_text())) == "v2"
    assert detect(json.loads((shared_data / V3).read_text())) == "v3"
    assert detect(scoreboard()) == "game_header"
    assert detect({"data": []}) == "balldontlie" and detect({"foo": 1}) is None
    read_date_file(shared_data / V3, fmt="v3")
    with pytest.raises(
        BoxScoreError, match=r"boxscoretraditionalv2_0022200552\.json.*v2 box score, but nba\.format is v3"
    ):
        read_date_file(shared_data / V2, fmt="v3")


def bdl_player(pid, first, last, minutes, pts=0, fgm=0, fga=0, fg3m=0, fg3a=0, ftm=0, fta=0, tov=0, oreb=0, dreb=0):
    return {
        "id": pid * 10,
        "min": minutes,
        "fgm": fgm,
        "fga": fga,
        "fg_pct": fgm / fga if fga else 0.0,
        "fg3m": fg3m,
        "fg3a": fg3a,
        "fg3_pct": 0.0,
        "ftm": ftm,
        "fta": fta,
        "ft_pct": 0.0,
        "oreb": oreb,
        "dreb": dreb,
        "reb": oreb + dreb,
        "ast": 2,
        "stl": 1,
        "blk": 0,
        "turnover": tov,
        "pf": 2,
        "pts": pts,
        "player": {"id": pid, "first_name": first, "last_name": last, "position": "G", "team_id": None},
    }


def bdl_team(tid, abbr, players):
    return {
        "id": tid,
        "conference": "East",
        "division": "Central",
        "city": abbr,
        "name": abbr,
        "full_name": f"{abbr} team",
        "abbreviation": abbr,
        "players": players,
    }


#: A balldontlie /v1/box_scores response (hand-written, real shape): two games on 2024-01-15,
#: the second in overtime; DNPs as "00" and "" minutes; minutes as "MM:SS" and plain "34".
BDL = {
    "data": [
        {
            "date": "2024-01-15",
            "season": 2023,
            "status": "Final",
            "period": 4,
            "time": "Final",
            "postseason": False,
            "home_team_score": 13,
            "visitor_team_score": 7,
            "home_team": bdl_team(
                2,
                "BOS",
                [
                    bdl_player(
                        11,
                        "Jayson",
                        "Tatum",
                        "36:30",
                        pts=10,
                        fgm=4,
                        fga=9,
                        fg3m=1,
                        fg3a=4,
                        ftm=1,
                        fta=2,
                        tov=3,
                        oreb=1,
                        dreb=6,
                    ),
                    bdl_player(12, "Kristaps", "Porziņģis", "34", pts=3, fgm=1, fga=2, fg3m=1, fg3a=1),
                    bdl_player(13, "Luke", "Kornet", "00"),
                ],
            ),
            "visitor_team": bdl_team(
                14,
                "LAL",
                [
                    bdl_player(21, "LeBron", "James", "40:00", pts=7, fgm=3, fga=10, ftm=1, fta=1, tov=2),
                    bdl_player(22, "Max", "Christie", ""),
                ],
            ),
        },
        {
            "date": "2024-01-15",
            "season": 2023,
            "status": "Final",
            "period": 5,
            "time": "Final",
            "postseason": False,
            "home_team_score": 2,
            "visitor_team_score": 0,
            "home_team": bdl_team(7, "DEN", [bdl_player(31, "Nikola", "Jokić", "45:10", pts=2, fgm=1, fga=3)]),
            "visitor_team": bdl_team(24, "PHX", [bdl_player(41, "Devin", "Booker", "44", fga=5)]),
        },
    ],
    "meta": {"per_page": 25},
}


def test_balldontlie_response(tmp_path):
    box = read_date_file(write(tmp_path / "2024-01-15.json", BDL), "2024-01-15", fmt="balldontlie")
    players = box.players.sort("player_id")
    assert players["player_id"].to_list() == [11, 12, 13, 21, 22, 31, 41]
    assert players["minutes"].to_list() == [36.5, 34.0, None, 40.0, None, pytest.approx(45 + 10 / 60), 44.0]
    assert players["dnp"].to_list() == [False, False, True, False, True, False, False]
    assert players["player_name"][1] == "Kristaps Porziņģis"
    assert players["plus_minus"].is_null().all() and players["starter"].is_null().all()
    teams = box.teams.sort("game_id", "team_id")
    assert teams["game_id"].to_list() == ["20240115_LAL_BOS"] * 2 + ["20240115_PHX_DEN"] * 2
    assert teams["team_minutes"].to_list() == [240.0, 240.0, 265.0, 265.0]
    assert teams.filter(pl.col("team_id") == 2).select("pts", "fga", "tov").row(0) == (13, 11, 3)
    assert box.games.sort("game_id").rows() == [("20240115_LAL_BOS", 2, 14), ("20240115_PHX_DEN", 7, 24)]
    summary = player_game_summary(box, "2024-01-15", "2024-01-15.json", season_types=None)
    tatum = summary.filter(pl.col("player_id") == 11).row(0, named=True)
    assert tatum["is_home"] and tatum["opponent_abbr"] == "LAL"
    assert tatum["ts_pct"] == pytest.approx(10 / (2 * (9 + 0.44 * 2)))
    with pytest.raises(BoxScoreError, match=r"2024-01-15\.json: holds games of 2024-01-15, not only of 2024-01-16"):
        read_date_file(tmp_path / "2024-01-15.json", "2024-01-16")


def test_minutes_and_plus_minus_forms():
    raw = pl.DataFrame(
        {"m": ["34:12", "PT34M12.00S", "34", "34.5", "", None, "DNP - Coach's Decision", "0:00", "PT05M", "7:5"]}
    )
    minutes = raw.select(minutes_expr("m"))["m"].to_list()
    assert minutes == pytest.approx([34.2, 34.2, 34.0, 34.5, None, None, None, 0.0, 5.0, 7 + 5 / 60], nan_ok=False)
    pm = pl.DataFrame({"p": ["+19", "-9", "19.0", "0", "", None, "1.5"]}).select(whole_number_expr("p"))["p"]
    assert pm.to_list() == [19, -9, 19, 0, None, None, None]


def test_points_lines(tmp_path):
    (tmp_path / "ok.csv").write_text("player_id,player_name,line\n1628378,Donovan Mitchell,33.5\n202696,x,20\n")
    assert read_lines(tmp_path / "ok.csv").rows() == [(1628378, 33.5), (202696, 20.0)]
    (tmp_path / "dup.csv").write_text("player_id,line\n1,2.5\n1,3.5\n")
    with pytest.raises(BoxScoreError, match=r"dup\.csv: player 1 has more than one line"):
        read_lines(tmp_path / "dup.csv")
    (tmp_path / "bad.csv").write_text("player_id,points\n1,2.5\n")
    with pytest.raises(BoxScoreError, match=r"bad\.csv: .*missing line"):
        read_lines(tmp_path / "bad.csv")


def _v2_with(shared_data, change) -> dict:
    document = json.loads((shared_data / V2).read_text())
    change(document)
    return document


def _drop_team_stats(d):
    d["resultSets"] = [s for s in d["resultSets"] if s["name"] != "TeamStats"]


def _bad_minutes(d):
    d["resultSets"][0]["rowSet"][0][9] = "45m55"


def _bad_points(d):
    d["resultSets"][0]["rowSet"][0][27] = "forty"


def _short_row(d):
    d["resultSets"][0]["rowSet"][0].pop()


def _duplicate_player(d):
    d["resultSets"][0]["rowSet"].append(list(d["resultSets"][0]["rowSet"][0]))


def _one_team(d):
    d["resultSets"][1]["rowSet"].pop()
    d["resultSets"][0]["rowSet"] = [r for r in d["resultSets"][0]["rowSet"] if r[1] == CLE]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (_drop_team_stats, "without a TeamStats result set"),
        (_bad_minutes, "column 'minutes' has a value of no expected form: '45m55'"),
        (_bad_points, "column 'pts' has a value of no expected form: 'forty'"),
        (_short_row, "row whose length differs from its 29 headers"),
        (_duplicate_player, "player 201942 is listed twice in game 0022200552"),
        (_one_team, "game 0022200552 has 1 teams, not 2"),
    ],
)
def test_malformed_box_scores_name_the_file_and_the_problem(shared_data, tmp_path, change, message):
    path = write(tmp_path / "2023-01-02.json", _v2_with(shared_data, change))
    with pytest.raises(BoxScoreError) as err:
        read_date_file(path)
    assert str(err.value).startswith(f"{path}: ") and message in str(err.value)


def test_unreadable_documents(shared_data, tmp_path):
    (tmp_path / "a.json").write_text('[{"resultSets": [')
    with pytest.raises(BoxScoreError, match=r"a\.json: not valid JSON"):
        read_date_file(tmp_path / "a.json")
    with pytest.raises(BoxScoreError, match=r"b\.json: document 1 is none of"):
        read_date_file(write(tmp_path / "b.json", [BDL, {"games": []}]))
    with pytest.raises(BoxScoreError, match=r"c\.json: no box scores"):
        read_date_file(write(tmp_path / "c.json", [scoreboard()]))
    with pytest.raises(BoxScoreError, match=r"d\.json: .*home/away teams are not the teams"):
        read_date_file(
            write(tmp_path / "d.json", [scoreboard(home=1, away=2), json.loads((shared_data / V2).read_text())])
        )


def test_a_date_file_mixing_formats_and_games(shared_data, tmp_path):
    v3 = json.loads((shared_data / V3).read_text())
    v3["boxScoreTraditional"]["gameId"] = "0022200999"
    path = write(tmp_path / f"{GAME_DATE}.json", [scoreboard(), json.loads((shared_data / V2).read_text()), v3])
    box = read_date_file(path, GAME_DATE)
    assert box.teams["game_id"].n_unique() == 2 and len(box.players) == 2 * 23
    assert set(box.games["game_id"]) == {"0022200552", "0022200999"}
