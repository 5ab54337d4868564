"""Which light-curve files the exoplanet demo writes: enough for the workflow to name the demo
rule's outputs when it is parsed, without importing the simulation (``demo``).

Standard library only: the workflow imports this module at every start.
"""

from __future__ import annotations

#: TESS sector of the single-sector targets, and of each multi-sector star's first sector.
SECTOR = 3
#: Multi-sector star ``k`` (0-based, ``DEMO-Mkk`` is star ``k + 1``) is observed in
#: ``MULTI_SECTORS[k % 3]`` consecutive sectors and has ``MULTI_PLANETS[k % 3]`` planets.
MULTI_SECTORS = (2, 3, 4)
MULTI_PLANETS = (2, 3, 1)


def multi_star_layout(k: int) -> tuple[int, int]:
    """(sectors, planets) of the ``k``-th multi-sector star (0-based)."""
    return MULTI_SECTORS[k % len(MULTI_SECTORS)], MULTI_PLANETS[k % len(MULTI_PLANETS)]


def multi_star_files(star_id: str, k: int) -> list[str]:
    """File names of the ``k``-th multi-sector star: ``{star_id}_s{sector:04d}.fits``."""
    return [f"{star_id}_s{SECTOR + s:04d}.fits" for s in range(multi_star_layout(k)[0])]
