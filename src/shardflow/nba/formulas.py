"""Basketball rate statistics as polars expressions. Every ratio is null where its denominator
is zero or null: a player without a shot has no shooting percentage, never 0.

Sources: Hollinger's true shooting and usage and Oliver's possession estimate, as
Basketball-Reference defines them (https://www.basketball-reference.com/about/glossary.html);
0.44 is the share of free-throw attempts that end a possession.
"""

from __future__ import annotations

import polars as pl

#: Free-throw attempts per possession they end (and-ones, three-shot fouls, technicals).
FTA_WEIGHT = 0.44


def ratio(numerator: pl.Expr, denominator: pl.Expr) -> pl.Expr:
    """``numerator / denominator``, null where the denominator is 0 or null."""
    return pl.when(denominator > 0).then(numerator / denominator).otherwise(None)


def true_shooting(pts: pl.Expr, fga: pl.Expr, fta: pl.Expr) -> pl.Expr:
    """True shooting percentage (fraction): PTS / (2 (FGA + 0.44 FTA))."""
    return ratio(pts, 2 * (fga + FTA_WEIGHT * fta))


def effective_fg(fgm: pl.Expr, fg3m: pl.Expr, fga: pl.Expr) -> pl.Expr:
    """Effective field-goal percentage (fraction): (FGM + 0.5 FG3M) / FGA."""
    return ratio(fgm + 0.5 * fg3m, fga)


def plays(fga: pl.Expr, fta: pl.Expr, tov: pl.Expr) -> pl.Expr:
    """Plays that end a possession: FGA + 0.44 FTA + TOV."""
    return fga + FTA_WEIGHT * fta + tov


def usage_rate(minutes: pl.Expr, player_plays: pl.Expr, team_minutes: pl.Expr, team_plays: pl.Expr) -> pl.Expr:
    """Usage rate (percent of the team's plays a player ends while on the floor):
    100 (FGA + 0.44 FTA + TOV) (Tm MIN / 5) / (MIN (Tm FGA + 0.44 Tm FTA + Tm TOV)),
    with the team's real minutes (265 after one overtime, not 240)."""
    return 100 * ratio(player_plays * team_minutes / 5, minutes * team_plays)


def possessions(fga: pl.Expr, fta: pl.Expr, oreb: pl.Expr, tov: pl.Expr) -> pl.Expr:
    """Possessions of a team in a game (Oliver's estimate): FGA + 0.44 FTA - OREB + TOV."""
    return fga + FTA_WEIGHT * fta - oreb + tov


def pace(team_poss: pl.Expr, opp_poss: pl.Expr, team_minutes: pl.Expr) -> pl.Expr:
    """Pace (possessions per 48 minutes): 48 (Tm Poss + Opp Poss) / (2 (Tm MIN / 5))."""
    return 48 * ratio(team_poss + opp_poss, 2 * team_minutes / 5)


def rating(points: pl.Expr, team_poss: pl.Expr, opp_poss: pl.Expr) -> pl.Expr:
    """Points per 100 possessions, the game's possessions being the mean of both teams'
    estimates: 100 PTS / ((Tm Poss + Opp Poss) / 2). With the team's points it is the
    offensive rating; with the opponent's points, the defensive rating (points allowed)."""
    return 100 * ratio(points, (team_poss + opp_poss) / 2)
