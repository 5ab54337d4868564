"""Spacecraft geometry from SPICE, vectorised over all spectra of a month.

Requires the kernels of :mod:`.kernels` to be loaded. Positions are geometric (no light-time or
aberration correction: the Sun's apparent direction differs by about 20 arcsec, which moves
the shadow boundary by 0.2 km at 100 km altitude) in the Moon's body-fixed frame ``IAU_MOON``.

* latitude, longitude (east, -180..180 deg): planetocentric, of the spacecraft position;
  altitude above the mean sphere of radius 1737.4 km;
* solar zenith angle: between the local vertical at the sub-spacecraft point and the direction
  from the Moon's centre to the Sun (the two directions to the Sun differ by at most
  1737 km / 1 AU, 0.0007 deg);
* shadow: the segment from the spacecraft to the Sun's centre passes through the Moon's sphere
  (a point Sun: the penumbra, about 0.5 deg wide, counts as sunlit or shadowed by its centre).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .kernels import MOON_RADIUS_KM

#: NAIF id of Lunar Prospector ("LUNAR PROSPECTOR" in SPICE's built-in names).
SPACECRAFT = "-25"


@dataclass(frozen=True)
class Geometry:
    """Per-spectrum geometry (arrays of length n; NaN, and shadow False, where the trajectory
    kernels do not cover the time: ``covered`` says which)."""

    et: np.ndarray
    position_km: np.ndarray  # (n, 3) IAU_MOON
    lat_deg: np.ndarray
    lon_deg: np.ndarray
    alt_km: np.ndarray
    sza_deg: np.ndarray
    shadow: np.ndarray
    covered: np.ndarray


def ephemeris_time(time_unix: np.ndarray) -> np.ndarray:
    """Seconds past J2000 TDB of UTC instants given as seconds since 1970-01-01 (POSIX).

    SPICE converts the UTC midnight of each day (leap seconds from the LSK); the seconds within
    a day are added, which is exact for POSIX times (they have no leap seconds) up to the end of
    a day that ends with a leap second.
    """
    import spiceypy

    time_unix = np.asarray(time_unix, dtype=float)
    day = np.floor(time_unix / 86400.0).astype(np.int64)
    days, inverse = np.unique(day, return_inverse=True)
    midnight = np.array([spiceypy.str2et(str(np.datetime64(int(d), "D")) + "T00:00:00") for d in days])
    return midnight[inverse] + (time_unix - day * 86400.0)


def trajectory_coverage(body: str = SPACECRAFT) -> list[tuple[float, float]]:
    """The (start, stop) ET intervals over which the loaded SPK files give ``body``'s state."""
    import spiceypy

    code = spiceypy.bods2c(body)
    intervals = []
    for i in range(spiceypy.ktotal("SPK")):
        path = spiceypy.kdata(i, "SPK")[0]
        if code in set(spiceypy.spkobj(path)):
            window = spiceypy.spkcov(path, code)
            intervals += [spiceypy.wnfetd(window, j) for j in range(spiceypy.wncard(window))]
    return sorted(intervals)


def sun_position(et: np.ndarray, frame: str = "IAU_MOON") -> np.ndarray:
    """Geometric position of the Sun relative to the Moon's centre (km), (n, 3), DE440."""
    import spiceypy

    et = np.asarray(et, dtype=float)
    if et.size == 0:
        return np.zeros((0, 3))
    return np.asarray(spiceypy.spkpos("SUN", et, frame, "NONE", "MOON")[0]).reshape(-1, 3)


def planetocentric(position_km: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Latitude (deg), east longitude (deg, -180..180) and altitude above the mean sphere (km)."""
    x, y, z = position_km[:, 0], position_km[:, 1], position_km[:, 2]
    r = np.sqrt(x * x + y * y + z * z)
    return np.degrees(np.arcsin(z / r)), np.degrees(np.arctan2(y, x)), r - MOON_RADIUS_KM


def in_shadow(position_km: np.ndarray, sun_km: np.ndarray, radius_km: float = MOON_RADIUS_KM) -> np.ndarray:
    """Whether the segment from each position to the Sun passes through the sphere of
    ``radius_km`` around the origin (the Moon's centre)."""
    to_sun = sun_km - position_km
    u = to_sun / np.linalg.norm(to_sun, axis=1, keepdims=True)
    t = -np.einsum("ij,ij->i", position_km, u)  # distance to the point closest to the centre
    closest2 = np.einsum("ij,ij->i", position_km, position_km) - t * t
    return (t > 0) & (closest2 < radius_km**2)


def solar_zenith_deg(position_km: np.ndarray, sun_km: np.ndarray) -> np.ndarray:
    """Angle between the local vertical at the sub-spacecraft point and the Moon-Sun direction."""
    up = position_km / np.linalg.norm(position_km, axis=1, keepdims=True)
    sun = sun_km / np.linalg.norm(sun_km, axis=1, keepdims=True)
    return np.degrees(np.arccos(np.clip(np.einsum("ij,ij->i", up, sun), -1.0, 1.0)))


def spacecraft_geometry(et: np.ndarray, body: str = SPACECRAFT) -> Geometry:
    """:class:`Geometry` of ``body`` at every ET in one SPICE call per quantity."""
    import spiceypy

    et = np.asarray(et, dtype=float)
    covered = np.zeros(et.size, dtype=bool)
    for start, stop in trajectory_coverage(body):
        covered |= (et >= start) & (et <= stop)
    position = np.full((et.size, 3), np.nan)
    sun = np.full((et.size, 3), np.nan)
    if covered.any():
        position[covered] = np.asarray(spiceypy.spkpos(body, et[covered], "IAU_MOON", "NONE", "MOON")[0]).reshape(-1, 3)
        sun[covered] = sun_position(et[covered])
    lat, lon, alt = planetocentric(position)
    shadow = np.zeros(et.size, dtype=bool)
    shadow[covered] = in_shadow(position[covered], sun[covered])
    return Geometry(et, position, lat, lon, alt, solar_zenith_deg(position, sun), shadow, covered)
