"""Deterministic demo data: a Lunar Prospector-like orbit (SPK) and ER 3D files with known truth.

:func:`write_demo` writes, for each requested day, ``{out_dir}/er/3DYYMMDD.TAB`` in the layout
:func:`.er3d.read_er3d` reads, ``{out_dir}/kernels/lp_demo_orbit.bsp`` (SPICE SPK, type 13,
body -25 LUNAR PROSPECTOR relative to the Moon, frame J2000, one segment per day, a state every
60 s), and returns one truth row per spectrum (:data:`TRUTH_COLUMNS`).

Orbit: circular, 100 km above the 1737.4 km sphere, GM = 4902.800066 km^3 s^-2 (so a period
of 117.8 min), in an inertial plane that contains the Moon's spin axis at 00:00 UTC of the
first day (a polar orbit), ascending node along the J2000 x-y plane's intersection with it.

One spectrum every 80 s from 00:00:20 UTC (1,080 a day, or ``spectra_per_day``). Per spectrum:

* region: the Moon is in the magnetotail when its geocentric direction is within 25 deg of
  the anti-Sun direction (DE440); there the plasma sheet alternates with the lobes on a
  smooth, seeded "flapping" signal, elsewhere it is in the solar wind;
* ambient electrons, kappa distribution (n cm^-3, T eV, kappa) by region, varying smoothly:
  solar wind 3-8, 10-16, 3.5-6 (in the wake, i.e. with the spacecraft in shadow, n x 0.25 and
  T x 1.6); plasma sheet 0.2-0.6, 100-250, 3-5; lobes 0.03-0.08, 40-90, 3-5;
* spacecraft potential: the floating potential of :func:`.charging.ambient_potential`
  (positive in sunlight, negative in shadow);
* magnetic field: 4-10 nT in the solar wind, 10-25 nT in the tail, a slowly turning direction;
  the field line is connected to the Moon when the line through the spacecraft along it meets
  the 1737.4 km sphere; the Moonward direction is then the one that meets it;
* surface potential U: dayside (solar zenith angle < 90 deg) +2 to +8 V, nightside -40 to
  -140 V (more negative deeper into the night), lobes -30 to -80 V at night, plasma sheet
  -60 to -200 V on the dayside and -150 to -500 V at night; field ratio B_sc/B_surf 0.55-0.95;
* channels: the 88 look directions of :mod:`.instrument`, azimuths turning with the spin
  (a different phase per energy row and spectrum); incident electrons (moving Moonward) with the
  measured kappa flux (:func:`.kappa.to_measured` at the spacecraft potential); reflected ones
  the same except inside the loss cone, sin^2(beta) < (B_sc/B_surf)(1 + U/(E - U_sc)), where the
  flux is 1 % of it (scattered background); no loss cone when the field line misses the Moon;
* counts: Poisson with mean flux x G E dt (:func:`.instrument.count_factor`); the file holds
  counts / (G E dt); 0.2 % of channels missing (flux 9.999E-99 and azimuth 999.99).

Rows are written from the highest energy down, as the ER sweeps. The day named by
``malformed_day`` gets four defects, recorded in the truth as ``expected_status`` =
``malformed``: a Fortran overflow (``*********``) in a flux field, a row cut to 100 fields, a
missing row, and the file cut in the middle of its last line.

Randomness: ``numpy.random.default_rng([seed, day_index, stream])``; the same arguments give
byte-identical files.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import numpy as np

from shardflow.io import replace_atomically

from . import charging
from .geometry import ephemeris_time, in_shadow, planetocentric, solar_zenith_deg, sun_position
from .instrument import N_CHANNELS, N_ENERGIES, THETA_DEG, channel_tables, count_factor
from .kappa import flux, to_measured, w_from_temperature
from .kernels import MOON_RADIUS_KM, load_kernels, standard_kernels

CADENCE_S = 80.0
FIRST_SPECTRUM_S = 20.0
ENERGIES_EV = 40.0 * 500.0 ** (np.arange(N_ENERGIES) / (N_ENERGIES - 1))
ALTITUDE_KM = 100.0
GM_MOON = 4902.800066  # km^3 s^-2
SPK_STEP_S = 60.0
TAIL_HALF_ANGLE_DEG = 25.0
BACKGROUND = 0.01
MISSING_FRACTION = 0.002
SPK_NAME = "lp_demo_orbit.bsp"
FILE_FORMAT = "%s %14.3f %9.2f %5d" + " %8.3f" * 3 + " %10.3E" * N_CHANNELS + " %7.2f" * N_CHANNELS + "\n"

TRUTH_COLUMNS = (
    "source_file",
    "spec_no",
    "time_unix",
    "et",
    "x_j2000_km",
    "y_j2000_km",
    "z_j2000_km",
    "lat_deg",
    "lon_deg",
    "alt_km",
    "sza_deg",
    "shadow",
    "region",
    "density_cm3",
    "temperature_ev",
    "kappa",
    "sc_potential_v",
    "surface_potential_v",
    "field_ratio",
    "b_nt",
    "connected",
    "expected_status",
)


def demo_file_name(day: str) -> str:
    """``3DYYMMDD.TAB`` of an ISO date."""
    d = date.fromisoformat(day)
    return f"3D{d:%y%m%d}.TAB"


@dataclass(frozen=True)
class Orbit:
    """A circular orbit about the Moon in J2000: r(t) = a (cos u e1 + sin u e2), u = u0 + w (t - t0)."""

    epoch_et: float
    e1: np.ndarray
    e2: np.ndarray
    radius_km: float = MOON_RADIUS_KM + ALTITUDE_KM
    phase0: float = 0.0

    @property
    def mean_motion(self) -> float:
        return float(np.sqrt(GM_MOON / self.radius_km**3))

    @property
    def period_s(self) -> float:
        return 2.0 * np.pi / self.mean_motion

    def state(self, et: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Position (km) and velocity (km/s), (n, 3) each, relative to the Moon in J2000."""
        u = self.phase0 + self.mean_motion * (np.asarray(et, dtype=float) - self.epoch_et)
        c, s = np.cos(u)[:, None], np.sin(u)[:, None]
        a, w = self.radius_km, self.mean_motion
        return a * (c * self.e1 + s * self.e2), a * w * (-s * self.e1 + c * self.e2)


def polar_orbit(epoch_et: float) -> Orbit:
    """The demo's polar orbit (module docstring); needs the Moon PCK loaded."""
    import spiceypy

    pole = np.asarray(spiceypy.pxform("IAU_MOON", "J2000", epoch_et))[:, 2]
    node = np.cross([0.0, 0.0, 1.0], pole)
    node /= np.linalg.norm(node)
    return Orbit(epoch_et, node, pole)


def write_orbit_spk(path: str | os.PathLike, orbit: Orbit, intervals: list[tuple[float, float]]) -> None:
    """An SPK (type 13, Hermite, degree 7) of ``orbit`` with one segment per (start, stop) ET
    interval, a state every 60 s, written atomically."""
    import spiceypy

    def write(tmp: Path) -> None:
        handle = spiceypy.spkopn(str(tmp), "shardflow demo", 0)
        for start, stop in intervals:
            epochs = np.arange(start, stop + SPK_STEP_S, SPK_STEP_S)
            pos, vel = orbit.state(epochs)
            states = np.hstack([pos, vel])
            spiceypy.spkw13(
                handle,
                -25,
                301,
                "J2000",
                float(epochs[0]),
                float(epochs[-1]),
                "LP DEMO POLAR ORBIT",
                7,
                len(epochs),
                states,
                epochs,
            )
        spiceypy.spkcls(handle)

    replace_atomically(Path(path), write)


def _smooth(rng, t_s: np.ndarray, periods_h=(2.7, 5.3, 11.9)) -> np.ndarray:
    """A smooth seeded signal in [0, 1]: a sum of sines with random phases and weights."""
    weights = rng.uniform(0.5, 1.0, len(periods_h))
    phases = rng.uniform(0, 2 * np.pi, len(periods_h))
    s = sum(
        w * np.sin(2 * np.pi * t_s / (p * 3600.0) + ph) for w, p, ph in zip(weights, periods_h, phases, strict=True)
    )
    return 0.5 + 0.5 * s / weights.sum()


def _tail_angle_deg(et: np.ndarray) -> np.ndarray:
    """Angle between the Moon's geocentric direction and the anti-Sun direction (DE440)."""
    import spiceypy

    moon = np.asarray(spiceypy.spkpos("MOON", et, "J2000", "NONE", "EARTH")[0]).reshape(-1, 3)
    sun = np.asarray(spiceypy.spkpos("SUN", et, "J2000", "NONE", "EARTH")[0]).reshape(-1, 3)
    cos = -np.einsum("ij,ij->i", moon, sun) / (np.linalg.norm(moon, axis=1) * np.linalg.norm(sun, axis=1))
    return np.degrees(np.arccos(np.clip(cos, -1, 1)))


def _environment(rng, t_s, et, shadow, sza, see):
    """Region and truth parameters of each spectrum (module docstring)."""
    n = t_s.size
    tail = _tail_angle_deg(et) < TAIL_HALF_ANGLE_DEG
    sheet = tail & (_smooth(rng, t_s, (3.1, 7.7)) < 0.45)
    region = np.where(sheet, "plasma_sheet", np.where(tail, "lobe", "solar_wind"))
    w_n, w_t, w_k, w_u, w_r, w_b = (_smooth(rng, t_s) for _ in range(6))
    density = np.select([sheet, tail], [0.2 + 0.4 * w_n, 0.03 + 0.05 * w_n], 3.0 + 5.0 * w_n)
    temperature = np.select([sheet, tail], [100.0 + 150.0 * w_t, 40.0 + 50.0 * w_t], 10.0 + 6.0 * w_t)
    kappa = np.where(tail, 3.0 + 2.0 * w_k, 3.5 + 2.5 * w_k)
    wake = ~tail & shadow
    density = np.where(wake, 0.25 * density, density)
    temperature = np.where(wake, 1.6 * temperature, temperature)
    w_ev = w_from_temperature(temperature, kappa)
    sc_potential = charging.ambient_potential(density, w_ev, kappa, shadow, *see)

    night = sza >= 90.0
    depth = np.clip((sza - 90.0) / 30.0, 0.0, 1.0)
    surface = np.select(
        [sheet & ~night, sheet & night, tail & night, night],
        [
            -(60.0 + 140.0 * w_u),
            -(150.0 + 350.0 * w_u),
            -(30.0 + 50.0 * w_u),
            -(40.0 + 100.0 * depth * (0.7 + 0.3 * w_u)),
        ],
        2.0 + 6.0 * w_u,
    )
    ratio = 0.55 + 0.4 * w_r
    b_mag = np.where(tail, 10.0 + 15.0 * w_b, 4.0 + 6.0 * w_b)
    direction = np.column_stack([_smooth(rng, t_s, (1.3, 4.1)) - 0.5 for _ in range(3)])
    direction /= np.linalg.norm(direction, axis=1, keepdims=True)
    return dict(
        region=region,
        density_cm3=density,
        temperature_ev=temperature,
        kappa=kappa,
        w_ev=w_ev,
        sc_potential_v=sc_potential,
        surface_potential_v=surface,
        field_ratio=ratio,
        b=direction * b_mag[:, None],
        n=n,
    )


def _channels(rng, env, position_km, spec_index):
    """Fluxes (n, 15, 88) and azimuths (n, 15, 88) of the spectra, and the connection flag."""
    n = env["n"]
    _, dt = channel_tables(THETA_DEG)
    b = env["b"]
    b_hat = b / np.linalg.norm(b, axis=1, keepdims=True)
    radial = np.einsum("ij,ij->i", position_km, b_hat)
    r2 = np.einsum("ij,ij->i", position_km, position_km)
    connected = radial**2 >= r2 - MOON_RADIUS_KM**2
    moonward = -np.sign(radial)[:, None] * b_hat

    row_in_polar = np.concatenate([np.arange(k) for k in (4, 8, 16, 16, 16, 16, 8, 4)])
    n_az = np.concatenate([np.full(k, k) for k in (4, 8, 16, 16, 16, 16, 8, 4)])
    phi0 = 360.0 * (row_in_polar + 0.5) / n_az
    spin = (np.arange(N_ENERGIES)[None, :] * 137.5 + spec_index[:, None] * 61.3) % 360.0
    phi = (phi0[None, None, :] + spin[:, :, None]) % 360.0
    theta = np.radians(THETA_DEG)
    ph = np.radians(phi)
    d = np.stack(
        [np.cos(theta) * np.cos(ph), np.cos(theta) * np.sin(ph), np.broadcast_to(np.sin(theta), ph.shape)], axis=-1
    )
    m = np.einsum("sekc,sc->sek", d, moonward)  # > 0: the channel sees electrons moving away from the Moon

    n_m, w_m = to_measured(env["density_cm3"], env["w_ev"], env["kappa"], env["sc_potential_v"])
    energy = ENERGIES_EV[None, :]
    j = flux(energy, n_m[:, None], w_m[:, None], env["kappa"][:, None])  # (n, 15)
    e0 = energy - env["sc_potential_v"][:, None]
    x = env["field_ratio"][:, None] * (1.0 + env["surface_potential_v"][:, None] / e0)
    sin2_beta = 1.0 - m * m
    inside = connected[:, None, None] & (m > 0) & (sin2_beta < x[:, :, None])
    mean_flux = j[:, :, None] * np.where(inside, BACKGROUND, 1.0)
    factor = count_factor(np.broadcast_to(ENERGIES_EV, (n, N_ENERGIES)), dt)
    counts = rng.poisson(mean_flux * factor)
    fluxes = counts / factor
    missing = rng.random(fluxes.shape) < MISSING_FRACTION
    fluxes[missing] = 9.999e-99
    phi[missing] = 999.99
    return fluxes, phi, connected


def _format_rows(spec_no, time_unix, b, fluxes, phi) -> list[str]:
    """Text lines of the spectra, highest energy first."""
    n = time_unix.size
    rows = []
    row_dt = CADENCE_S / N_ENERGIES
    for k_out, k in enumerate(range(N_ENERGIES - 1, -1, -1)):
        utc = np.datetime_as_string((time_unix + k_out * row_dt).astype("datetime64[s]"), unit="s")
        values = np.column_stack([time_unix, np.full(n, ENERGIES_EV[k]), spec_no, b, fluxes[:, k, :], phi[:, k, :]])
        rows.append([FILE_FORMAT % (u, *v) for u, v in zip(utc, values.tolist(), strict=True)])
    return [rows[k][s] for s in range(n) for k in range(N_ENERGIES)]


def _break(lines: list[str], n_spec: int) -> tuple[str, list[int]]:
    """The malformed day's text (module docstring) and the 0-based spectra it breaks."""
    broken = [n_spec // 10, (3 * n_spec) // 10, n_spec // 2, n_spec - 1]
    overflow = broken[0] * N_ENERGIES + 3
    fields = lines[overflow].split()
    fields[40] = "*********"
    lines[overflow] = " ".join(fields) + "\n"
    cut = broken[1] * N_ENERGIES + 7
    lines[cut] = " ".join(lines[cut].split()[:100]) + "\n"
    del lines[broken[2] * N_ENERGIES + 5]
    text = "".join(lines)
    return text[: len(text) - len(lines[-1]) // 2], broken


def write_demo(
    out_dir: str | os.PathLike,
    days: list[str],
    spectra_per_day: int,
    seed: int,
    pck: str | os.PathLike,
    malformed_day: str | None,
    spacecraft: dict | None = None,
):
    """Write the demo (module docstring) under ``out_dir``; return the truth as a polars frame
    (one row per spectrum, days in the given order). ``pck`` is the Moon PCK
    (:func:`.kernels.write_moon_pck`), ``spacecraft`` the config's
    ``lunar.spacecraft`` (see_peak_yield, see_peak_energy_ev in eV: the secondary emission);
    None takes that section's defaults from ``config/schema.yaml``."""
    import polars as pl
    import spiceypy

    if spacecraft is None:
        from shardflow.config import schema_defaults

        spacecraft = schema_defaults()["lunar"]["spacecraft"]
    see = (spacecraft["see_peak_yield"], spacecraft["see_peak_energy_ev"])
    out_dir = Path(out_dir)
    (out_dir / "er").mkdir(parents=True, exist_ok=True)
    (out_dir / "kernels").mkdir(parents=True, exist_ok=True)
    load_kernels([*standard_kernels(), pck])
    day_start = {d: float(np.datetime64(d, "s").astype(np.int64)) for d in days}
    first = min(day_start.values())
    orbit = polar_orbit(float(ephemeris_time(np.array([first]))[0]))
    intervals = [tuple(ephemeris_time(np.array([day_start[d], day_start[d] + 86400.0]))) for d in sorted(days)]
    write_orbit_spk(out_dir / "kernels" / SPK_NAME, orbit, intervals)

    truth = []
    for index, day in enumerate(days):
        rng = np.random.default_rng([seed, index])
        name = demo_file_name(day)
        spec = np.arange(spectra_per_day)
        t = day_start[day] + FIRST_SPECTRUM_S + CADENCE_S * spec
        et = ephemeris_time(t)
        pos_j2000, _ = orbit.state(et)
        rotation = np.array([spiceypy.pxform("J2000", "IAU_MOON", e) for e in et])
        position = np.einsum("nij,nj->ni", rotation, pos_j2000)
        sun = sun_position(et)
        shadow = in_shadow(position, sun)
        sza = solar_zenith_deg(position, sun)
        env = _environment(rng, t - day_start[day] + index * 86400.0, et, shadow, sza, see)
        fluxes, phi, connected = _channels(rng, env, position, spec + index * spectra_per_day)
        b_rows = env["b"]
        lines = _format_rows(spec + 1, t, b_rows, fluxes, phi)
        expected = np.full(spectra_per_day, "ok", dtype=object)
        if day == malformed_day:
            text, broken = _break(lines, spectra_per_day)
            expected[broken] = "malformed"
        else:
            text = "".join(lines)
        replace_atomically(out_dir / "er" / name, lambda tmp, text=text: Path(tmp).write_text(text))
        lat, lon, alt = planetocentric(position)
        truth.append(
            pl.DataFrame(
                {
                    "source_file": [name] * spectra_per_day,
                    "spec_no": spec + 1,
                    "time_unix": t,
                    "et": et,
                    "x_j2000_km": pos_j2000[:, 0],
                    "y_j2000_km": pos_j2000[:, 1],
                    "z_j2000_km": pos_j2000[:, 2],
                    "lat_deg": lat,
                    "lon_deg": lon,
                    "alt_km": alt,
                    "sza_deg": sza,
                    "shadow": shadow,
                    "region": env["region"],
                    "density_cm3": env["density_cm3"],
                    "temperature_ev": env["temperature_ev"],
                    "kappa": env["kappa"],
                    "sc_potential_v": env["sc_potential_v"],
                    "surface_potential_v": env["surface_potential_v"],
                    "field_ratio": env["field_ratio"],
                    "b_nt": np.linalg.norm(b_rows, axis=1),
                    "connected": connected,
                    "expected_status": expected.astype(str),
                }
            )
        )
    return pl.concat(truth).select(TRUTH_COLUMNS)
