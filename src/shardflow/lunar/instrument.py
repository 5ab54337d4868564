"""The Lunar Prospector Electron Reflectometer (ER): look directions, solid angles and counts.

The ER sweeps 15 energy steps (about 40 eV to 20 keV) and, at each step, measures 88 look
directions in 8 polar rows (inclination theta from the spin plane) with 4, 8, 16, 16, 16, 16, 8
and 4 azimuth sectors. The polar angles are fixed (the archive's ``THETA.TAB`` lists one value
per channel); the azimuths rotate with the spin and are given per row of each 3D file.

Constants (as the original pipeline, alazarteka/espg-lunar-potential-map ``src/config.py``,
uses them to rebuild counts from fluxes):

* solid angle per channel: 0.119570 sr at |theta| = 78.75 deg, 0.170253 at 56.25, 0.127401 at
  33.75 and 0.150279 at 11.25 (the 88 channels cover 4 pi sr);
* geometric factor G = 0.02 cm^2 sr, accumulation 2.5 s per energy step shared by the
  azimuth sectors of a polar row: dt = 2.5 s / (sectors of the row);
* counts = flux x G x E x dt, with the flux in cm^-2 s^-1 sr^-1 eV^-1 and E in eV.

Directions are unit vectors (cos theta cos phi, cos theta sin phi, sin theta) in the frame of
the file's azimuths, which is the frame of its magnetic field vector; pitch angles need no
spacecraft attitude.
"""

from __future__ import annotations

import os

import numpy as np

N_ENERGIES = 15
N_CHANNELS = 88
GEOMETRIC_FACTOR_CM2_SR = 0.02
ACCUMULATION_S = 2.5

#: |theta| of a polar row (deg) -> (azimuth sectors, solid angle of one channel in sr).
POLAR_ROWS = {78.75: (4, 0.119570), 56.25: (8, 0.170253), 33.75: (16, 0.127401), 11.25: (16, 0.150279)}

#: Channel order of the files this project writes and reads by default: polar rows from
#: +78.75 deg down to -78.75 deg. Real archive files come with THETA.TAB (``lunar.theta_file``).
THETA_DEG = np.concatenate(
    [np.full(POLAR_ROWS[abs(t)][0], t) for t in (78.75, 56.25, 33.75, 11.25, -11.25, -33.75, -56.25, -78.75)]
)


def read_theta_table(path: str | os.PathLike) -> np.ndarray:
    """The 88 channel inclinations (deg) of an archive ``THETA.TAB`` (whitespace-separated
    numbers, one or more per line). Raises ``ValueError`` naming the file if there are not 88
    values or one is not a polar row of :data:`POLAR_ROWS`."""
    try:
        values = np.array(open(path).read().split(), dtype=float)
    except ValueError as err:
        raise ValueError(f"{path}: not a list of numbers ({err})") from None
    if values.size != N_CHANNELS:
        raise ValueError(f"{path}: {values.size} inclinations, expected {N_CHANNELS}")
    unknown = sorted({abs(v) for v in values} - set(POLAR_ROWS))
    if unknown:
        raise ValueError(f"{path}: inclinations {unknown} are not ER polar rows {sorted(POLAR_ROWS)}")
    return values


def channel_tables(theta_deg: np.ndarray = THETA_DEG) -> tuple[np.ndarray, np.ndarray]:
    """Solid angle (sr) and accumulation time (s) of each channel, from its inclination."""
    rows = [POLAR_ROWS[abs(float(t))] for t in theta_deg]
    solid_angle = np.array([r[1] for r in rows])
    dt = ACCUMULATION_S / np.array([r[0] for r in rows], dtype=float)
    return solid_angle, dt


def look_directions(theta_deg: np.ndarray, phi_deg: np.ndarray) -> np.ndarray:
    """Unit vectors of the channels: ``phi_deg`` (..., 88) azimuths, ``theta_deg`` (88,)
    inclinations; returns (..., 88, 3). NaN azimuths (fill values) give NaN vectors."""
    theta = np.radians(theta_deg)
    phi = np.radians(phi_deg)
    cos_t = np.cos(theta)
    return np.stack([cos_t * np.cos(phi), cos_t * np.sin(phi), np.broadcast_to(np.sin(theta), phi.shape)], axis=-1)


def count_factor(energy_ev: np.ndarray, dt_s: np.ndarray) -> np.ndarray:
    """Counts per unit flux, G x E x dt: ``energy_ev`` (..., 15) and ``dt_s`` (88,) give
    (..., 15, 88); multiply a flux (cm^-2 s^-1 sr^-1 eV^-1) by it to get counts."""
    return GEOMETRIC_FACTOR_CM2_SR * energy_ev[..., :, None] * dt_s
