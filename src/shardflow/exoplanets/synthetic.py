"""Simple synthetic light curves with exactly known answers, for tests and kernel warm-up.

The realistic demo data (batman transits, red noise, variability, SPOC FITS) are in
``demo``; these are trapezoid transits in white noise, whose depth, duration, shape and
odd/even and secondary signals are set exactly.
"""

from __future__ import annotations

import numpy as np


def trapezoid_transit_light_curve(
    *,
    period: float,
    depth_ppm: float,
    duration_days: float,
    days: float,
    t0: float = 0.5,
    ingress_fraction: float = 0.0,
    odd_depth_ppm: float | None = None,
    secondary_ppm: float = 0.0,
    noise_ppm: float = 0.0,
    cadence_days: float = 2.0 / 1440.0,
    seed: int = 0,
) -> tuple[np.ndarray, np.ndarray]:
    """Time (days) and normalised flux with trapezoid transits.

    ``ingress_fraction`` = 2 tau / T14 (0: box, 1: V shape); odd-numbered transits have
    depth ``odd_depth_ppm`` when given; a box-shaped secondary eclipse of ``secondary_ppm``
    and duration T14 sits at phase 0.5; white Gaussian noise of ``noise_ppm`` per cadence.
    """
    time = np.arange(0.0, days, cadence_days)
    phase = (time - t0 + 0.5 * period) % period - 0.5 * period
    epoch = np.floor((time - t0) / period + 0.5).astype(int)
    depth = np.where(epoch % 2 == 1, depth_ppm if odd_depth_ppm is None else odd_depth_ppm, depth_ppm)
    tau = 0.5 * ingress_fraction * duration_days
    ramp = np.clip((0.5 * duration_days - np.abs(phase)) / max(tau, 1e-12), 0.0, 1.0)
    flux = 1.0 - depth * 1e-6 * ramp
    phase2 = (time - t0) % period - 0.5 * period
    flux -= np.where(np.abs(phase2) < 0.5 * duration_days, secondary_ppm * 1e-6, 0.0)
    if noise_ppm:
        flux += np.random.default_rng(seed).normal(0.0, noise_ppm * 1e-6, time.size)
    return time, flux
