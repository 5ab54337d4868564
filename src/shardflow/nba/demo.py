"""Deterministic demo season in the formats real users have: one stats.nba.com date file per
game date (the day's ScoreboardV2, then per game a BoxScoreTraditionalV2 and a ShotChartDetail
response, as :mod:`.datefile` reads them), a points-lines CSV per date, and the truth.

:func:`write_demo_season` writes ``{out}/boxscores/{date}.json``, ``{out}/lines/{date}.csv``
and returns the truth: one row per player (:data:`PLAYER_TRUTH_COLUMNS`) and per game
(:data:`GAME_TRUTH_COLUMNS`).

League model (per team ``numpy.random.default_rng([seed, team])``; per date
``default_rng([seed, n_teams + 1, d])``):

* Teams (the 30 NBA franchises, ids and tricodes as stats.nba.com has them): a pace of 96-104
  possessions per 48 minutes, and a zone defence that changes the opponents' field-goal
  percentage by N(0, 3 %) in the paint, N(0, 2.5 %) mid-range, N(0, 2 %) from three.
* Rosters of ``roster_size``: 5 starters (28-36 minutes, one star with usage 27-33 %, the
  others 17-24 %), 4 rotation players (16-26 min), 3 bench (8-15 min), the rest deep bench
  (2-8 min, usually DNP - Coach's Decision). Each player has field-goal percentages in the
  paint (55-68 %), mid-range (36-46 %) and from three (30-40 %), a three-point rate, a paint
  share of his twos, free-throw rate and percentage, turnover rate and per-minute rebound,
  assist, steal, block and foul rates. Names are made up; some carry accents.
* Schedule: on each date a team plays with probability 0.3 the day after a game (a
  back-to-back, never a third day running), 0.55 after one day off and 0.85 after more; the
  teams drawn are paired at random, home side at random. Overtime with probability 0.06, and each further one 0.2.
* Injuries: a healthy player is hurt with probability 0.01 per date, for 3-12 dates
  (``DNP - Injury/Illness``); bench and deep-bench players sit out by coach's decision with
  probability 0.1 and 0.6.
* A game: possessions = mean of both paces + N(0, 2), times game minutes / 48. Minutes of the
  active players scale their means (x lognormal 0.12) to exactly 5 x game minutes, in whole
  seconds, none above the game length. Plays (FGA + 0.44 FTA + TOV) are shared in proportion
  to usage x minutes (so usage rates come out as drawn), Poisson-distributed around 1.07 x
  possessions for the team; turnovers, free throws, threes and paint/mid twos, and makes, are
  binomial draws with the player's rates and the opponent's zone defence. A tie gets one more
  made free throw for the home team. Plus-minus: the margin x the player's share of the
  game, plus noise, summing to 5 x the margin.
* Points lines for active players averaging 20+ minutes: the model's expected points + N(0,
  1.5), rounded to the half point (whole numbers make pushes possible).

Randomness comes only from these seeded streams, so the same arguments give byte-identical
files.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import polars as pl

from shardflow.io import replace_atomically

from .boxscore import STAT_COLUMNS
from .windows import consecutive_dates, season_of

TEAMS = (
    (1610612737, "ATL", "Atlanta", "Hawks"),
    (1610612738, "BOS", "Boston", "Celtics"),
    (1610612739, "CLE", "Cleveland", "Cavaliers"),
    (1610612740, "NOP", "New Orleans", "Pelicans"),
    (1610612741, "CHI", "Chicago", "Bulls"),
    (1610612742, "DAL", "Dallas", "Mavericks"),
    (1610612743, "DEN", "Denver", "Nuggets"),
    (1610612744, "GSW", "Golden State", "Warriors"),
    (1610612745, "HOU", "Houston", "Rockets"),
    (1610612746, "LAC", "LA", "Clippers"),
    (1610612747, "LAL", "Los Angeles", "Lakers"),
    (1610612748, "MIA", "Miami", "Heat"),
    (1610612749, "MIL", "Milwaukee", "Bucks"),
    (1610612750, "MIN", "Minnesota", "Timberwolves"),
    (1610612751, "BKN", "Brooklyn", "Nets"),
    (1610612752, "NYK", "New York", "Knicks"),
    (1610612753, "ORL", "Orlando", "Magic"),
    (1610612754, "IND", "Indiana", "Pacers"),
    (1610612755, "PHI", "Philadelphia", "76ers"),
    (1610612756, "PHX", "Phoenix", "Suns"),
    (1610612757, "POR", "Portland", "Trail Blazers"),
    (1610612758, "SAC", "Sacramento", "Kings"),
    (1610612759, "SAS", "San Antonio", "Spurs"),
    (1610612760, "OKC", "Oklahoma City", "Thunder"),
    (1610612761, "TOR", "Toronto", "Raptors"),
    (1610612762, "UTA", "Utah", "Jazz"),
    (1610612763, "MEM", "Memphis", "Grizzlies"),
    (1610612764, "WAS", "Washington", "Wizards"),
    (1610612765, "DET", "Detroit", "Pistons"),
    (1610612766, "CHA", "Charlotte", "Hornets"),
)
FIRST_NAMES = (
    "Aaron",
    "Andrés",
    "Bojan",
    "Caleb",
    "Cédric",
    "Darius",
    "Dante",
    "Elijah",
    "Emil",
    "Felipe",
    "Goran",
    "Hamid",
    "Isaiah",
    "Jalen",
    "Jonas",
    "Kai",
    "Kristaps",
    "Luka",
    "Malik",
    "Marek",
    "Mateo",
    "Nikola",
    "Omar",
    "Otto",
    "Pau",
    "Quentin",
    "Rafael",
    "Sékou",
    "Tariq",
    "Théo",
    "Tomáš",
    "Victor",
    "Xavier",
    "Zion",
)
LAST_NAMES = (
    "Adebayo",
    "Álvarez",
    "Barnes",
    "Bogdanović",
    "Brooks",
    "Carter",
    "Čančar",
    "Diallo",
    "Dumont",
    "Ellis",
    "Fernández",
    "Fournier",
    "Greene",
    "Hayes",
    "Holmgren",
    "Ibáñez",
    "Jackson",
    "Jokanović",
    "Kovač",
    "Larsen",
    "Lindqvist",
    "Marić",
    "Mitchell",
    "Moreno",
    "Müller",
    "Nwosu",
    "Okafor",
    "Papadopoulos",
    "Peña",
    "Porter",
    "Reyes",
    "Sabonis",
    "Schröder",
    "Šimić",
    "Thompson",
    "Turner",
    "Valančiūnas",
    "Walker",
    "Williams",
    "Young",
)

PLAYER_TRUTH_COLUMNS = (
    "player_id",
    "player_name",
    "team_id",
    "role",
    "minutes_mean",
    "usage_pct",
    "expected_points",
    "paint_fg_pct",
    "mid_fg_pct",
    "three_fg_pct",
    "three_rate",
    "paint_share",
    "ft_rate",
    "ft_pct",
)
GAME_TRUTH_COLUMNS = ("game_date", "game_id", "home_team_id", "away_team_id", "periods", "home_pts", "away_pts")

#: The statistics of a BoxScoreTraditionalV2 player or team row, in its order.
V2_STAT_HEADERS = [
    "MIN",
    "FGM",
    "FGA",
    "FG_PCT",
    "FG3M",
    "FG3A",
    "FG3_PCT",
    "FTM",
    "FTA",
    "FT_PCT",
    "OREB",
    "DREB",
    "REB",
    "AST",
    "STL",
    "BLK",
    "TO",
    "PF",
    "PTS",
    "PLUS_MINUS",
]
V2_PLAYER_HEADERS = [
    "GAME_ID",
    "TEAM_ID",
    "TEAM_ABBREVIATION",
    "TEAM_CITY",
    "PLAYER_ID",
    "PLAYER_NAME",
    "NICKNAME",
    "START_POSITION",
    "COMMENT",
    *V2_STAT_HEADERS,
]
V2_TEAM_HEADERS = ["GAME_ID", "TEAM_ID", "TEAM_NAME", "TEAM_ABBREVIATION", "TEAM_CITY", *V2_STAT_HEADERS]
GAME_HEADER_HEADERS = [
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
    "LIVE_PC_TIME",
    "NATL_TV_BROADCASTER_ABBREVIATION",
    "LIVE_PERIOD_TIME_BCAST",
    "WH_STATUS",
]
SHOT_HEADERS = [
    "GRID_TYPE",
    "GAME_ID",
    "GAME_EVENT_ID",
    "PLAYER_ID",
    "PLAYER_NAME",
    "TEAM_ID",
    "TEAM_NAME",
    "PERIOD",
    "MINUTES_REMAINING",
    "SECONDS_REMAINING",
    "EVENT_TYPE",
    "ACTION_TYPE",
    "SHOT_TYPE",
    "SHOT_ZONE_BASIC",
    "SHOT_ZONE_AREA",
    "SHOT_ZONE_RANGE",
    "SHOT_DISTANCE",
    "LOC_X",
    "LOC_Y",
    "SHOT_ATTEMPTED_FLAG",
    "SHOT_MADE_FLAG",
    "GAME_DATE",
    "HTM",
    "VTM",
]

#: Roles by roster slot: (name, minutes range, usage range, probability of a coach's DNP).
ROLES = (
    ("starter", (28, 36), (17, 24), 0.0),
    ("rotation", (16, 26), (15, 22), 0.0),
    ("bench", (8, 15), (13, 20), 0.1),
    ("deep", (2, 8), (12, 18), 0.6),
)
STARTER_POSITIONS = ("F", "F", "C", "G", "G")
#: Plays (FGA + 0.44 FTA + TOV) per possession of a team.
PLAYS_PER_POSSESSION = 1.07


def demo_dates(start_date: str, n_dates: int) -> list[str]:
    """The demo's game dates: ``n_dates`` consecutive days from ``start_date``."""
    return consecutive_dates(start_date, n_dates)


@dataclass
class League:
    """Teams and rosters (numpy arrays indexed by team, and by team x slot for players)."""

    team_pace: np.ndarray
    zone_defence: np.ndarray  # team x (paint, mid, three)
    player_id: np.ndarray
    names: list[list[str]]
    role: np.ndarray  # index into ROLES
    minutes: np.ndarray
    usage: np.ndarray
    zone_pct: np.ndarray  # team x slot x (paint, mid, three)
    three_rate: np.ndarray
    paint_share: np.ndarray
    ft_rate: np.ndarray
    ft_pct: np.ndarray
    tov_rate: np.ndarray
    per_minute: np.ndarray  # team x slot x (reb, ast, stl, blk, pf)


def make_league(n_teams: int, roster_size: int, seed: int) -> League:
    """Teams and rosters, each team from its own stream ``default_rng([seed, team])``."""
    shape = (n_teams, roster_size)
    league = League(
        team_pace=np.empty(n_teams),
        zone_defence=np.empty((n_teams, 3)),
        player_id=np.empty(shape, np.int64),
        names=[],
        role=np.empty(shape, np.int64),
        minutes=np.empty(shape),
        usage=np.empty(shape),
        zone_pct=np.empty((*shape, 3)),
        three_rate=np.empty(shape),
        paint_share=np.empty(shape),
        ft_rate=np.empty(shape),
        ft_pct=np.empty(shape),
        tov_rate=np.empty(shape),
        per_minute=np.empty((*shape, 5)),
    )
    slots = np.arange(roster_size)
    role = np.select([slots < 5, slots < 9, slots < 12], [0, 1, 2], 3)
    for t in range(n_teams):
        rng = np.random.default_rng([seed, t])
        league.team_pace[t] = rng.uniform(96, 104)
        league.zone_defence[t] = rng.normal(0, [0.03, 0.025, 0.02])
        league.player_id[t] = 1_700_000 + 20 * t + slots
        league.names.append([f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}" for _ in slots])
        league.role[t] = role
        lo_m, hi_m = np.array([ROLES[r][1] for r in role]).T
        lo_u, hi_u = np.array([ROLES[r][2] for r in role]).T
        league.minutes[t] = rng.uniform(lo_m, hi_m)
        league.usage[t] = rng.uniform(lo_u, hi_u)
        league.usage[t, 0] = rng.uniform(27, 33)  # the star
        league.zone_pct[t] = rng.uniform([0.55, 0.36, 0.30], [0.68, 0.46, 0.40], size=(roster_size, 3))
        league.three_rate[t] = rng.uniform(0.10, 0.55, roster_size)
        league.paint_share[t] = rng.uniform(0.5, 0.85, roster_size)
        league.ft_rate[t] = rng.uniform(0.12, 0.40, roster_size)
        league.ft_pct[t] = rng.uniform(0.65, 0.90, roster_size)
        league.tov_rate[t] = rng.uniform(0.08, 0.14, roster_size)
        league.per_minute[t] = rng.uniform(
            [0.10, 0.05, 0.01, 0.005, 0.03], [0.35, 0.25, 0.04, 0.05, 0.08], (roster_size, 5)
        )
    return league


def expected_points(league: League) -> np.ndarray:
    """Each player's expected points in a regulation game at his mean minutes against an
    average defence (team x slot)."""
    plays = PLAYS_PER_POSSESSION * league.team_pace[:, None] * league.usage * league.minutes / 4800
    fga = plays * (1 - league.tov_rate) / (1 + 0.44 * league.ft_rate)
    per_fga = (
        (1 - league.three_rate)
        * 2
        * (league.paint_share * league.zone_pct[..., 0] + (1 - league.paint_share) * league.zone_pct[..., 1])
        + league.three_rate * 3 * league.zone_pct[..., 2]
        + league.ft_rate * league.ft_pct
    )
    return fga * per_fga


def _minutes_seconds(rng, means: np.ndarray, game_minutes: float) -> np.ndarray:
    """Whole seconds per active player: means x lognormal(0, 0.12), scaled to 5 x game minutes,
    none above the game's length (the excess goes to the others in proportion)."""
    total, cap = round(5 * game_minutes * 60), game_minutes * 60
    x = means * rng.lognormal(0.0, 0.12, means.size)
    capped = np.zeros(means.size, bool)
    for _ in range(means.size):
        x = np.where(capped, cap, x * (total - cap * capped.sum()) / x[~capped].sum())
        if not (over := (x > cap) & ~capped).any():
            break
        capped |= over
    seconds = np.floor(x).astype(np.int64)
    short = total - seconds.sum()
    seconds[np.argsort(-(x - seconds), kind="stable")[:short]] += 1
    return seconds


def _team_game(
    rng, league: League, t: int, active: np.ndarray, possessions: float, game_minutes: float, opp: int
) -> dict:
    """Box-score lines of team ``t``'s active players (slot indices ``active``) in one game."""
    seconds = _minutes_seconds(rng, league.minutes[t, active], game_minutes)
    minutes = seconds / 60
    weight = league.usage[t, active] * minutes
    plays = rng.poisson(PLAYS_PER_POSSESSION * possessions * weight / weight.sum())
    tov = rng.binomial(plays, league.tov_rate[t, active])
    ft_rate = league.ft_rate[t, active]
    fga = np.rint((plays - tov) / (1 + 0.44 * ft_rate)).astype(np.int64)
    fta = rng.poisson(fga * ft_rate)
    three_a = rng.binomial(fga, league.three_rate[t, active])
    paint_a = rng.binomial(fga - three_a, league.paint_share[t, active])
    mid_a = fga - three_a - paint_a
    pct = np.clip(league.zone_pct[t, active] + league.zone_defence[opp], 0.05, 0.95)
    attempts = np.stack([paint_a, mid_a, three_a], axis=1)
    makes = rng.binomial(attempts, pct)
    ftm = rng.binomial(fta, league.ft_pct[t, active])
    rates = league.per_minute[t, active] * minutes[:, None]
    reb = rng.poisson(rates[:, 0])
    oreb = rng.binomial(reb, 0.25)
    ast, stl, blk = (rng.poisson(rates[:, i]) for i in (1, 2, 3))
    pf = np.minimum(rng.poisson(rates[:, 4]), 6)
    fgm = makes.sum(axis=1)
    return {
        "slot": active,
        "seconds": seconds,
        "fgm": fgm,
        "fga": fga,
        "fg3m": makes[:, 2],
        "fg3a": three_a,
        "ftm": ftm,
        "fta": fta,
        "oreb": oreb,
        "dreb": reb - oreb,
        "reb": reb,
        "ast": ast,
        "stl": stl,
        "blk": blk,
        "tov": tov,
        "pf": pf,
        "pts": 2 * fgm + makes[:, 2] + ftm,
        "attempts": attempts,
        "makes": makes,
    }


def _pct(made: int, attempted: int) -> float:
    return round(made / attempted, 3) if attempted else 0.0


def _clock(seconds: int) -> str:
    return f"{seconds // 60}:{seconds % 60:02d}"


def _v2_stats(minutes: str, v: dict, plus_minus: int) -> list:
    """The :data:`V2_STAT_HEADERS` values of a line: its minutes text, the counting statistics
    ``v`` (:data:`.boxscore.STAT_COLUMNS`) with the three percentages, and plus-minus."""
    pct = [_pct(v[made], v[attempted]) for made, attempted in (("fgm", "fga"), ("fg3m", "fg3a"), ("ftm", "fta"))]
    shooting = [v["fgm"], v["fga"], pct[0], v["fg3m"], v["fg3a"], pct[1], v["ftm"], v["fta"], pct[2]]
    return [minutes, *shooting, *(v[k] for k in STAT_COLUMNS[6:]), plus_minus]


def _v2_boxscore(game_id: str, sides: list[dict], periods: int) -> dict:
    """A BoxScoreTraditionalV2 response: PlayerStats away team first, TeamStats home first."""
    player_rows, team_rows = [], []
    for side in sides[::-1]:  # away, then home
        line, lo = side["line"], TEAMS[side["team"]]
        by_slot = {s: i for i, s in enumerate(line["slot"])}
        starters = [s for s in sorted(by_slot) if s < 5]
        for slot in [*starters, *[s for s in sorted(by_slot) if s >= 5], *side["out"]]:
            name = side["names"][slot]
            pid = int(side["player_id"][slot])
            if slot in by_slot:
                i = by_slot[slot]
                v = {k: int(line[k][i]) for k in STAT_COLUMNS}
                stats = _v2_stats(_clock(int(line["seconds"][i])), v, int(side["plus_minus"][i]))
                position, comment = (STARTER_POSITIONS[starters.index(slot)] if slot in starters else ""), ""
            else:
                stats, position, comment = [None] * len(V2_STAT_HEADERS), "", side["out"][slot]
            player_rows.append([game_id, lo[0], lo[1], lo[2], pid, name, name.split()[0], position, comment, *stats])
    for side in sides:  # home, then away
        lo, tot = TEAMS[side["team"]], side["totals"]
        minutes = f"{int(round(side['team_minutes']))}:00"
        team_rows.append([game_id, lo[0], lo[3], lo[1], lo[2], *_v2_stats(minutes, tot, side["margin"])])
    params = {"GameID": game_id, "StartPeriod": 0, "EndPeriod": 0, "StartRange": 0, "EndRange": 0, "RangeType": 0}
    return {
        "resource": "boxscore",
        "parameters": params,
        "resultSets": [
            {"name": "PlayerStats", "headers": V2_PLAYER_HEADERS, "rowSet": player_rows},
            {"name": "TeamStats", "headers": V2_TEAM_HEADERS, "rowSet": team_rows},
        ],
    }


ZONE_SHOTS = (  # zone -> [(SHOT_ZONE_BASIC, SHOT_ZONE_RANGE, distance range ft, probability)]
    (("Restricted Area", "Less Than 8 ft.", (0, 4), 0.6), ("In The Paint (Non-RA)", "8-16 ft.", (4, 15), 0.4)),
    (("Mid-Range", "16-24 ft.", (10, 23), 1.0),),
    (
        ("Above the Break 3", "24+ ft.", (24, 29), 0.8),
        ("Left Corner 3", "24+ ft.", (22, 23), 0.1),
        ("Right Corner 3", "24+ ft.", (22, 23), 0.1),
    ),
)


def _shot_chart(rng, game_id: str, day: str, sides: list[dict], periods: int) -> dict:
    """A ShotChartDetail response with one row per field-goal attempt of the game."""
    home, away = TEAMS[sides[0]["team"]][1], TEAMS[sides[1]["team"]][1]
    rows = []
    for side in sides:
        lo, line = TEAMS[side["team"]], side["line"]
        for i, slot in enumerate(line["slot"]):
            for z, variants in enumerate(ZONE_SHOTS):
                n, made = int(line["attempts"][i, z]), int(line["makes"][i, z])
                if n == 0:
                    continue
                kind = rng.choice(len(variants), n, p=[v[3] for v in variants])
                flags = rng.permutation(np.r_[np.ones(made, np.int64), np.zeros(n - made, np.int64)])
                for k, flag in zip(kind, flags, strict=True):
                    basic, rng_text, (lo_d, hi_d), _ = variants[k]
                    dist = int(rng.integers(lo_d, hi_d))
                    angle = {"Left Corner 3": np.pi, "Right Corner 3": 0.0}.get(basic) or rng.uniform(0.1, 0.9) * np.pi
                    rows.append(
                        [
                            "Shot Chart Detail",
                            game_id,
                            0,
                            int(side["player_id"][slot]),
                            side["names"][slot],
                            lo[0],
                            f"{lo[2]} {lo[3]}",
                            int(rng.integers(1, periods + 1)),
                            int(rng.integers(0, 12)),
                            int(rng.integers(0, 60)),
                            "Made Shot" if flag else "Missed Shot",
                            "Layup Shot" if z == 0 and dist < 4 else "Jump Shot",
                            "3PT Field Goal" if z == 2 else "2PT Field Goal",
                            basic,
                            "Center(C)",
                            rng_text,
                            dist,
                            int(round(10 * dist * np.cos(angle))),
                            int(round(10 * dist * np.sin(angle))),
                            1,
                            int(flag),
                            day.replace("-", ""),
                            home,
                            away,
                        ]
                    )
    order = rng.permutation(len(rows))
    rows = [rows[i] for i in order]
    for event, row in enumerate(rows, start=1):
        row[2] = event
    params = {"GameID": game_id, "TeamID": 0, "PlayerID": 0, "ContextMeasure": "FGA", "LeagueID": "00"}
    return {
        "resource": "shotchartdetail",
        "parameters": params,
        "resultSets": [{"name": "Shot_Chart_Detail", "headers": SHOT_HEADERS, "rowSet": rows}],
    }


def _scoreboard(day: str, games: list[dict]) -> dict:
    """The day's ScoreboardV2 response, GameHeader result set only."""
    rows = [
        [
            f"{day}T00:00:00",
            i + 1,
            g["game_id"],
            3,
            "Final",
            f"{day.replace('-', '')}/{TEAMS[g['away']][1]}{TEAMS[g['home']][1]}",
            TEAMS[g["home"]][0],
            TEAMS[g["away"]][0],
            str(season_of(day)),
            g["periods"],
            "",
            None,
            f"Q{min(g['periods'], 4)}",
            1,
        ]
        for i, g in enumerate(games)
    ]
    return {
        "resource": "scoreboardV2",
        "parameters": {"GameDate": day, "LeagueID": "00", "DayOffset": "0"},
        "resultSets": [{"name": "GameHeader", "headers": GAME_HEADER_HEADERS, "rowSet": rows}],
    }


def write_demo_season(
    out: str | os.PathLike, *, n_teams: int, roster_size: int, dates: list[str], seed: int
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Write the demo season (module docstring) under ``out``; return (player truth, game truth)."""
    if not 2 <= n_teams <= len(TEAMS):
        raise ValueError(f"n_teams must be 2..{len(TEAMS)}, not {n_teams}")
    out = Path(out)
    league = make_league(n_teams, roster_size, seed)
    expected = expected_points(league)
    last_game = np.full(n_teams, -99)
    before_last = np.full(n_teams, -99)  # the game before the last: no team plays three days running
    injured_until = np.full((n_teams, roster_size), -1)
    game_truth, serial = [], 0
    for d, day in enumerate(dates):
        rng = np.random.default_rng([seed, n_teams + 1, d])
        rest = d - last_game
        play = (rng.random(n_teams) < np.select([rest == 1, rest == 2], [0.3, 0.55], 0.85)) & (before_last < d - 2)
        if play.sum() < 2:
            play[np.argsort(-rest, kind="stable")[:2]] = True
        teams = rng.permutation(np.flatnonzero(play))[: 2 * (play.sum() // 2)]
        hurt = (injured_until < d) & (rng.random((n_teams, roster_size)) < 0.01)
        injured_until[hurt] = d + rng.integers(3, 13, hurt.sum()) - 1
        documents, lines, games = [], [], []
        for home, away in teams.reshape(-1, 2):
            serial += 1
            game_id = f"002{season_of(day) % 100:02d}{serial:05d}"
            periods = 4
            if rng.random() < 0.06:
                periods += 1
                while rng.random() < 0.2:
                    periods += 1
            game_minutes = 48 + 5 * (periods - 4)
            possessions = ((league.team_pace[home] + league.team_pace[away]) / 2 + rng.normal(0, 2)) * game_minutes / 48
            sides = []
            for t, opp in ((home, away), (away, home)):
                coach = rng.random(roster_size) < np.array([ROLES[r][3] for r in league.role[t]])
                hurt_now = injured_until[t] >= d
                out_slots = {int(s): "DNP - Injury/Illness" for s in np.flatnonzero(hurt_now)}
                out_slots |= {int(s): "DNP - Coach's Decision" for s in np.flatnonzero(coach & ~hurt_now)}
                active = np.array([s for s in range(roster_size) if s not in out_slots])
                line = _team_game(rng, league, t, active, possessions, game_minutes, opp)
                sides.append(
                    {
                        "team": t,
                        "line": line,
                        "out": dict(sorted(out_slots.items())),
                        "names": league.names[t],
                        "player_id": league.player_id[t],
                        "team_minutes": 5.0 * game_minutes,
                    }
                )
                for s in active:
                    if league.minutes[t, s] >= 20:
                        lines.append(
                            (
                                int(league.player_id[t, s]),
                                league.names[t][s],
                                round(2 * (expected[t, s] + rng.normal(0, 1.5))) / 2,
                            )
                        )
            if sides[0]["line"]["pts"].sum() == sides[1]["line"]["pts"].sum():
                top = int(np.argmax(sides[0]["line"]["seconds"]))
                for k in ("ftm", "fta", "pts"):
                    sides[0]["line"][k][top] += 1
            for side, other in ((sides[0], sides[1]), (sides[1], sides[0])):
                line = side["line"]
                side["totals"] = {k: int(line[k].sum()) for k in STAT_COLUMNS}
                side["margin"] = int(line["pts"].sum() - other["line"]["pts"].sum())
                share = line["seconds"] / (game_minutes * 60)
                pm = np.rint(side["margin"] * share + rng.normal(0, 3, share.size)).astype(np.int64)
                pm[np.argmax(line["seconds"])] += 5 * side["margin"] - pm.sum()
                side["plus_minus"] = pm
            documents.append(_v2_boxscore(game_id, sides, periods))
            documents.append(_shot_chart(rng, game_id, day, sides, periods))
            games.append({"game_id": game_id, "home": home, "away": away, "periods": periods})
            game_truth.append(
                (
                    day,
                    game_id,
                    TEAMS[home][0],
                    TEAMS[away][0],
                    periods,
                    sides[0]["totals"]["pts"],
                    sides[1]["totals"]["pts"],
                )
            )
            before_last[[home, away]] = last_game[[home, away]]
            last_game[[home, away]] = d
        text = json.dumps([_scoreboard(day, games), *documents], ensure_ascii=False, separators=(",", ":"))
        replace_atomically(
            out / "boxscores" / f"{day}.json", lambda tmp, text=text: tmp.write_text(text, encoding="utf-8")
        )
        table = pl.DataFrame(lines, schema=["player_id", "player_name", "line"], orient="row").sort("player_id")
        replace_atomically(out / "lines" / f"{day}.csv", lambda tmp, table=table: table.write_csv(tmp))
    players = pl.DataFrame(
        {
            "player_id": league.player_id.ravel(),
            "player_name": [n for names in league.names for n in names],
            "team_id": np.repeat([TEAMS[t][0] for t in range(n_teams)], roster_size),
            "role": [ROLES[r][0] for r in league.role.ravel()],
            "minutes_mean": league.minutes.ravel(),
            "usage_pct": league.usage.ravel(),
            "expected_points": expected.ravel(),
            "paint_fg_pct": league.zone_pct[..., 0].ravel(),
            "mid_fg_pct": league.zone_pct[..., 1].ravel(),
            "three_fg_pct": league.zone_pct[..., 2].ravel(),
            "three_rate": league.three_rate.ravel(),
            "paint_share": league.paint_share.ravel(),
            "ft_rate": league.ft_rate.ravel(),
            "ft_pct": league.ft_pct.ravel(),
        }
    )
    games = pl.DataFrame(game_truth, schema=list(GAME_TRUTH_COLUMNS), orient="row").with_columns(
        pl.col("game_date").str.to_date()
    )
    return players, games
