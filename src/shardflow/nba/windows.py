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
whose window holds a changed summary. To keep those inputs few, a window reaches a job in
*segments* (:func:`window_parts`): the season is cut into calendar periods of
:data:`SEGMENT_DAYS` days from its first day (1 August); the summaries of the dates of a period
are concatenated into one history segment file, and a date reads the segments of the periods
wholly inside its window plus the summaries of its other window dates (those of its own
period, and of a period only partly inside a ``window_days`` window). A job then has at most
about 365 / 16 + 2 x 16 window inputs, whatever the season's length, and still exactly its
window: a changed summary reruns its segment and, through it, exactly the dates whose window
holds it.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from datetime import date, timedelta
from functools import cache

DATE_PATTERN = re.compile(r"\d{4}-\d{2}-\d{2}")
#: First month of a season: NBA regular seasons start in October and finals end by June, so
#: dates from August on belong to the season starting that year.
SEASON_START_MONTH = 8
#: Length of a history segment (calendar days): about the square root of a season's ~240 days,
#: which balances the segments and the single summaries a window is read from.
SEGMENT_DAYS = 16


def season_of(day: str | date) -> int:
    """The season a game date belongs to, named by its starting year (2022 for 2022-23)."""
    d = date.fromisoformat(day) if isinstance(day, str) else day
    return d.year if d.month >= SEASON_START_MONTH else d.year - 1


def consecutive_dates(start: str, n: int) -> list[str]:
    """``n`` consecutive calendar dates from ``start`` (ISO ``YYYY-MM-DD`` strings)."""
    first = date.fromisoformat(start)
    return [(first + timedelta(days=i)).isoformat() for i in range(n)]


def _season_start(d: date) -> date:
    return date(season_of(d), SEASON_START_MONTH, 1)


def _between(dates: list[str], first: str, end: str) -> list[str]:
    """The dates of ``dates`` from ``first`` up to, not including, ``end`` (ISO strings sort as
    dates), in order."""
    ordered = sorted(dates)
    return ordered[bisect_left(ordered, first) : bisect_left(ordered, end)]


def window_dates(dates: list[str], day: str, window_days: int | None) -> list[str]:
    """The dates of ``dates`` in the window of ``day`` (see the module docstring), in order."""
    d = date.fromisoformat(day)
    first = _season_start(d)
    if window_days is not None:
        first = max(first, d - timedelta(days=window_days))
    return _between(dates, first.isoformat(), day)


@cache
def segment_of(day: str) -> str:
    """First day (ISO) of the history segment holding ``day``: segments are consecutive periods
    of :data:`SEGMENT_DAYS` days from the first day of its season (1 August), the last one of a
    season cut at the next season's first day."""
    d = date.fromisoformat(day)
    start = _season_start(d)
    return (start + timedelta(days=(d - start).days // SEGMENT_DAYS * SEGMENT_DAYS)).isoformat()


def segment_dates(dates: list[str], segment: str) -> list[str]:
    """The dates of ``dates`` in the history segment starting on ``segment``, in order."""
    start = date.fromisoformat(segment)
    end = min(start + timedelta(days=SEGMENT_DAYS), _season_start(start).replace(year=season_of(start) + 1))
    return _between(dates, segment, end.isoformat())


def window_parts(dates: list[str], day: str, window_days: int | None) -> tuple[list[str], list[str]]:
    """(segments, dates): the window of ``day`` as the history segments wholly inside it (their
    first days) and its other dates, each in order; together they cover exactly
    :func:`window_dates`. A segment other than the date's own ends before the date, so it is
    wholly inside the window when it starts on or after the window's first day."""
    window = window_dates(dates, day, window_days)
    first = (date.fromisoformat(day) - timedelta(days=window_days)).isoformat() if window_days is not None else ""
    own = segment_of(day)
    whole = {s for s in map(segment_of, window) if s != own and s >= first}
    return sorted(whole), [d for d in window if segment_of(d) not in whole]
