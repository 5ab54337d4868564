"""Surface potential from the loss cone of the reflected electrons, vectorised over spectra.

An electron of energy E (at zero potential, i.e. the measured energy minus the spacecraft
potential U_sc) leaving the spacecraft towards the Moon along a field that is B_sc there and
B_surf at the surface, which is at potential U, reaches the surface, and is lost, when its
pitch angle is inside the loss cone (Halekas et al. 2008, J. Geophys. Res. 113, A09102,
paragraph 37)::

    sin^2(alpha_c) = (B_sc / B_surf) (1 + e U / E)

Every other electron is reflected (magnetically, or electrostatically by a negative surface) and
comes back up with its pitch angle mirrored, so in the reflected hemisphere the channels within
alpha_c of the upward field direction see no electrons, the others the incident flux. U < 0
closes the cone at low energies (no cone at all below E = -eU); the field ratio r = B_sc/B_surf
sets its size at high energies.

Fit (:func:`fit_loss_cone`): the normalised flux N (flux over the incident mean of its energy,
:mod:`.pitch`) of every usable reflected channel is compared with the step model (0 for
beta < alpha_c, 1 otherwise) by a chi-square weighted with the counts each channel would have
at N = 1 (its Poisson variance there). For each spectrum and energy the chi-square as a
function of the threshold x = sin^2(alpha_c) is tabulated once on 200 bins of sin^2(beta),
so a trial (U, r) costs one table look-up per energy, and grids of trials over U in -2000..+20 V
and r in 0.3..1.1 (:func:`fit_loss_cone`) cost little. The model is a step in angle, so the
chi-square is piecewise constant and a grid, not a gradient method, finds its minimum (the
original used Latin-hypercube seeds and differential evolution per spectrum).

Quality: ``chi2_red``, chi-square per degree of freedom at the best node of the last grid (a
minimum narrower than its spacing, common with high counts, and any background inside the cone
inflate it); ``delta_chi2``, the chi-square of "no loss cone" (every channel at 1) minus the
best. A spectrum has a measured loss cone when ``delta_chi2`` exceeds ``min_delta_chi2`` (a
likelihood-ratio test, default 25: about 5 sigma), otherwise status ``no_loss_cone``.

Range. A negative U closes the cone at E = -eU. When the fitted U lies above -E_low, E_low the
lowest energy (at zero potential) with usable reflected channels, the cone is still open at
every measured energy: U comes only from how the cone narrows towards E_low, an extrapolation
(on the demo, shadowed lobe spectra with the spacecraft near -100 V and the surface at -30 to
-80 V: errors up to 18 %). Such a fit is flagged ``closes_below_range``; what the data do
show is the bound U > -E_low (``potential_bound_v``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .instrument import THETA_DEG, channel_tables, count_factor
from .pitch import ChannelGeometry

N_BINS = 200
U_MIN_V, U_MAX_V = -2000.0, 20.0
RATIO_MIN, RATIO_MAX = 0.3, 1.1


@dataclass(frozen=True)
class LossConeFit:
    """Per spectrum: surface potential (V), field ratio B_sc/B_surf, ``chi2_red``,
    ``delta_chi2``, reflected channels used, whether a loss cone was measured, whether it
    closes below the lowest usable energy (module docstring) and the bound -E_low (V) on U
    that the data then give (U > -E_low; NaN where no energy is usable)."""

    potential_v: np.ndarray
    field_ratio: np.ndarray
    chi2_red: np.ndarray
    delta_chi2: np.ndarray
    n_channels: np.ndarray
    measured: np.ndarray
    closes_below_range: np.ndarray
    potential_bound_v: np.ndarray


def threshold_tables(energy_ev, flux, incident_flux, geometry: ChannelGeometry, theta_deg=THETA_DEG):
    """For a block of spectra: ``cum`` (n, 15, N_BINS + 1), the chi-square change of putting
    the reflected channels with sin^2(beta) below bin j inside the cone (N -> 0 instead of 1);
    ``base`` (n,), the chi-square with no cone; ``n_used`` (n, 15), reflected channels per energy."""
    _, dt = channel_tables(theta_deg)
    signed = geometry.cos_field * geometry.incident[:, None, None]
    reflected = geometry.valid & geometry.field_ok[:, None, None] & (signed < 0) & (incident_flux > 0)[:, :, None]
    norm = np.where(reflected, flux / np.where(incident_flux > 0, incident_flux, 1.0)[:, :, None], 0.0)
    weight = np.where(reflected, incident_flux[:, :, None] * count_factor(energy_ev, dt), 0.0)
    sin2 = np.where(reflected, 1.0 - signed * signed, 1.0)
    bins = np.minimum((sin2 * N_BINS).astype(np.int64), N_BINS - 1)
    n_spec, n_e, _ = flux.shape
    change = weight * (norm * norm - (norm - 1.0) ** 2)  # model 0 instead of 1: (N-0)^2 - (N-1)^2
    flat = (np.arange(n_spec * n_e).reshape(n_spec, n_e, 1) * N_BINS + bins).ravel()
    hist = np.bincount(flat, weights=change.ravel(), minlength=n_spec * n_e * N_BINS).reshape(n_spec, n_e, N_BINS)
    cum = np.concatenate([np.zeros((n_spec, n_e, 1)), np.cumsum(hist, axis=2)], axis=2)
    base = (weight * (norm - 1.0) ** 2).sum(axis=(1, 2))
    return cum, base, reflected.sum(axis=2)


def _cost(cum, inv_energy, u, r):
    """Sum over energies of ``cum`` at the threshold bin of x = r (1 + U / E), for trial
    (U, r) of shape (n, g) or (1, g); returns (n, g). The bin index is computed in float32
    (x N_BINS <= 200, so to better than 1e-4 of a bin) and in place: this is the fit's inner loop."""
    a = (N_BINS * r).astype(np.float32)
    b = (N_BINS * r * u).astype(np.float32)
    index = b[:, :, None] * inv_energy.astype(np.float32)[:, None, :]
    index += a[:, :, None]
    np.rint(index, out=index)
    np.clip(index, 0, N_BINS, out=index)
    n_spec, n_e, width = cum.shape
    kind = np.int32 if cum.size < 2**31 else np.int64
    flat = index.astype(kind)
    flat += (np.arange(n_spec, dtype=kind)[:, None, None] * n_e + np.arange(n_e, dtype=kind)[None, None, :]) * width
    return np.take(cum, flat).sum(axis=2)


def _potential(s):
    """U (V) of the grid coordinate s = asinh(U / 10 V): linear near 0, logarithmic beyond."""
    return 10.0 * np.sinh(s)


_S_MIN, _S_MAX = np.arcsinh(U_MIN_V / 10.0), np.arcsinh(U_MAX_V / 10.0)
_COARSE_S = np.linspace(_S_MIN, _S_MAX, 30)
_COARSE_R = np.linspace(RATIO_MIN, RATIO_MAX, 9)
_STEP_S, _STEP_R = _COARSE_S[1] - _COARSE_S[0], _COARSE_R[1] - _COARSE_R[0]


def _local_grid(s0, r0, half_s, half_r, k=9):
    """Per-spectrum k x k grid of (s, r) centred on (s0, r0), clipped to the bounds; (n, k*k)."""
    steps = np.linspace(-1.0, 1.0, k)
    s = np.clip(s0[:, None, None] + half_s * steps[None, :, None], _S_MIN, _S_MAX)
    r = np.clip(r0[:, None, None] + half_r * steps[None, None, :], RATIO_MIN, RATIO_MAX)
    s, r = np.broadcast_arrays(s, r)
    return s.reshape(len(s0), -1), r.reshape(len(s0), -1)


def _per_energy_start(cum, inv_energy):
    """(s, r) from a weighted straight-line fit of x = r + r U / E to the best threshold of each
    energy alone, over the energies whose best threshold is inside (0, 1) (the others only
    bound x); weights: each energy's chi-square gain. NaN where fewer than 2 energies qualify."""
    lowest = cum.min(axis=2)
    first = np.argmin(cum, axis=2)
    last = cum.shape[2] - 1 - np.argmin(cum[:, :, ::-1], axis=2)
    x = 0.5 * (first + last) / N_BINS
    weight = np.where((first > 0) & (last < N_BINS) & (lowest < 0) & (inv_energy > 0), -lowest, 0.0)
    sw = weight.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean_i = (weight * inv_energy).sum(axis=1) / sw
        mean_x = (weight * x).sum(axis=1) / sw
        var_i = (weight * (inv_energy - mean_i[:, None]) ** 2).sum(axis=1) / sw
        cov = (weight * (inv_energy - mean_i[:, None]) * (x - mean_x[:, None])).sum(axis=1) / sw
        slope = cov / var_i
        r = mean_x - slope * mean_i
        u = slope / r
    ok = ((weight > 0).sum(axis=1) >= 2) & (var_i > 0) & (r > 0)
    s = np.where(ok, np.arcsinh(np.clip(u, U_MIN_V, U_MAX_V) / 10.0), np.nan)
    return s, np.where(ok, np.clip(r, RATIO_MIN, RATIO_MAX), np.nan)


def fit_loss_cone(
    energy_ev,
    flux,
    incident_flux,
    sc_potential_v,
    geometry: ChannelGeometry,
    theta_deg,
    min_delta_chi2,
) -> LossConeFit:
    """Fit U and B_sc/B_surf for every spectrum of a block (see the module docstring).

    ``energy_ev`` (n, 15) measured energies, ``flux`` (n, 15, 88), ``incident_flux`` (n, 15)
    from :func:`.pitch.incident_view`, ``sc_potential_v`` (n,): energies at zero potential are
    E - U_sc, and channels at or below U_sc are not used.

    Search in s = asinh(U / 10 V) and r: a 30 x 9 grid over the bounds and a second start from
    the per-energy thresholds (:func:`_per_energy_start`), then two 9 x 9 grids around the
    better one (one coarse step, then a quarter of it); the estimate is the mean of
    the last grid's nodes within chi-square 1 of its minimum (the chi-square is a step
    function, so its minimum is a plateau and its first node would be biased).
    """
    e0 = energy_ev - sc_potential_v[:, None]
    usable = np.isfinite(e0) & (e0 > 0)
    cum, base, n_used = threshold_tables(
        energy_ev, np.where(usable[:, :, None], flux, np.nan), np.where(usable, incident_flux, 0.0), geometry, theta_deg
    )
    inv_energy = np.where(usable, 1.0 / np.where(usable, e0, 1.0), 0.0)
    rows = np.arange(len(e0))

    s, r = (a.ravel()[None, :] for a in np.meshgrid(_COARSE_S, _COARSE_R, indexing="ij"))
    cost = _cost(cum, inv_energy, _potential(s), r)
    best = np.argmin(cost, axis=1)
    s0, r0, c0 = s[0, best], r[0, best], cost[rows, best]
    # Second start: the relation fitted to each energy's own best threshold (a valley of the
    # chi-square that runs between the coarse nodes is found this way).
    s1, r1 = _per_energy_start(cum, inv_energy)
    s1, r1 = np.where(np.isfinite(s1), s1, s0), np.where(np.isfinite(r1), r1, r0)
    use1 = _cost(cum, inv_energy, _potential(s1)[:, None], r1[:, None])[:, 0] < c0
    s0, r0 = np.where(use1, s1, s0), np.where(use1, r1, r0)
    for half_s, half_r in ((_STEP_S, _STEP_R), (_STEP_S / 4.0, _STEP_R / 4.0)):
        s, r = _local_grid(s0, r0, half_s, half_r)
        cost = _cost(cum, inv_energy, _potential(s), r)
        best = np.argmin(cost, axis=1)
        s0, r0 = s[rows, best], r[rows, best]
    minimum = cost[rows, best]
    near = cost <= minimum[:, None] + 1.0
    s_est = (s * near).sum(axis=1) / near.sum(axis=1)
    r_est = (r * near).sum(axis=1) / near.sum(axis=1)

    chi2 = base + minimum
    delta = -minimum
    total_used = n_used.sum(axis=1)
    dof = np.maximum(total_used - 2, 1)
    measured = (delta > min_delta_chi2) & (total_used > 2)
    potential = _potential(s_est)
    lowest = np.where(n_used > 0, np.where(usable, e0, np.inf), np.inf).min(axis=1)
    bound = np.where(np.isfinite(lowest), -lowest, np.nan)
    closes_below = (potential < 0) & (potential > bound)
    return LossConeFit(potential, r_est, chi2 / dof, delta, total_used, measured, closes_below, bound)
