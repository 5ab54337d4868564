"""Which files under ``lunar.er_dir`` the pipeline reads, and why it reads no other.

An ER 3D file is named ``3DYYMMDD.TAB`` (any case; ``YY >= 90`` is 19YY) after the UTC day of
its spectra, so its name alone gives its month: listing a folder opens no file. Every other
file under ``er_dir`` is one of:

* a known companion, accepted without a word: a file the configuration names (``lunar.theta_file``,
  ``lunar.kernels``) when it lies under ``er_dir``, and the PDS label (``.LBL``, same name
  otherwise, same folder) of a file the pipeline reads;
* a file no reader takes, with the reason why (a name that is not ``3DYYMMDD.TAB``, a name whose
  ``YYMMDD`` is not a date, a label whose table is not there or not read, a link to nothing, a
  second file of a day that already has one: the first in walk order, folders top-down in name
  order, is read, so no day's spectra are counted twice).

The workflow declares those other files as inputs of ``lunar_merge``, which lists each, with its
reason, in ``read_errors.csv``; they never enter a month's job.

Standard library only: the workflow imports this module when it is parsed.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

_ER_NAME = re.compile(r"3D(\d{2})(\d{2})(\d{2})\.TAB", flags=re.IGNORECASE)
#: What the pipeline reads, for the reasons of the files it does not.
EXPECTED = "the pipeline reads ER 3D files named 3DYYMMDD.TAB (and accepts their .LBL labels)"


def er_file_day(name: str) -> date | None:
    """The UTC day of an ER 3D file name ``3DYYMMDD.TAB``; None when the name is not one or its
    ``YYMMDD`` is not a date."""
    match = _ER_NAME.fullmatch(name)
    if not match:
        return None
    year = int(match[1])
    try:
        return date(1900 + year if year >= 90 else 2000 + year, int(match[2]), int(match[3]))
    except ValueError:
        return None


@dataclass(frozen=True)
class ERListing:
    """``months``: {YYYY-MM: ER 3D file paths in name order}; ``other``: {path: reason} of every
    file under the folder that no reader takes (the reason starts with the path relative to
    the folder)."""

    months: dict[str, list[str]] = field(default_factory=dict)
    other: dict[str, str] = field(default_factory=dict)


def _other_reason(name: str, folder_names: list[str]) -> str:
    """Why a file that is neither an ER 3D file nor an accepted companion is not read."""
    stem, extension = os.path.splitext(name)
    if _ER_NAME.fullmatch(name):
        return f"named like an ER 3D file but {stem[2:]} is not a date YYMMDD; {EXPECTED}"
    if name.upper() == "THETA.TAB":
        return "the archive's channel inclinations: set lunar.theta_file to this file to use them"
    if extension.upper() == ".LBL":
        tables = [n for n in folder_names if n != name and os.path.splitext(n)[0].upper() == stem.upper()]
        if not tables:
            return f"a PDS label without its table ({stem}.TAB is not in its folder); {EXPECTED}"
        return f"the PDS label of {tables[0]}, which the pipeline does not read; {EXPECTED}"
    return f"not an ER 3D file; {EXPECTED}"


def list_er_dir(er_dir: str | os.PathLike, configured: Iterable[str | os.PathLike] = ()) -> ERListing:
    """The ER 3D files under ``er_dir`` (searched recursively) by month, and every other file
    with why it is not read (module docstring); ``configured``: the files the pipeline reads by
    its configuration (theta file, kernels). Walks the folder; opens no file."""
    er_dir = os.fspath(er_dir)
    known = {os.path.realpath(p) for p in configured}
    months: dict[str, list[str]] = {}
    other: dict[str, str] = {}
    first_of_day: dict[date, str] = {}
    for root, folders, names in os.walk(er_dir):
        folders.sort()
        names = sorted(names)
        paths = {name: os.path.join(root, name) for name in names}
        days = {name: er_file_day(name) if os.path.exists(paths[name]) else None for name in names}
        twice = {}
        for name, day in days.items():
            if day and first_of_day.setdefault(day, paths[name]) != paths[name]:
                twice[name], days[name] = first_of_day[day], None
        is_known = {name: bool(known) and os.path.realpath(paths[name]) in known for name in names}
        read = {os.path.splitext(name)[0].upper() for name in names if days[name] or is_known[name]}
        for name, path in paths.items():
            stem, extension = os.path.splitext(name)
            if name in twice:
                first = os.path.relpath(twice[name], er_dir)
                other[path] = f"{os.path.relpath(path, er_dir)}: a second file of the same day; {first} is read"
            elif days[name]:
                months.setdefault(f"{days[name]:%Y-%m}", []).append(path)
            elif is_known[name] or (extension.upper() == ".LBL" and stem.upper() in read):
                continue
            elif not os.path.exists(path):
                other[path] = f"{os.path.relpath(path, er_dir)}: a link to nothing ({os.readlink(path)})"
            else:
                other[path] = f"{os.path.relpath(path, er_dir)}: {_other_reason(name, names)}"
    return ERListing(
        {m: sorted(paths, key=lambda p: (os.path.basename(p), p)) for m, paths in sorted(months.items())},
        dict(sorted(other.items())),
    )
