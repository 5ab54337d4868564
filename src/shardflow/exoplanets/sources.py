"""Where each target's light curve comes from: a file in a folder (``demo``, ``local``) or a
MAST download record (``mast``). Shared by the rule files and the scripts."""

from __future__ import annotations

import json
import os
from collections.abc import Mapping

from .lightcurves import SampleError


def lightcurve_file(row: Mapping, lightcurves_dir: str) -> str:
    """The light-curve file of a catalog row: its ``path`` column relative to
    ``lightcurves_dir`` when given, else ``{target_id}.fits``."""
    path = row.get("path")
    name = path if isinstance(path, str) and path.strip() else f"{row['target_id']}.fits"
    return os.path.join(lightcurves_dir, name)


def mast_record_file(target_id: str, cache_dir: str) -> str:
    """The JSON record that the download job of ``target_id`` writes."""
    return os.path.join(cache_dir, "records", f"{target_id}.json")


def locate(row: Mapping, source: str, lightcurves_dir: str, mast_cache_dir: str) -> str:
    """Path of the light-curve file to read for ``row``.

    For ``mast`` the download record is read; a target MAST has no light curve for raises
    ``SampleError("no_data", ...)`` with the record's reason.
    """
    if source != "mast":
        return lightcurve_file(row, lightcurves_dir)
    record_path = mast_record_file(row["target_id"], mast_cache_dir)
    with open(record_path) as fh:
        record = json.load(fh)
    if record["status"] != "ok":
        raise SampleError("no_data", f"MAST: {record['reason']}")
    return record["path"]
