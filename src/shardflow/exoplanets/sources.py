"""Where each star's light curves come from: files in a folder (``demo``, ``local``) or a
batch's MAST download record (``mast``). Shared by the rule files and the scripts.

The catalog step gives every row the files of its star in ``lc_files`` (paths relative to the
light-curve folder, ``;``-separated; :func:`attach_files`), so the rules and the feature jobs
read the file lists from the catalog and never scan the folder themselves.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping

import pandas as pd

from .lightcurves import SampleError


def _split(text) -> list[str]:
    return [part.strip() for part in str(text).split(";") if part.strip()] if isinstance(text, str) else []


def attach_files(catalog: pd.DataFrame, star_files: Mapping[str, list[str]] | None = None) -> pd.DataFrame:
    """A copy of ``catalog`` with ``lc_files``: each star's files, shared by all its rows.

    A star's files are those its rows name in ``path`` (several separated by ``;``) when any
    does; else, with a folder index (``star_files``: {star id: files}), the files whose header
    names the star; else ``{star_id}.fits``.
    """
    named: dict[str, list[str]] = {}
    if "path" in catalog.columns:
        for star, path in zip(catalog["star_id"], catalog["path"]):
            for name in _split(path):
                if name not in named.setdefault(star, []):
                    named[star].append(name)

    def files(star: str) -> str:
        if named.get(star):
            return ";".join(named[star])
        if star_files is not None:
            return ";".join(star_files.get(star, []))
        return f"{star}.fits"

    out = catalog.copy()
    out["lc_files"] = [files(star) for star in out["star_id"]]
    return out


def lightcurve_files(row: Mapping, lightcurves_dir: str) -> list[str]:
    """The light-curve files of a catalog row's star (its ``lc_files``), as paths."""
    return [os.path.join(lightcurves_dir, name) for name in _split(row.get("lc_files"))]


def mast_batch_record(batch: int | str, cache_dir: str) -> str:
    """The JSON record that the download job of a batch writes."""
    return os.path.join(cache_dir, "records", f"batch_{int(batch):04d}.json")


def locate(row: Mapping, source: str, lightcurves_dir: str, mast_record: Mapping | None = None) -> list[str]:
    """Paths of the light-curve files to read for ``row``'s star.

    For ``mast`` the batch's download record (``mast_record``) is read; a star MAST has no light
    curve for raises ``SampleError("no_data", ...)`` with the record's reason. Elsewhere a star
    without a file raises ``no_data`` naming the folder.
    """
    if source == "mast":
        entry = mast_record["stars"][row["star_id"]]
        if entry["status"] != "ok":
            raise SampleError("no_data", f"MAST: {entry['reason']}")
        return list(entry["paths"])
    paths = lightcurve_files(row, lightcurves_dir)
    if not paths:
        raise SampleError("no_data", f"no light-curve file of {row['star_id']} in {lightcurves_dir}")
    return paths


def read_record(path: str | os.PathLike) -> dict:
    with open(path) as fh:
        return json.load(fh)
