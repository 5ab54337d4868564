"""Game dates, seasons and the look-back window of a date (standard library only: the rule
files import this module when Snakemake parses them).

A date's *window* is the set of earlier game dates whose player game summaries its composite
factors and feature vector are computed from:

* only dates strictly before the date, so nothing of the date's own games leaks in;
* only dates of the same season (:func:`season_of`), so season-to-date statistics restart
  each October;
* with ``window_days`` set, only dates at most ``window_days`` days before it (a date D with
  ``window_days = 14`` reads D-14 .. D-1). ``None`` means the whole season to date.

The window is what the workflow declares as inputs, so Snakemake reruns exactly the dates
whose window holds a changed summary.
"""

from __future__ import annotations

import re
from datetime import date, timedelta

DATE_PATTERN = re.compile(r"\d{4}-\d{2}-\d{2}")
#: First month of a season: NBA regular seasons start in October and finals end by June, so
#: dates from August on belong to the season starting that year.
SEASON_START_MONTH = 8


def season_of(day: str | date) -> int:
    """The season a game date belongs to, named by its starting year (2022 for 2022-23)."""
    d = date.fromisoformat(day) if isinstance(day, str) else day
    return d.year if d.month >= SEASON_START_MONTH else d.year - 1


def consecutive_dates(start: str, n: int) -> list[str]:
    """``n`` consecutive calendar dates from ``start`` (ISO ``YYYY-MM-DD`` strings)."""
    first = date.fromisoformat(start)
    return [(first + timedelta(days=i)).isoformat() for i in range(n)]


def window_dates(dates: list[str], day: str, window_days: int | None) -> list[str]:
    """The dates of ``dates`` in the window of ``day`` (see the module docstring), in order."""
    d = date.fromisoformat(day)
    season = season_of(d)
    first = d - timedelta(days=window_days) if window_days is not None else date.min
    return sorted(x for x in dates if x < day and season_of(x) == season and date.fromisoformat(x) >= first)
