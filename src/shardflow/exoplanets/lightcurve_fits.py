"""Reading TESS SPOC, Kepler and K2SFF light-curve tables with ``astropy.io.fits`` alone.

``lightkurve.read`` builds an astropy ``Table`` of every column, ``Time`` and ``Quantity``
objects and a ``LightCurve`` around them, after an import of several seconds; the pipeline
needs four columns. For the three formats below the same values are read directly, with the
same choices as lightkurve 2.6's readers (``lightkurve/io/tess.py``, ``kepler.py``,
``k2sff.py``, ``generic.py``):

==========  ==============  ======  ============  ===============  ===========  ==============
format      recognised by   table   time          flux             flux error   quality column
==========  ==============  ======  ============  ===============  ===========  ==============
TESS SPOC   TELESCOP TESS,  HDU 1   TIME (BTJD)   PDCSAP_FLUX      PDCSAP_      QUALITY
            CREATOR has                                            FLUX_ERR
            "lightcurve"
Kepler      TELESCOP        HDU 1   TIME (BKJD)   PDCSAP_FLUX      PDCSAP_      SAP_QUALITY
            Kepler, CREATOR                                        FLUX_ERR
            has "lightcurve"
            or "fluxexporter"
K2SFF       HDU 1 BESTAPER  BESTA-  T (BKJD)      FCOR             none         none (no mask)
            with TTYPE4     PER
            ARCLENGTH
==========  ==============  ======  ============  ===============  ===========  ==============

BJD_TDB = time + BJDREFI + BJDREFF (2457000 for TESS, 2454833 for Kepler and K2); a table
whose ``TIMESYS`` is not TDB, or whose reference day is not the format's, is left to
lightkurve, as is a table that lacks a column of its format or has one of lightkurve's generic
names (``FLUX``, ``FLUX_ERR``, ``QUALITY``, ``TIME``) that lightkurve would read instead, and
every file a lightkurve reader with higher precedence would claim (QLP, eleanor, PATHOS, TASOC,
CDIPS, K2VARCAT, K2SC, EVEREST, KEPSEISMIC, TGLC, folded light curves).
Rows with a NaN time are dropped, then the cadences whose quality flags share a bit with the
bitmask (``quality & bitmask != 0``).
"""

from __future__ import annotations

import os
from dataclasses import dataclass

import numpy as np

#: lightkurve's named quality bitmasks (``TessQualityFlags.OPTIONS``, ``KeplerQualityFlags.OPTIONS``).
TESS_BITMASKS = {"none": 0, "default": 17087, "hard": 24319, "hardest": 65535}
KEPLER_BITMASKS = {"none": 0, "default": 1130799, "hard": 1664431, "hardest": 2096639}
#: BJD_TDB of time zero of each format's time column, days: TESS's BTJD and Kepler's BKJD (also
#: the KOI table's ``koi_time0bk``) are BJD_TDB minus these. The project's one source of both.
TESS_BJD_OFFSET = 2457000
KEPLER_BJD_OFFSET = 2454833


@dataclass(frozen=True)
class Layout:
    """Where one format keeps its light curve: HDU, column names (None: absent), the BJD of
    time zero and the named quality bitmasks (None: no quality masking)."""

    extension: int | str
    time: str
    flux: str
    flux_err: str | None
    quality: str | None
    bjd_offset: int
    bitmasks: dict[str, int] | None


TESS = Layout(1, "TIME", "PDCSAP_FLUX", "PDCSAP_FLUX_ERR", "QUALITY", TESS_BJD_OFFSET, TESS_BITMASKS)
KEPLER = Layout(1, "TIME", "PDCSAP_FLUX", "PDCSAP_FLUX_ERR", "SAP_QUALITY", KEPLER_BJD_OFFSET, KEPLER_BITMASKS)
K2SFF = Layout("BESTAPER", "T", "FCOR", None, None, KEPLER_BJD_OFFSET, None)

#: Columns of a PATHOS table (lightkurve reads those with its PATHOS reader).
_PATHOS_COLUMNS = ("PSF_FLUX_RAW", "PSF_FLUX_COR", "AP4_FLUX_RAW", "AP4_FLUX_COR", "SKY_LOCAL")


@dataclass(frozen=True)
class Table:
    """A light curve as read: times BJD_TDB (days), flux and its error (NaN where the format
    has none) in the file's units, the number of cadences left after dropping NaN times and
    flagged cadences, the mission (primary MISSION, else TELESCOP) and the header cards
    (table extension's, overridden by the primary header's)."""

    time: np.ndarray
    flux: np.ndarray
    flux_err: np.ndarray
    n_cadences: int
    mission: str
    header: dict


def layout(hdulist, path: str | os.PathLike) -> Layout | None:
    """The format of an open FITS file among TESS SPOC, Kepler and K2SFF, in lightkurve's
    order of detection (``lightkurve/io/detect.py``); None for any other file."""
    primary = hdulist[0].header
    if len(hdulist) < 2:
        return None
    first = hdulist[1].header
    origin = str(primary.get("ORIGIN", "")).lower()
    claimed_first = (
        "mit/qlp" in origin
        or (primary.get("LITE") is not None and primary.get("PCORIGIN") is not None)
        or (hasattr(hdulist[1], "columns") and all(c in hdulist[1].columns.names for c in _PATHOS_COLUMNS))
        or primary.get("ORIGIN") == "TASOC/Aarhus"
        or "cdips" in origin
        or "hlsp_k2varcat" in os.path.basename(str(path))
        or "k2sc" in str(primary.get("CREATOR", "")).lower()
    )
    if claimed_first:
        return None
    if first.get("EXTNAME") == "BESTAPER" and first.get("TTYPE4") == "ARCLENGTH":
        return K2SFF
    if "EVEREST" in str(primary.get("COMMENT")) or primary.get("ORIGIN") in ("CEA & SSI", "UCSB/TGLC"):
        return None
    creator = str(primary.get("CREATOR", "")).lower()
    if "CREATOR" not in primary or "ORIGIN" not in primary or "folded" in creator or "targetpixel" in creator:
        return None
    telescope = str(primary.get("TELESCOP", primary.get("MISSION", ""))).lower()
    if telescope == "kepler" and ("fluxexporter" in creator or "lightcurve" in creator):
        return KEPLER
    if telescope == "tess" and "lightcurve" in creator:
        return TESS
    return None


def quality_mask(quality: np.ndarray, bitmask: str | int, bitmasks: dict[str, int]) -> np.ndarray:
    """True for the cadences to keep: no quality bit in common with ``bitmask`` (one of the
    names of ``bitmasks`` or an integer). Raises ValueError for another string, as lightkurve."""
    if isinstance(bitmask, str):
        if bitmask not in bitmasks:
            raise ValueError(f"quality_bitmask={bitmask!r} is not supported, expected one of {tuple(bitmasks)}")
        bitmask = bitmasks[bitmask]
    return (quality.astype(np.int64) & int(bitmask)) == 0


def _columns_as_lightkurve(found: Layout, names: list[str]) -> bool:
    """Whether lightkurve would read the format's own columns from this table: they are all
    there, and no column of lightkurve's generic names (time, flux, flux_err, quality; names
    are case-insensitive) would take their place."""
    names = {n.lower() for n in names}
    roles = {"time": found.time, "flux": found.flux, "flux_err": found.flux_err, "quality": found.quality}
    own = {c.lower() for c in roles.values() if c is not None}
    return own <= names and all(role not in names or role == (c or "").lower() for role, c in roles.items())


def read_table(path: str | os.PathLike, quality_bitmask: str | int = "default") -> Table | None:
    """The light curve of a TESS SPOC, Kepler or K2SFF file (module docstring), or None for a
    file of another format, time system or set of columns. Raises what astropy raises on a
    damaged file."""
    from astropy.io import fits

    with fits.open(path, memmap=False) as hdulist:
        found = layout(hdulist, path)
        if found is None:
            return None
        hdu = hdulist[found.extension]
        header = hdu.header
        if str(header.get("TIMESYS", "TDB")).upper() != "TDB" or (
            header.get("BJDREFI", found.bjd_offset) + header.get("BJDREFF", 0.0) != found.bjd_offset
        ):
            return None
        if not _columns_as_lightkurve(found, hdu.columns.names):
            return None
        data = hdu.data
        time = np.asarray(data[found.time], dtype=float)
        keep = ~np.isnan(time)
        if found.quality is not None and found.bitmasks is not None:
            keep &= quality_mask(np.asarray(data[found.quality]), quality_bitmask, found.bitmasks)
        flux = np.asarray(data[found.flux], dtype=float)[keep]
        if found.flux_err is not None:
            flux_err = np.asarray(data[found.flux_err], dtype=float)[keep]
        else:
            flux_err = np.full_like(flux, np.nan)
        primary = hdulist[0].header
        mission = primary.get("MISSION", primary.get("TELESCOP"))
        cards = dict(header.items())
        cards.update(primary.items())
    return Table(
        time=time[keep] + found.bjd_offset,
        flux=flux,
        flux_err=flux_err,
        n_cadences=int(keep.sum()),
        mission=str(mission or header.get("TELESCOP") or "unknown"),
        header=cards,
    )
