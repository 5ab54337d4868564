"""The index of a local light-curve folder: which star (and sector, quarter or campaign) each
FITS file holds, read from the file's primary header, so the catalog can give every star all
of its files.

The star is named as the archive catalogs name it: ``TIC <TICID>`` (TESS), ``KIC <KEPLERID>``
(Kepler), ``EPIC <KEPLERID>`` (K2), else the ``OBJECT`` card as written. The index is updated
incrementally: a file whose size and modification time match the previous index keeps its entry
and is not opened again, so a folder of tens of thousands of files is read once.

Columns: ``file`` (path relative to the folder, ``/``-separated), ``size`` (bytes),
``mtime_ns``, ``star_id``, ``segment`` (``S24``, ``Q3``, ``C1`` or empty), ``status`` (``ok``
or ``unreadable``) and ``reason``.
"""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd

#: File names taken as light curves; other files in the folder are not indexed.
FITS_SUFFIXES = (".fits", ".fits.gz", ".fit", ".fts")
INDEX_COLUMNS = ("file", "size", "mtime_ns", "star_id", "segment", "status", "reason")


def folder_files(folder: str | os.PathLike) -> list[str]:
    """Light-curve files under ``folder`` (recursively, as MAST's ``mastDownload`` layout
    nests them), relative and sorted."""
    root = Path(folder)
    found = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        found += [
            Path(dirpath, name).relative_to(root).as_posix()
            for name in filenames
            if name.lower().endswith(FITS_SUFFIXES)
        ]
    return sorted(found)


def header_identity(path: str | os.PathLike) -> tuple[str, str]:
    """(star id, segment) from a light-curve file's primary header (see the module doc);
    raises ``ValueError`` naming what is missing and ``OSError`` for an unreadable file."""
    from astropy.io import fits

    header = fits.getheader(path, 0)
    mission = str(header.get("MISSION") or header.get("TELESCOP") or "").strip()
    if header.get("TICID") is not None:
        star = f"TIC {int(header['TICID'])}"
    elif header.get("KEPLERID") is not None:
        star = f"{'EPIC' if mission == 'K2' else 'KIC'} {int(header['KEPLERID'])}"
    elif str(header.get("OBJECT") or "").strip():
        star = str(header["OBJECT"]).strip()
    else:
        raise ValueError(f"{path}: the primary header has no TICID, KEPLERID or OBJECT card")
    segment = ""
    for card, letter in (("SECTOR", "S"), ("QUARTER", "Q"), ("CAMPAIGN", "C")):
        if header.get(card) is not None and str(header[card]).strip() != "":
            segment = f"{letter}{int(header[card])}"
            break
    return star, segment


def update_index(folder: str | os.PathLike, previous: pd.DataFrame | None = None) -> tuple[pd.DataFrame, int]:
    """The index of ``folder`` (sorted by file), reusing the entries of ``previous`` whose file
    has the same size and modification time; also returns how many files were opened."""
    root = Path(folder)
    known = {} if previous is None else {r["file"]: r for r in previous.to_dict("records")}
    rows, opened = [], 0
    for name in folder_files(root):
        stat = (root / name).stat()
        old = known.get(name)
        if old is not None and old["size"] == stat.st_size and old["mtime_ns"] == stat.st_mtime_ns:
            rows.append(old)
            continue
        opened += 1
        row = {"file": name, "size": stat.st_size, "mtime_ns": stat.st_mtime_ns}
        try:
            star, segment = header_identity(root / name)
            rows.append({**row, "star_id": star, "segment": segment, "status": "ok", "reason": ""})
        except Exception as exc:  # a damaged file is an index row with the reason, not a failed index
            rows.append({**row, "star_id": "", "segment": "", "status": "unreadable", "reason": f"{exc}"})
    table = pd.DataFrame(rows, columns=list(INDEX_COLUMNS))
    return table.astype({"size": "int64", "mtime_ns": "int64"}), opened


def star_files(index: pd.DataFrame) -> dict[str, list[str]]:
    """{star id: its files, in file-name order} from the readable entries of an index."""
    ok = index[index["status"] == "ok"]
    return {star: sorted(group["file"]) for star, group in ok.groupby("star_id")}
