"""Deterministic demo data for the transit-search pipeline: a truth catalog and SPOC-format light curves.

Every target gets one TESS Sector 3 two-minute-cadence light curve, written as a FITS file laid
out like a SPOC ``*_lc.fits`` product (primary header, ``LIGHTCURVE`` binary table, ``APERTURE``
image) so that ``lightkurve.read(path, quality_bitmask="default")`` returns a ``TessLightCurve``
whose ``flux`` is ``PDCSAP_FLUX``. lightkurve recognises the file from the primary header alone
(``lightkurve/io/detect.py``): ``TELESCOP = 'TESS'``, an ``ORIGIN`` card, and a ``CREATOR`` that
contains "lightcurve" (case-insensitive; SPOC writes ``... LightCurveExporterPipelineModule``).
Its time system comes from the ``LIGHTCURVE`` extension header (``BJDREFI = 2457000`` selects
BTJD, ``TIMESYS`` the scale), not from the primary header.

What goes into ``PDCSAP_FLUX`` (e-/s), as relative flux ``F0 * (model * (1 + v) * (1 + r) + w)``:

* ``model`` -- the transit (batman, Kreidberg 2015) or eclipse model, 1 out of transit;
* ``v`` -- quasi-periodic rotational modulation with evolving spots;
* ``r`` -- red noise, an AR(1) process with a correlation time of about an hour;
* ``w`` -- white noise with standard deviation ``noise_ppm`` (log-uniform 150-3000 ppm);
* plus the usual SPOC cadence problems: the mid-sector downlink gap (rows kept, fluxes NaN) and
  about 0.8 % of cadences flagged with QUALITY bits in lightkurve's default bitmask whose fluxes
  are corrupted (thermal ramps, momentum dumps, impulsive outliers), so dropping them matters.

Which kind of target an index gets is fixed (:func:`target_kind`); its randomness comes from
``numpy.random.default_rng([seed, index])``, so a target's file depends only on ``seed``, its id,
its index and whether it is one of the last three (broken) targets, never on how many targets
follow it. No wall-clock time or other environment state enters a file, so the same inputs give
byte-identical FITS and CSV files.
"""

from __future__ import annotations

import io
from pathlib import Path

import batman
import numpy as np
import pandas as pd
from astropy.io import fits
from astropy.time import Time
from scipy.interpolate import CubicSpline
from scipy.signal import lfilter

from shardflow.exoplanets.demo_layout import SECTOR, multi_star_files, multi_star_layout
from shardflow.exoplanets.lightcurve_fits import TESS_BJD_OFFSET as BTJD_OFFSET  # BTJD = BJD_TDB - 2457000 (days)
from shardflow.io import replace_atomically, write_csv

#: Catalog columns, in file order.
CATALOG_COLUMNS = [
    "target_id",
    "star_id",
    "mission",
    "period",
    "depth",
    "duration",
    "epoch",
    "label",
    "path",
    "kind",
    "snr_expected",
    "snr_white",
    "rp_rs",
    "impact",
    "secondary_depth",
    "odd_even_depth_diff",
    "noise_ppm",
    "rotation_period",
    "rotation_amplitude_ppm",
]

#: Catalog columns that describe the transit or eclipse; empty (NaN) for ``no_transit`` stars.
TRUTH_COLUMNS = [
    "period",
    "depth",
    "duration",
    "epoch",
    "snr_expected",
    "snr_white",
    "rp_rs",
    "impact",
    "secondary_depth",
    "odd_even_depth_diff",
]

#: Kinds of the non-broken targets, cycled by index: 11 planets, 3 eclipsing binaries and
#: 6 quiet stars per 20 (55 / 15 / 30 %); the first 5 already hold 3 planets, 1 eclipsing
#: binary and 1 quiet star.
KIND_PATTERN = (
    "planet",
    "eclipsing_binary",
    "no_transit",
    "planet",
    "planet",
    "no_transit",
    "planet",
    "eclipsing_binary",
    "planet",
    "no_transit",
    "planet",
    "planet",
    "no_transit",
    "planet",
    "eclipsing_binary",
    "planet",
    "no_transit",
    "planet",
    "no_transit",
    "planet",
)
#: Kinds of the last three targets, in order: files that the pipeline must fail on cleanly.
BROKEN_KINDS = ("truncated", "too_few_points", "all_nan")

# --- Observation: TESS Sector 3, two-minute cadence -------------------------------------------
CADENCE_DAYS = 2.0 / 1440.0  # TIMEDEL, 120 s
N_CADENCES = 19728  # 27.4 d
START_BTJD = 1385.9475  # first cadence, spacecraft clock expressed in BTJD
GAP_START_BTJD = START_BTJD + 13.35  # data downlink at perigee: no science data
GAP_DAYS = 1.10
CADENCENO_START = 114112  # Sector 3 numbering: SPOC's S3 files count 111297 at BTJD 1382.04
FRAME_SECONDS = 2.0  # FRAMETIM; INT_TIME = 1.98 s, 60 frames per cadence
DEADC = 0.792  # dead-time correction: 1.98 s of each 2 s frame x 8 of 10 frames kept by cosmic-ray mitigation

# --- QUALITY bits (TESS Science Data Products Description Document, Table 28) -----------------
EARTH_POINT = 8
DESAT = 32  # reaction-wheel desaturation (momentum dump)
APERTURE_COSMIC = 64
MANUAL_EXCLUDE = 128
IMPULSIVE_OUTLIER = 512
#: lightkurve.utils.TessQualityFlags.DEFAULT_BITMASK (lightkurve 2.6): bits 1, 2, 4, 8, 16, 32,
#: 128, 512 and 16384 -- cadences that are definitely useless.
DEFAULT_BITMASK = 1 | 2 | 4 | 8 | 16 | 32 | 128 | 512 | 16384
MANUAL_EXCLUDE_CADENCES = 60  # thermal settling at the start of each orbit (2 h)
DUMP_FIRST_DAYS = 1.5  # first momentum dump after an orbit starts
DUMP_INTERVAL_DAYS = 3.125
DUMP_CADENCES = 4

# --- Physics -----------------------------------------------------------------------------------
G_SI = 6.674e-11  # m^3 kg^-1 s^-2
RHO_SUN = 1408.0  # mean solar density, kg m^-3
LIMB_DARKENING = (0.40, 0.25)  # quadratic u1, u2 for a Sun-like star in the TESS band (Claret 2017)
SUPERSAMPLE = 5  # batman sub-exposures per 120 s cadence
TESS_ZERO_POINT = 1.5e4  # e-/s at TESS magnitude 10 (Sullivan et al. 2015)
AU_LIGHT_SECONDS = 499.004784
OBLIQUITY_DEG = 23.4392911  # J2000 (IAU 1980)

TOO_FEW_POINTS = 40  # finite cadences left in the ``too_few_points`` file


def target_kind(index: int, n_targets: int) -> str:
    """Kind of the target at position ``index`` of ``n_targets``.

    The last three positions are always :data:`BROKEN_KINDS` in order (with fewer than three
    targets, the tail of that order); every other position cycles through :data:`KIND_PATTERN`.
    """
    if not 0 <= index < n_targets:
        raise ValueError(f"index {index} outside 0..{n_targets - 1}")
    from_end = n_targets - index
    if from_end <= len(BROKEN_KINDS):
        return BROKEN_KINDS[len(BROKEN_KINDS) - from_end]
    return KIND_PATTERN[index % len(KIND_PATTERN)]


def _eb_flavour(index: int) -> str:
    """Signature of the eclipsing binary at ``index``: alternately ``'secondary'`` and ``'odd_even'``.

    Counted over the binaries of :data:`KIND_PATTERN` before ``index``, so the first is ``'secondary'``.
    """
    ordinal = sum(KIND_PATTERN[i % len(KIND_PATTERN)] == "eclipsing_binary" for i in range(index))
    return "secondary" if ordinal % 2 == 0 else "odd_even"


def _log_uniform(rng: np.random.Generator, low: float, high: float) -> float:
    return float(np.exp(rng.uniform(np.log(low), np.log(high))))


def _a_over_rs(period_days: float, density_kg_m3: float) -> float:
    """Scaled semi-major axis from Kepler's third law: ``a/R* = (G rho P^2 / (3 pi))^(1/3)``.

    ``rho`` is the mean density of the primary, with the companion's mass folded in as
    ``rho * (1 + q)`` by the caller (Seager & Mallen-Ornelas 2003, eq. 8).
    """
    period_s = period_days * 86400.0
    return float((G_SI * density_kg_m3 * period_s**2 / (3.0 * np.pi)) ** (1.0 / 3.0))


def _t14_days(period: float, a_rs: float, k: float, b: float) -> float:
    """Total duration (first to fourth contact) of a circular-orbit transit, days.

    ``T14 = P / pi * arcsin( sqrt((1 + k)^2 - b^2) / (a/R* sin i) )`` with ``b = a/R* cos i``
    (Winn 2010, eq. 14); valid for grazing geometry too while ``b < 1 + k``.
    """
    sin_i = np.sqrt(1.0 - (b / a_rs) ** 2)
    chord = np.sqrt((1.0 + k) ** 2 - b**2) / (a_rs * sin_i)
    return float(period / np.pi * np.arcsin(min(chord, 1.0)))


def _limb_darkening_factor(b: float) -> float:
    """Small-planet depth per ``k^2`` at impact ``b``: ``I(mu) / <I>`` for the quadratic law.

    ``I(mu) = 1 - u1 (1 - mu) - u2 (1 - mu)^2`` at ``mu = sqrt(1 - b^2)`` and disc average
    ``<I> = 1 - u1/3 - u2/6`` (Mandel & Agol 2002, small-planet limit).
    """
    u1, u2 = LIMB_DARKENING
    mu = np.sqrt(1.0 - b**2)
    return float((1.0 - u1 * (1.0 - mu) - u2 * (1.0 - mu) ** 2) / (1.0 - u1 / 3.0 - u2 / 6.0))


def _batman_flux(
    time: np.ndarray, t0: float, period: float, k: float, a_rs: float, b: float, limb: str, supersample: bool
) -> np.ndarray:
    """Relative flux of a circular-orbit transit of radius ratio ``k`` (batman, Kreidberg 2015).

    ``limb`` is ``'quadratic'`` (:data:`LIMB_DARKENING`) or ``'uniform'``. With ``supersample``
    the model is integrated over the 120 s exposure with :data:`SUPERSAMPLE` sub-samples.
    """
    params = batman.TransitParams()
    params.t0 = t0
    params.per = period
    params.rp = k
    params.a = a_rs
    params.inc = float(np.degrees(np.arccos(b / a_rs)))
    params.ecc = 0.0
    params.w = 90.0
    params.limb_dark = limb
    params.u = list(LIMB_DARKENING) if limb == "quadratic" else []
    if supersample:
        model = batman.TransitModel(params, time, supersample_factor=SUPERSAMPLE, exp_time=CADENCE_DAYS)
    else:
        model = batman.TransitModel(params, time)
    return model.light_curve(params)


def _peak_deficit(t0: float, period: float, k: float, a_rs: float, b: float, limb: str) -> float:
    """Largest flux deficit of the instantaneous (not exposure-integrated) model: ``1 - F(t0)``."""
    return float(1.0 - _batman_flux(np.array([t0]), t0, period, k, a_rs, b, limb, supersample=False)[0])


def _in_windows(time: np.ndarray, epoch: float, period: float, duration: float) -> np.ndarray:
    """True where ``time`` lies within ``duration / 2`` of a transit mid-time ``epoch + n * period``."""
    return np.abs((time - epoch + 0.5 * period) % period - 0.5 * period) < 0.5 * duration


def _smooth_random(time: np.ndarray, timescale: float, scale: float, rng: np.random.Generator) -> np.ndarray:
    """Smooth random function: cubic spline through N(0, ``scale``) knots every ``timescale`` days."""
    knots = time[0] + timescale * np.arange(-1, (time[-1] - time[0]) / timescale + 2)
    return CubicSpline(knots, rng.normal(0.0, scale, knots.size))(time)


def _red_noise(n: int, sigma: float, tau_days: float, rng: np.random.Generator) -> np.ndarray:
    """Stationary AR(1) noise of standard deviation ``sigma`` and correlation time ``tau_days``.

    ``x[i] = phi x[i-1] + sqrt(1 - phi^2) sigma e[i]`` with ``phi = exp(-dt / tau)``, started
    from a draw of the stationary distribution (the discrete Ornstein-Uhlenbeck process).
    """
    phi = np.exp(-CADENCE_DAYS / tau_days)
    innovations = rng.normal(0.0, sigma * np.sqrt(1.0 - phi**2), n)
    start = rng.normal(0.0, sigma)
    return lfilter([1.0], [1.0, -phi], innovations, zi=[phi * start])[0]


def _rotation(
    time: np.ndarray, rng: np.random.Generator, periods: tuple[float, float] = (1.0, 15.0)
) -> tuple[np.ndarray, float, float]:
    """Rotational modulation of a spotted star, relative flux; also its period (d) and amplitude (ppm).

    ``v(t) = A exp(s(t)) [sin(theta) + h sin(2 theta + psi)]`` with ``theta = 2 pi t / P_rot +
    phi0 + p(t)``: a fundamental plus a first harmonic whose log-amplitude ``s`` (standard
    deviation 0.3) and phase ``p`` (0.5 rad) wander smoothly on the spot lifetime, 1-3 rotations.
    ``P_rot`` is log-uniform in ``periods`` (default 1-15 d) and the semi-amplitude ``A`` (the reported
    ``rotation_amplitude_ppm``) log-uniform in 100-5000 ppm.
    """
    period = _log_uniform(rng, *periods)
    amplitude_ppm = _log_uniform(rng, 100.0, 5000.0)
    lifetime = period * rng.uniform(1.0, 3.0)
    log_amp = _smooth_random(time, lifetime, 0.3, rng)
    phase_drift = _smooth_random(time, lifetime, 0.5, rng)
    harmonic, psi, phi0 = rng.uniform(0.1, 0.5), rng.uniform(0.0, 2 * np.pi), rng.uniform(0.0, 2 * np.pi)
    theta = 2 * np.pi * (time - time[0]) / period + phi0 + phase_drift
    flux = amplitude_ppm * 1e-6 * np.exp(log_amp) * (np.sin(theta) + harmonic * np.sin(2 * theta + psi))
    return flux, period, amplitude_ppm


def _star(rng: np.random.Generator) -> dict:
    """Stellar and pointing parameters of one target.

    Noise: white ``noise_ppm`` log-uniform 150-3000 ppm per cadence. Magnitude follows the
    photon-noise scaling ``sigma ~ 10^(0.2 T)`` through 1100 ppm at T = 10, scattered by 0.2 mag
    and kept within 7.5-12.9, giving a PDCSAP level ``F0 = 1.5e4 * 10^(-0.4 (T - 10))`` e-/s of
    about 1e3-1.5e5. Sun-like star: R 0.8-1.2 Rsun, density 0.8-1.25 solar, Teff 5000-6500 K.
    Pointing: year-1 southern sky, camera 1-4 covering ecliptic latitude -6 to -90 deg in 24 deg
    bands, longitude within about 12 deg of anti-solar at mid-sector.
    """
    noise_ppm = _log_uniform(rng, 150.0, 3000.0)
    tmag = float(np.clip(10.0 + 5.0 * np.log10(noise_ppm / 1100.0) + rng.normal(0.0, 0.2), 7.5, 12.9))
    radius = rng.uniform(0.8, 1.2)
    density = rng.uniform(0.8, 1.25)  # solar units
    mass = density * radius**3
    camera = int(rng.integers(1, 5))
    lat_low = 6.0 + 24.0 * (camera - 1)
    beta = -rng.uniform(lat_low, min(lat_low + 24.0, 89.9))
    lam_centre = _sun_longitude(START_BTJD + N_CADENCES * CADENCE_DAYS / 2) + 180.0
    lam = (lam_centre + rng.uniform(-12.0, 12.0) / max(np.cos(np.radians(beta)), 0.2)) % 360.0
    ra, dec = _ecliptic_to_equatorial(lam, beta)
    return {
        "noise": noise_ppm * 1e-6,
        "tmag": tmag,
        "flux_level": TESS_ZERO_POINT * 10 ** (-0.4 * (tmag - 10.0)),
        "radius": radius,
        "mass": mass,
        "density": density * RHO_SUN,
        "teff": float(rng.uniform(5000.0, 6500.0)),
        "mh": float(rng.uniform(-0.3, 0.3)),
        "ticid": int(rng.integers(10_000_000, 500_000_000)),
        "camera": camera,
        "ccd": int(rng.integers(1, 5)),
        "ecl_lon": lam,
        "ecl_lat": beta,
        "ra": ra,
        "dec": dec,
        "column": float(rng.uniform(60.0, 2080.0)),
        "row": float(rng.uniform(10.0, 2040.0)),
        "flfrcsap": float(rng.uniform(0.75, 0.95)),
        "crowdsap": float(rng.uniform(0.90, 1.0)),
        "background": _log_uniform(rng, 20.0, 400.0),
    }


def _log_g(mass_msun: float, radius_rsun: float) -> float:
    """Surface gravity ``log10(g / cm s^-2) = 4.438 + log10(M / Msun) - 2 log10(R / Rsun)`` (solar 4.438)."""
    return float(4.438 + np.log10(mass_msun) - 2.0 * np.log10(radius_rsun))


def _sun_longitude(btjd: float | np.ndarray) -> float | np.ndarray:
    """Geometric mean longitude of the Sun, degrees: ``280.460 + 0.9856474 (JD - 2451545)``.

    Astronomical Almanac low-precision formula (good to ~2 deg, the equation of centre ignored).
    """
    return (280.460 + 0.9856474 * (np.asarray(btjd) + BTJD_OFFSET - 2451545.0)) % 360.0


def _ecliptic_to_equatorial(lam_deg: float, beta_deg: float) -> tuple[float, float]:
    """Ecliptic (J2000) to equatorial RA, Dec in degrees (Meeus, Astronomical Algorithms, eq. 13.3-13.4)."""
    lam, beta, eps = np.radians(lam_deg), np.radians(beta_deg), np.radians(OBLIQUITY_DEG)
    ra = np.arctan2(np.sin(lam) * np.cos(eps) - np.tan(beta) * np.sin(eps), np.cos(lam))
    dec = np.arcsin(np.sin(beta) * np.cos(eps) + np.cos(beta) * np.sin(eps) * np.sin(lam))
    return float(np.degrees(ra) % 360.0), float(np.degrees(dec))


def _barycentric_correction(spacecraft_btjd: np.ndarray, lam_deg: float, beta_deg: float) -> np.ndarray:
    """TIMECORR, days: light travel time along the target direction from Earth to the barycentre.

    ``(1 AU / c) cos(beta) cos(lambda - lambda_Earth)`` with Earth's heliocentric longitude
    ``lambda_Earth = L_sun + 180 deg`` on a circular orbit; the spacecraft's ~1 light-second
    offset from Earth and the Sun's offset from the barycentre are ignored.
    """
    earth = np.radians(_sun_longitude(spacecraft_btjd) + 180.0)
    cos_angle = np.cos(np.radians(beta_deg)) * np.cos(np.radians(lam_deg) - earth)
    return AU_LIGHT_SECONDS * cos_angle / 86400.0


def _quality(
    spacecraft_btjd: np.ndarray, noise: float, rng: np.random.Generator, offset: float = 0.0
) -> tuple[np.ndarray, np.ndarray]:
    """QUALITY flags and the relative-flux corruption of the flagged cadences (of the sector
    starting ``offset`` days after Sector 3's first cadence).

    * downlink gap: ``EARTH_POINT`` (its fluxes are set to NaN by the caller);
    * first 2 h of each orbit: ``MANUAL_EXCLUDE`` and a thermal ramp of -0.5 to -2 % decaying
      with an e-folding time of 1 h;
    * a momentum dump every 3.125 d: ``DESAT`` on 4 cadences, each off by 5-20 sigma;
    * 10-30 random cadences: ``IMPULSIVE_OUTLIER``, off by 8-40 sigma;
    * 5-20 random cadences: ``APERTURE_COSMIC`` (not in the default bitmask; flux left intact,
      as SPOC corrects those cosmic rays).
    """
    n = spacecraft_btjd.size
    quality = np.zeros(n, dtype=np.int32)
    corruption = np.zeros(n)
    start, gap_start = START_BTJD + offset, GAP_START_BTJD + offset
    gap_end = gap_start + GAP_DAYS
    quality[(spacecraft_btjd >= gap_start) & (spacecraft_btjd < gap_end)] |= EARTH_POINT
    orbit_end = spacecraft_btjd[-1] + CADENCE_DAYS
    for orbit_start, orbit_stop in ((start, gap_start), (gap_end, orbit_end)):
        first = int(np.searchsorted(spacecraft_btjd, orbit_start))
        ramp = slice(first, first + MANUAL_EXCLUDE_CADENCES)
        quality[ramp] |= MANUAL_EXCLUDE
        corruption[ramp] -= rng.uniform(0.005, 0.02) * np.exp(
            -(spacecraft_btjd[ramp] - spacecraft_btjd[first]) / (60.0 / 1440.0)
        )
        for dump in np.arange(orbit_start + DUMP_FIRST_DAYS, orbit_stop, DUMP_INTERVAL_DAYS):
            start = int(np.searchsorted(spacecraft_btjd, dump))
            cadences = slice(start, start + DUMP_CADENCES)
            quality[cadences] |= DESAT
            corruption[cadences] += rng.choice([-1.0, 1.0]) * rng.uniform(5.0, 20.0, DUMP_CADENCES) * noise
    clean = np.flatnonzero(quality == 0)
    outliers = rng.choice(clean, int(rng.integers(10, 31)), replace=False)
    quality[outliers] |= IMPULSIVE_OUTLIER
    signs = rng.choice([-1.0, 1.0], outliers.size)
    corruption[outliers] += signs * rng.uniform(8.0, 40.0, outliers.size) * noise
    clean = np.flatnonzero(quality == 0)
    quality[rng.choice(clean, int(rng.integers(5, 21)), replace=False)] |= APERTURE_COSMIC
    return quality, corruption


def _place_epoch(time: np.ndarray, observed: np.ndarray, period: float, rng: np.random.Generator) -> float:
    """Mid-time (BTJD) of the first observed transit, for a phase drawn so that >= 2 mid-times fall on data.

    A mid-time is observed when the cadences around it are ``observed`` (in practice: not
    removed by the default quality mask, so never in the downlink gap).
    """
    for _ in range(1000):
        first = time[0] + rng.uniform(0.0, period)
        centres = first + period * np.arange(int((time[-1] - first) / period) + 1)
        seen = centres[np.interp(centres, time, observed.astype(float)) > 0.5]
        if seen.size >= 2:
            return float(seen[0])
    raise RuntimeError(f"no phase puts two transits of period {period} d on the data")


def _planet(
    time: np.ndarray,
    usable: np.ndarray,
    star: dict,
    rng: np.random.Generator,
    periods: tuple[float, float] = (0.6, 12.0),
    snrs: tuple[float, float] = (5.0, 150.0),
) -> tuple[np.ndarray, dict]:
    """Transiting-planet model (relative flux) and its truth.

    Period log-uniform in ``periods`` (default 0.6-12 d), impact 0-0.7, ``a/R*`` from Kepler's third law for the star's
    density. The radius ratio is set from a target white-noise SNR, log-uniform over the part of
    5-150 that keeps the depth within 300-30,000 ppm (``depth = SNR sigma / sqrt(N_in)``, solved
    by fixed-point iteration because ``N_in`` grows with ``k`` through T14); ``k`` follows from
    the small-planet depth ``k^2 I(mu)/<I>``. The reported truth is measured on the model itself.
    """
    period = _log_uniform(rng, *periods)
    b = float(rng.uniform(0.0, 0.7))
    a_rs = _a_over_rs(period, star["density"])
    epoch = _place_epoch(time, usable, period, rng)

    def n_in_transit(k: float) -> int:
        return int(np.count_nonzero(usable & _in_windows(time, epoch, period, _t14_days(period, a_rs, k, b))))

    sqrt_n, noise = np.sqrt(n_in_transit(0.05)), star["noise"]
    snr_low, snr_high = max(snrs[0], 300e-6 * sqrt_n / noise), min(snrs[1], 0.03 * sqrt_n / noise)
    snr_target = _log_uniform(rng, snr_low, snr_high)
    k = 0.05
    for _ in range(4):
        k = float(np.sqrt(snr_target * noise / np.sqrt(n_in_transit(k)) / _limb_darkening_factor(b)))
    flux = _batman_flux(time, epoch, period, k, a_rs, b, "quadratic", supersample=True)
    depth = _peak_deficit(epoch, period, k, a_rs, b, "quadratic")
    duration = _t14_days(period, a_rs, k, b)
    return flux, _truth(period, epoch, depth, duration, k, b, n_in_transit(k), noise, 0.0, 0.0)


def _eclipsing_binary(
    time: np.ndarray, usable: np.ndarray, star: dict, flavour: str, rng: np.random.Generator
) -> tuple[np.ndarray, dict]:
    """Eclipsing-binary model (relative flux) and its truth.

    Period log-uniform 0.6-10 d. The primary eclipse is drawn, until its depth lies in 2-30 %,
    either V-shaped (grazing: ``k`` 0.3-0.6, ``1 - k < b < 1 + 0.3 k``) or U-shaped (a full
    eclipse by a companion of ``k`` 0.14-0.5, ``b < 0.8 (1 - k)``), limb-darkened like a planet;
    ``a/R*`` uses the system density ``rho (1 + q)`` with mass ratio ``q ~ k``.

    * ``flavour='secondary'``: an occultation of the companion at phase 0.5, depth 10-60 % of the
      primary kept within 0.3-10 %, shaped as the uniform-disc overlap of the same geometry
      (circular orbit: same impact parameter and duration);
    * ``flavour='odd_even'``: no secondary, but every other eclipse (odd epoch numbers from the
      catalog epoch) is only 40-85 % as deep -- a twin binary seen at half its orbital period.
    """
    period = _log_uniform(rng, 0.6, 10.0)
    epoch = _place_epoch(time, usable, period, rng)
    for _ in range(1000):
        if rng.random() < 0.5:
            k = float(rng.uniform(0.3, 0.6))
            b = float(rng.uniform(1.0 - k, 1.0 + 0.3 * k))
        else:
            k = float(rng.uniform(0.14, 0.5))
            b = float(rng.uniform(0.0, 0.8 * (1.0 - k)))
        a_rs = _a_over_rs(period, star["density"] * (1.0 + k))
        depth = _peak_deficit(epoch, period, k, a_rs, b, "quadratic")
        if 0.02 <= depth <= 0.30:
            break
    else:
        raise RuntimeError("no eclipse geometry gives a 2-30 % primary")
    primary = 1.0 - _batman_flux(time, epoch, period, k, a_rs, b, "quadratic", supersample=True)
    secondary_depth = odd_even_diff = 0.0
    if flavour == "secondary":
        secondary_depth = float(np.clip(depth * rng.uniform(0.1, 0.6), 0.003, 0.10))
        t_sec = epoch + 0.5 * period
        shape = 1.0 - _batman_flux(time, t_sec, period, k, a_rs, b, "uniform", supersample=True)
        secondary = shape / _peak_deficit(t_sec, period, k, a_rs, b, "uniform") * secondary_depth
    else:
        ratio = rng.uniform(0.4, 0.85)
        odd = np.round((time - epoch) / period).astype(np.int64) % 2 == 1
        primary = np.where(odd, ratio * primary, primary)
        odd_even_diff = depth * (1.0 - ratio)
        secondary = 0.0
    duration = _t14_days(period, a_rs, k, b)
    n_in = int(np.count_nonzero(usable & _in_windows(time, epoch, period, duration)))
    truth = _truth(period, epoch, depth, duration, k, b, n_in, star["noise"], secondary_depth, odd_even_diff)
    return 1.0 - primary - secondary, truth


def _pink_snr(
    time: np.ndarray, usable: np.ndarray, truth: dict, white: float, red_sigma: float, red_tau: float
) -> float:
    """Transit SNR in white plus correlated noise (Pont, Zucker & Queloz 2006, eq. 12).

    SNR = depth / sqrt(sigma_w^2 / n + sigma_r^2(m) / N_tr): n usable in-transit cadences in
    all, N_tr observed transits, m = n / N_tr cadences per transit, and sigma_r^2(m) the
    variance of the mean of m consecutive samples of the AR(1) red noise,
    sigma_r^2 / m^2 [m + 2 sum_{k=1}^{m-1} (m - k) phi^k] with phi = exp(-cadence / tau).
    """
    period, duration = truth["period"], truth["duration"] / 24.0
    epoch = truth["epoch"] - BTJD_OFFSET
    phase = (time - epoch + 0.5 * period) % period - 0.5 * period
    inside = usable & (np.abs(phase) < 0.5 * duration)
    n = int(inside.sum())
    n_transits = np.unique(np.floor((time[inside] - epoch) / period + 0.5)).size
    if n == 0:
        return 0.0
    m = max(int(round(n / n_transits)), 1)
    lags = np.arange(1, m)
    phi = np.exp(-CADENCE_DAYS / red_tau)
    red_var = red_sigma**2 / m**2 * (m + 2.0 * np.sum((m - lags) * phi**lags))
    return truth["depth"] * 1e-6 / np.sqrt(white**2 / n + red_var / n_transits)


def _truth(
    period: float,
    epoch_btjd: float,
    depth: float,
    duration_days: float,
    k: float,
    b: float,
    n_in_transit: int,
    noise: float,
    secondary_depth: float,
    odd_even_diff: float,
) -> dict:
    """Catalog truth in catalog units: ppm, hours, BJD_TDB; ``snr_white = depth / sigma *
    sqrt(N_in)`` counts white noise only (``make_target`` adds ``snr_expected`` with the red
    noise, :func:`_pink_snr`, once the star's red noise is drawn)."""
    return {
        "period": period,
        "depth": depth * 1e6,
        "duration": duration_days * 24.0,
        "epoch": epoch_btjd + BTJD_OFFSET,
        "snr_white": depth / noise * np.sqrt(n_in_transit),
        "rp_rs": k,
        "impact": b,
        "secondary_depth": secondary_depth * 1e6,
        "odd_even_depth_diff": odd_even_diff * 1e6,
    }


def _aperture(star: dict) -> tuple[np.ndarray, int]:
    """11 x 11 SPOC aperture mask and the number of pixels in the optimal aperture.

    Bits (TESS SDPDD): 1 collected, 2 optimal aperture, 4 background, 8 flux-weighted centroid,
    32/64/128/256 CCD output A/B/C/D (512-column outputs starting at column 44). The aperture
    radius shrinks from 4.5 to 1.5 px between T = 7.5 and 12.9.
    """
    size = 11
    yy, xx = np.mgrid[:size, :size] - size // 2
    radius = 1.5 + 3.0 * (12.9 - star["tmag"]) / (12.9 - 7.5)
    distance = np.hypot(xx, yy)
    output = 32 << int(np.clip((star["column"] - 44.0) // 512, 0, 3))
    mask = np.full((size, size), 1 | output, dtype=np.int32)
    mask[distance <= radius] |= 2 | 8
    mask[distance >= radius + 2.0] |= 4
    return mask, int(np.count_nonzero(distance <= radius))


def _columns(
    spacecraft_btjd: np.ndarray,
    timecorr: np.ndarray,
    relative_flux: np.ndarray,
    quality: np.ndarray,
    star: dict,
    rng: np.random.Generator,
    offset: float = 0.0,
) -> dict[str, np.ndarray]:
    """SPOC ``LIGHTCURVE`` columns from the relative PDC flux (NaN in the gap), of the sector
    starting ``offset`` days after Sector 3's first cadence.

    * TIME = spacecraft time + TIMECORR (BTJD); CADENCENO counts cadences;
    * PDCSAP_FLUX = ``F0 * relative_flux``, PDCSAP_FLUX_ERR = ``F0 * sigma``;
    * SAP_FLUX inverts SPOC's crowding/flux-fraction correction, ``SAP = f PDC + (1 - c) f F0 / c``
      (``f`` = FLFRCSAP, ``c`` = CROWDSAP), times systematics PDC removed: a per-orbit ramp (0.1-0.5 %,
      e-folding 0.3 d), a linear drift (up to 0.2 %/d) and pointing coupling (up to 2 %/pixel);
    * SAP_BKG: a constant level plus scattered light rising towards each orbit's end;
    * POS_CORR: a linear pointing drift per orbit plus AR(1) jitter (0.002 px, 1 h); MOM_CENTR =
      CCD position + POS_CORR + centroid noise ``2 sigma`` px; PSF_CENTR all NaN, as in most SPOC
      two-minute files (no PSF fit).
    """
    n = spacecraft_btjd.size
    gap = (quality & EARTH_POINT) != 0
    f0, noise = star["flux_level"], star["noise"]
    gap_end = GAP_START_BTJD + offset + GAP_DAYS
    orbit_start = np.where(spacecraft_btjd < gap_end, START_BTJD + offset, gap_end)
    orbit_end = np.where(spacecraft_btjd < gap_end, GAP_START_BTJD + offset, spacecraft_btjd[-1] + CADENCE_DAYS)
    since_start = spacecraft_btjd - orbit_start

    pos_corr = [rng.uniform(-0.01, 0.01) * since_start + _red_noise(n, 0.002, 1.0 / 24.0, rng) for _ in range(2)]
    systematics = (
        1.0
        - rng.uniform(0.001, 0.005) * np.exp(-since_start / 0.3)
        + rng.uniform(-0.002, 0.002) * since_start
        + rng.uniform(-0.02, 0.02) * pos_corr[0]
        + rng.uniform(-0.02, 0.02) * pos_corr[1]
    )
    pdc = f0 * relative_flux
    f, c = star["flfrcsap"], star["crowdsap"]
    sap = (f * pdc + (1.0 - c) * f * f0 / c) * systematics
    background = star["background"] * (1.0 + 2.0 * np.exp(-(orbit_end - spacecraft_btjd) / 0.8))
    background += rng.normal(0.0, 0.01 * star["background"], n)
    centroid_noise = 2.0 * noise
    mom = [
        star["column"] + pos_corr[0] + rng.normal(0.0, centroid_noise, n),
        star["row"] + pos_corr[1] + rng.normal(0.0, centroid_noise, n),
    ]

    def in_gap_nan(values: np.ndarray | float) -> np.ndarray:
        return np.where(gap, np.nan, np.broadcast_to(values, (n,)))

    return {
        "TIME": spacecraft_btjd + timecorr,
        "TIMECORR": timecorr,
        "CADENCENO": CADENCENO_START + int(round(offset / CADENCE_DAYS)) + np.arange(n),
        "SAP_FLUX": in_gap_nan(sap),
        "SAP_FLUX_ERR": in_gap_nan(f * f0 * noise),
        "SAP_BKG": in_gap_nan(background),
        "SAP_BKG_ERR": in_gap_nan(0.01 * star["background"]),
        "PDCSAP_FLUX": in_gap_nan(pdc),
        "PDCSAP_FLUX_ERR": in_gap_nan(f0 * noise),
        "QUALITY": quality,
        "PSF_CENTR1": np.full(n, np.nan),
        "PSF_CENTR1_ERR": np.full(n, np.nan),
        "PSF_CENTR2": np.full(n, np.nan),
        "PSF_CENTR2_ERR": np.full(n, np.nan),
        "MOM_CENTR1": in_gap_nan(mom[0]),
        "MOM_CENTR1_ERR": in_gap_nan(centroid_noise),
        "MOM_CENTR2": in_gap_nan(mom[1]),
        "MOM_CENTR2_ERR": in_gap_nan(centroid_noise),
        "POS_CORR1": in_gap_nan(pos_corr[0]),
        "POS_CORR2": in_gap_nan(pos_corr[1]),
    }


#: FITS format (TFORM) and unit (TUNIT) of each LIGHTCURVE column, as in SPOC files.
_COLUMN_FORMATS = {
    "TIME": ("D", "BJD - 2457000, days"),
    "TIMECORR": ("E", "d"),
    "CADENCENO": ("J", None),
    "SAP_FLUX": ("E", "e-/s"),
    "SAP_FLUX_ERR": ("E", "e-/s"),
    "SAP_BKG": ("E", "e-/s"),
    "SAP_BKG_ERR": ("E", "e-/s"),
    "PDCSAP_FLUX": ("E", "e-/s"),
    "PDCSAP_FLUX_ERR": ("E", "e-/s"),
    "QUALITY": ("J", None),
    "PSF_CENTR1": ("D", "pixel"),
    "PSF_CENTR1_ERR": ("E", "pixel"),
    "PSF_CENTR2": ("D", "pixel"),
    "PSF_CENTR2_ERR": ("E", "pixel"),
    "MOM_CENTR1": ("D", "pixel"),
    "MOM_CENTR1_ERR": ("E", "pixel"),
    "MOM_CENTR2": ("D", "pixel"),
    "MOM_CENTR2_ERR": ("E", "pixel"),
    "POS_CORR1": ("E", "pixels"),  # sic, as SPOC writes it
    "POS_CORR2": ("E", "pixels"),
}


def _fits_bytes(target_id: str, star: dict, columns: dict[str, np.ndarray], sector: int = SECTOR) -> bytes:
    """The SPOC-layout FITS file (primary header, LIGHTCURVE table, APERTURE image) as bytes.

    No DATE or CHECKSUM cards (astropy stamps the current time into those), so the bytes depend
    on the inputs only. DATE-OBS/DATE-END are given in TDB, the file's TIMESYS.
    """
    time = columns["TIME"]
    tstart, tstop = float(time[0] - CADENCE_DAYS / 2), float(time[-1] + CADENCE_DAYS / 2)
    date_obs, date_end = (Time(t + BTJD_OFFSET, format="jd", scale="tdb").isot for t in (tstart, tstop))
    target_cards = [
        ("TELESCOP", "TESS", "telescope"),
        ("INSTRUME", "TESS Photometer", "detector type"),
        ("OBJECT", target_id, "string version of target id"),
        ("TICID", star["ticid"], "unique tess target identifier (demo: made up)"),
    ]
    primary = fits.PrimaryHDU()
    primary.header.extend(
        [
            ("NEXTEND", 2, "number of standard extensions"),
            ("EXTNAME", "PRIMARY", "name of extension"),
            ("EXTVER", 1, "extension version number (not format version)"),
            ("SIMDATA", True, "file is based on simulated data"),
            ("ORIGIN", "shardflow", "institution responsible for creating this file"),
            # lightkurve identifies a TESS light curve by "lightcurve" in CREATOR.
            ("CREATOR", "shardflow.exoplanets.demo LightCurveExporterPipelineModule", "program"),
            ("FILEVER", "1.0", "file format version"),
            ("TIMVERSN", "OGIP/93-003", "OGIP memo number for file format"),
            *target_cards,
            ("TSTART", tstart, "observation start time in BTJD"),
            ("TSTOP", tstop, "observation stop time in BTJD"),
            ("DATE-OBS", date_obs, "TDB start of observation"),
            ("DATE-END", date_end, "TDB end of observation"),
            ("SECTOR", sector, "Observing sector"),
            ("CAMERA", star["camera"], "Camera number"),
            ("CCD", star["ccd"], "CCD chip number"),
            ("RADESYS", "ICRS", "reference frame of celestial coordinates"),
            ("RA_OBJ", round(star["ra"], 6), "[deg] right ascension"),
            ("DEC_OBJ", round(star["dec"], 6), "[deg] declination"),
            ("EQUINOX", 2000.0, "equinox of celestial coordinate system"),
            ("TESSMAG", round(star["tmag"], 3), "[mag] TESS magnitude"),
            ("TEFF", round(star["teff"], 1), "[K] Effective temperature"),
            ("LOGG", round(_log_g(star["mass"], star["radius"]), 3), "[cm/s2] log10 surface gravity"),
            ("MH", round(star["mh"], 3), "[log10([M/H])] metallicity"),
            ("RADIUS", round(star["radius"], 4), "[solar radii] stellar radius"),
        ]
    )
    table = fits.BinTableHDU.from_columns(
        [
            fits.Column(name=name, format=fmt, unit=unit, array=columns[name])
            for name, (fmt, unit) in _COLUMN_FORMATS.items()
        ]
    )
    telapse = tstop - tstart
    table.header.extend(
        [
            ("EXTNAME", "LIGHTCURVE", "name of extension"),
            *target_cards,
            ("TIMEREF", "SOLARSYSTEM", "barycentric correction applied to times"),
            ("TASSIGN", "SPACECRAFT", "where time is assigned"),
            ("TIMESYS", "TDB", "time system is Barycentric Dynamical Time (TDB)"),
            ("BJDREFI", BTJD_OFFSET, "integer part of BTJD reference date"),
            ("BJDREFF", 0.0, "fraction of the day in BTJD reference date"),
            ("TIMEUNIT", "d", "time unit for TIME, TSTART and TSTOP"),
            ("TELAPSE", telapse, "[d] TSTOP - TSTART"),
            ("LIVETIME", telapse * DEADC, "[d] TELAPSE multiplied by DEADC"),
            ("TSTART", tstart, "observation start time in BTJD"),
            ("TSTOP", tstop, "observation stop time in BTJD"),
            ("DATE-OBS", date_obs, "TDB start of observation"),
            ("DATE-END", date_end, "TDB end of observation"),
            ("DEADC", DEADC, "deadtime correction"),
            ("TIMEPIXR", 0.5, "bin time beginning=0 middle=0.5 end=1"),
            ("TIERRELA", 1.16e-05, "[d] relative time error"),
            ("INT_TIME", FRAME_SECONDS * 0.99, "[s] photon accumulation time per frame"),
            ("READTIME", FRAME_SECONDS * 0.01, "[s] readout time per frame"),
            ("FRAMETIM", FRAME_SECONDS, "[s] frame time (INT_TIME + READTIME)"),
            ("NUM_FRM", 60, "number of frames per time stamp"),
            ("TIMEDEL", CADENCE_DAYS, "[d] time resolution of data"),
            ("EXPOSURE", telapse * DEADC, "[d] time on source"),
            ("CROWDSAP", round(star["crowdsap"], 4), "Ratio of target flux to total flux in op. ap."),
            ("FLFRCSAP", round(star["flfrcsap"], 4), "Frac. of target flux w/in the op. aperture"),
            ("PDCMETHD", "msMAP", "PDC algorithm used for target (demo: none run)"),
        ]
    )
    mask, n_optimal = _aperture(star)
    aperture = fits.ImageHDU(mask)
    aperture.header.extend(
        [
            ("EXTNAME", "APERTURE", "name of extension"),
            *target_cards,
            ("CRVAL1P", int(star["column"]) - mask.shape[1] // 2, "value at reference CCD column"),
            ("CRVAL2P", int(star["row"]) - mask.shape[0] // 2, "value at reference CCD row"),
            ("NPIXSAP", n_optimal, "Number of pixels in optimal aperture"),
            ("NPIXMISS", 0, "Number of op. aperture pixels not collected"),
            ("CROWDSAP", round(star["crowdsap"], 4), "Ratio of target flux to total flux in op. ap."),
            ("FLFRCSAP", round(star["flfrcsap"], 4), "Frac. of target flux w/in the op. aperture"),
        ]
    )
    buffer = io.BytesIO()
    fits.HDUList([primary, table, aperture]).writeto(buffer, output_verify="exception")
    return buffer.getvalue()


def make_target(target_id: str, index: int, n_targets: int, seed: int) -> tuple[bytes, dict]:
    """Simulate one target: its FITS file as bytes and its catalog row (see :data:`CATALOG_COLUMNS`).

    Randomness comes only from ``numpy.random.default_rng([seed, index])``; the kind comes from
    :func:`target_kind`. Broken kinds are simulated as planets (their truth describes that
    planet), then broken: ``truncated`` keeps the first half of the file's bytes,
    ``too_few_points`` keeps SAP/PDCSAP fluxes on only the first 40 usable cadences, ``all_nan``
    sets PDCSAP_FLUX and its error to NaN everywhere (SAP_FLUX stays).
    """
    kind = target_kind(index, n_targets)
    rng = np.random.default_rng([seed, index])
    star = _star(rng)
    spacecraft_btjd = START_BTJD + CADENCE_DAYS * np.arange(N_CADENCES)
    quality, corruption = _quality(spacecraft_btjd, star["noise"], rng)
    timecorr = _barycentric_correction(spacecraft_btjd, star["ecl_lon"], star["ecl_lat"])
    time = spacecraft_btjd + timecorr
    usable = (quality & DEFAULT_BITMASK) == 0
    variability, rotation_period, rotation_amplitude = _rotation(time, rng)
    red_sigma, red_tau = rng.uniform(0.2, 0.4) * star["noise"], rng.uniform(0.5, 1.5) / 24.0
    red = _red_noise(N_CADENCES, red_sigma, red_tau, rng)
    white = rng.normal(0.0, star["noise"], N_CADENCES)

    if kind == "no_transit":
        model = np.ones(N_CADENCES)
        truth = dict.fromkeys(TRUTH_COLUMNS, np.nan)
    elif kind == "eclipsing_binary":
        model, truth = _eclipsing_binary(time, usable, star, _eb_flavour(index), rng)
    else:
        model, truth = _planet(time, usable, star, rng)

    if kind != "no_transit":
        truth["snr_expected"] = _pink_snr(time, usable, truth, star["noise"], red_sigma, red_tau)
    relative = model * (1.0 + variability) * (1.0 + red) + white + corruption
    columns = _columns(spacecraft_btjd, timecorr, relative, quality, star, rng)
    if kind == "too_few_points":
        dropped = np.ones(N_CADENCES, dtype=bool)
        dropped[np.flatnonzero(usable)[:TOO_FEW_POINTS]] = False
        for name in ("SAP_FLUX", "SAP_FLUX_ERR", "PDCSAP_FLUX", "PDCSAP_FLUX_ERR"):
            columns[name] = np.where(dropped, np.nan, columns[name])
    elif kind == "all_nan":
        columns["PDCSAP_FLUX"] = np.full(N_CADENCES, np.nan)
        columns["PDCSAP_FLUX_ERR"] = np.full(N_CADENCES, np.nan)
    data = _fits_bytes(target_id, star, columns)
    if kind == "truncated":
        data = data[: len(data) // 2]

    row = {
        "target_id": target_id,
        "star_id": target_id,
        "mission": "TESS",
        **truth,
        "label": kind if kind in ("no_transit", "eclipsing_binary") else "planet",
        "path": f"{target_id}.fits",
        "kind": kind,
        "noise_ppm": star["noise"] * 1e6,
        "rotation_period": rotation_period,
        "rotation_amplitude_ppm": rotation_amplitude,
    }
    return data, {name: row[name] for name in CATALOG_COLUMNS}


#: Days from one demo sector's first cadence to the next one's (27.4 d of data, 0.5 d apart).
SECTOR_STRIDE_DAYS = 27.9
#: Multi-sector stars: ``DEMO-Mkk`` observed in 2, 3 or 4 consecutive sectors (cycled), with 2,
#: 3 or 1 planets (cycled; ``demo_layout``), periods apart by more than 20 % from each other and
#: their 1/2 and 2x aliases; on stars with three or more sectors the first planet's period is
#: longer than one sector (30-40 d). TIC ids 990000001, ... (made up, unique).
MULTI_TICID = 990_000_000
#: White-noise SNR range of the multi-sector stars' planets, and their stars' rotation periods
#: (d): slow enough for the 0.75-d detrending window to keep transits of up to 6 h (the fast
#: rotators of the single-sector targets test the detrending limit already).
MULTI_SNR = (12.0, 60.0)
MULTI_ROTATION = (5.0, 15.0)


def _separated(period: float, others: list[float]) -> bool:
    return all(abs(np.log(period / (o * r))) > np.log(1.2) for o in others for r in (0.5, 1.0, 2.0))


def make_multi_star(star_id: str, k: int, seed: int) -> tuple[dict[str, bytes], list[dict]]:
    """Simulate the ``k``-th multi-sector star: {file name: FITS bytes} (one SPOC file per
    sector, as consecutive TESS sectors from Sector 3 on) and its catalog rows (one per planet,
    ``target_id`` ``{star_id}.01``, ...; ``path`` lists every file, ``;``-separated).

    Each sector has its own quality flags, momentum dumps, systematics and downlink gap; the
    star's rotation and red noise run across all sectors. Randomness comes only from
    ``numpy.random.default_rng([seed, 100000 + k])``.
    """
    n_sectors, n_planets = multi_star_layout(k)
    rng = np.random.default_rng([seed, 100_000 + k])
    star = {**_star(rng), "ticid": MULTI_TICID + k + 1}
    sectors = []
    for s in range(n_sectors):
        offset = s * SECTOR_STRIDE_DAYS
        spacecraft = START_BTJD + offset + CADENCE_DAYS * np.arange(N_CADENCES)
        quality, corruption = _quality(spacecraft, star["noise"], rng, offset)
        timecorr = _barycentric_correction(spacecraft, star["ecl_lon"], star["ecl_lat"])
        sectors.append((offset, spacecraft, quality, corruption, timecorr))
    time = np.concatenate([sc + tc for _, sc, _, _, tc in sectors])
    usable = np.concatenate([(q & DEFAULT_BITMASK) == 0 for _, _, q, _, _ in sectors])
    model, truths, periods = np.ones(time.size), [], []
    for j in range(n_planets):
        span = (30.0, 40.0) if j == 0 and n_sectors >= 3 else (1.0, 12.0)
        for _ in range(100):
            flux, truth = _planet(time, usable, star, rng, periods=span, snrs=MULTI_SNR)
            if _separated(truth["period"], periods):
                break
        model *= flux
        periods.append(truth["period"])
        truths.append(truth)
    variability, rotation_period, rotation_amplitude = _rotation(time, rng, MULTI_ROTATION)
    red_sigma, red_tau = rng.uniform(0.2, 0.4) * star["noise"], rng.uniform(0.5, 1.5) / 24.0
    red = _red_noise(time.size, red_sigma, red_tau, rng)
    white = rng.normal(0.0, star["noise"], time.size)
    relative = model * (1.0 + variability) * (1.0 + red) + white
    names = multi_star_files(star_id, k)
    files = {}
    for s, (offset, spacecraft, quality, corruption, timecorr) in enumerate(sectors):
        part = slice(s * N_CADENCES, (s + 1) * N_CADENCES)
        columns = _columns(spacecraft, timecorr, relative[part] + corruption, quality, star, rng, offset)
        files[names[s]] = _fits_bytes(star_id, star, columns, sector=SECTOR + s)
    rows = []
    for j, truth in enumerate(truths):
        truth["snr_expected"] = _pink_snr(time, usable, truth, star["noise"], red_sigma, red_tau)
        row = {
            "target_id": f"{star_id}.{j + 1:02d}",
            "star_id": star_id,
            "mission": "TESS",
            **truth,
            "label": "planet",
            "path": ";".join(names),
            "kind": "planet",
            "noise_ppm": star["noise"] * 1e6,
            "rotation_period": rotation_period,
            "rotation_amplitude_ppm": rotation_amplitude,
        }
        rows.append({"ticid": star["ticid"], "radius": star["radius"], "mass": star["mass"], **row})
    return files, rows


#: Comment lines of the archive-format demo catalog, as the archive starts its tables.
TOI_COMMENTS = (
    "# This file was produced by shardflow.exoplanets.demo in the format of the NASA Exoplanet Archive's TOI table\n"
    "# COLUMN toi:            TESS Object of Interest\n"
    "# COLUMN tid:            TESS Input Catalog ID\n"
    "# COLUMN tfopwg_disp:    TFOPWG Dispostion (CP | FP | KP | PC)\n"
    "# COLUMN pl_tranmid:     Planet Transit Midpoint Value [BJD]\n"
    "# COLUMN pl_orbper:      Planet Orbital Period Value [days]\n"
    "# COLUMN pl_trandurh:    Planet Transit Duration Value [hours]\n"
    "# COLUMN pl_trandep:     Planet Transit Depth Value [ppm]\n"
    "# COLUMN st_rad:         Stellar Radius Value [R_Sun]\n"
    "# COLUMN st_logg:        Stellar log(g) Value [cm/s**2]\n"
    "#\n"
)


def toi_table(rows: list[dict]) -> pd.DataFrame:
    """The multi-sector stars' planets as rows of the archive's TOI table (TOI 9001.01, ...;
    disposition CP), with the truth columns after the archive's."""
    stars = sorted({r["star_id"] for r in rows})
    out = []
    for r in rows:
        number = 9001 + stars.index(r["star_id"])
        out.append(
            {
                "toi": f"{number}.{r['target_id'].rsplit('.', 1)[1]}",
                "tid": r["ticid"],
                "tfopwg_disp": "CP",
                "pl_tranmid": r["epoch"],
                "pl_orbper": r["period"],
                "pl_trandurh": r["duration"],
                "pl_trandep": r["depth"],
                "st_rad": r["radius"],
                "st_logg": _log_g(r["mass"], r["radius"]),
                **{c: r[c] for c in ("snr_expected", "snr_white", "rp_rs", "impact", "kind")},
            }
        )
    return pd.DataFrame(out)


def write_demo(
    target_ids: list[str],
    catalog_path: str | Path,
    lightcurve_dir: str | Path,
    seed: int,
    multi_star_ids: list[str] = (),
    toi_path: str | Path | None = None,
) -> pd.DataFrame:
    """Write ``lightcurve_dir/{target_id}.fits`` for every id, the files of every multi-sector
    star (:func:`make_multi_star`) and the truth catalog CSV; return the catalog. With
    ``toi_path``, the multi-sector stars' planets are also written as an archive-format TOI
    table (:func:`toi_table`, with the archive's ``#`` comment lines).

    Catalog columns (:data:`CATALOG_COLUMNS`): ``star_id`` (the target itself, or the
    multi-sector star), ``period`` d, ``depth`` ppm (peak deficit of the
    model), ``duration`` h (T14), ``epoch`` BJD_TDB of an observed primary mid-time,
    ``snr_expected`` = the transit SNR in white plus red noise (:func:`_pink_snr`, Pont et al.
    2006) over the in-transit cadences left by the default quality mask, ``snr_white`` the same
    with white noise only (depth / noise_ppm * sqrt(in-transit cadences)), ``rp_rs``, ``impact``,
    ``secondary_depth`` and ``odd_even_depth_diff`` ppm,
    ``noise_ppm`` (white, per 2-min cadence), ``rotation_period`` d, ``rotation_amplitude_ppm``.
    Transit columns are empty for ``no_transit`` stars. Files are written atomically.
    """
    if len(set(target_ids) | set(multi_star_ids)) != len(target_ids) + len(multi_star_ids):
        raise ValueError("target ids must be unique")
    lightcurve_dir = Path(lightcurve_dir)
    rows, multi = [], []
    for index, target_id in enumerate(target_ids):
        data, row = make_target(target_id, index, len(target_ids), seed)
        replace_atomically(lightcurve_dir / row["path"], lambda tmp, data=data: tmp.write_bytes(data))
        rows.append(row)
    for k, star_id in enumerate(multi_star_ids):
        files, star_rows = make_multi_star(star_id, k, seed)
        for name, data in files.items():
            replace_atomically(lightcurve_dir / name, lambda tmp, data=data: tmp.write_bytes(data))
        multi += star_rows
    catalog = pd.DataFrame(rows + multi, columns=CATALOG_COLUMNS)
    write_csv(catalog, catalog_path)
    if toi_path is not None:
        text = TOI_COMMENTS + toi_table(multi).to_csv(index=False, float_format="%.10g")
        replace_atomically(Path(toi_path), lambda tmp: tmp.write_text(text))
    return catalog
