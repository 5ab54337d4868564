"""Kappa electron distributions: flux model, the energy shift by a spacecraft potential, and a
fit vectorised over spectra.

Distribution (isotropic), in energy form, with density n (cm^-3), energy scale W (eV) and
index kappa > 3/2 (Pierrard & Lazar 2010, Solar Phys. 267, 153, eq. 1 with W = m theta^2 / 2)::

    f(E) ~ n A(kappa) W^(-3/2) (1 + E / (kappa W))^-(kappa + 1),
    A(kappa) = Gamma(kappa + 1) / (kappa^(3/2) Gamma(kappa - 1/2))

Its differential flux j = 2 E f / m^2 (cm^-2 s^-1 sr^-1 eV^-1) is :func:`flux`::

    j(E) = K n A(kappa) E W^(-3/2) (1 + E / (kappa W))^-(kappa + 1),
    K = 100 sqrt(e / (2 m_e)) / pi^(3/2) = 5.3255e6     (n in cm^-3, E and W in eV)

and its temperature is T = kappa W / (kappa - 3/2) (eV); kappa -> infinity is a Maxwellian with
T = W.

Energy shift. A spacecraft at potential U (V) changes the energy of every ambient electron by
+eU on its way in, and the phase-space density is conserved along the way (Liouville), so the
measured distribution is f_m(E) = f(E - eU) for E > eU. For a kappa distribution this is again
a kappa distribution with the same kappa (an exact identity, used both ways by
:func:`to_measured` and :func:`to_ambient`)::

    W_m = W - U / kappa,      n_m = n (W / W_m)^(kappa - 1/2)

so a fit of the measured spectrum gives (n_m, W_m, kappa) whatever U is, and U comes from the
spacecraft's current balance (:mod:`.charging`); the temperature maps as
T = T_m + U / (kappa - 3/2), the relation of the original pipeline (its spacecraft-potential
design notes).

Fit (:func:`fit_kappa`): Poisson maximum likelihood of the counts of each energy channel (the
flux of the incident hemisphere times its exposure G E dt), in the parameters (ln n, ln W,
ln(kappa - 3/2)); a grid of (W, kappa) with the density solved exactly at each node gives the
start, then Levenberg-Marquardt (Fisher scoring of the log-link Poisson model) refines all
spectra at once. Quality: the deviance per degree of freedom,
2 sum(mu - N + N ln(N / mu)) / (channels - 3), about 1 for a good fit.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.special import digamma, gammaln

E_CHARGE = 1.602176634e-19  # C
M_ELECTRON = 9.1093837015e-31  # kg
FLUX_K = 100.0 * np.sqrt(E_CHARGE / (2.0 * M_ELECTRON)) / np.pi**1.5
KAPPA_MIN, KAPPA_MAX = 1.6, 60.0
W_MIN, W_MAX = 0.3, 2.0e4


def log_norm(kappa):
    """ln A(kappa) = ln Gamma(kappa + 1) - 1.5 ln kappa - ln Gamma(kappa - 1/2)."""
    return gammaln(kappa + 1.0) - 1.5 * np.log(kappa) - gammaln(kappa - 0.5)


def flux(energy_ev, density_cm3, w_ev, kappa):
    """Differential flux j(E) (cm^-2 s^-1 sr^-1 eV^-1) of the kappa distribution; zero at E <= 0."""
    energy = np.asarray(energy_ev, dtype=float)
    e_pos = np.maximum(energy, 0.0)
    log_j = (
        np.log(FLUX_K * density_cm3)
        + log_norm(kappa)
        - 1.5 * np.log(w_ev)
        - (kappa + 1.0) * np.log1p(e_pos / (kappa * w_ev))
    )
    return np.where(energy > 0, e_pos * np.exp(log_j), 0.0)


def temperature_ev(w_ev, kappa):
    """T = kappa W / (kappa - 3/2) (eV)."""
    return kappa * w_ev / (kappa - 1.5)


def w_from_temperature(t_ev, kappa):
    """W = (kappa - 3/2) T / kappa (eV)."""
    return (kappa - 1.5) * t_ev / kappa


def to_measured(density_cm3, w_ev, kappa, potential_v):
    """(n_m, W_m) measured on a spacecraft at ``potential_v`` from the ambient (n, W, kappa)."""
    w_m = w_ev - potential_v / kappa
    return density_cm3 * (w_ev / w_m) ** (kappa - 0.5), w_m


def to_ambient(density_m, w_m, kappa, potential_v):
    """Ambient (n, W) from the measured (n_m, W_m, kappa) at ``potential_v`` (the inverse of
    :func:`to_measured`); W <= 0 (no ambient distribution matches) gives NaN."""
    w = w_m + potential_v / kappa
    with np.errstate(invalid="ignore", divide="ignore"):
        n = np.where(w > 0, density_m * (w_m / np.where(w > 0, w, 1.0)) ** (kappa - 0.5), np.nan)
    return n, np.where(w > 0, w, np.nan)


@dataclass(frozen=True)
class KappaFit:
    """Per-spectrum result of :func:`fit_kappa` (measured-frame parameters)."""

    density_cm3: np.ndarray
    w_ev: np.ndarray
    kappa: np.ndarray
    deviance_per_dof: np.ndarray
    n_channels: np.ndarray
    counts: np.ndarray


def _shape(energy, w, kappa):
    """ln of j / (K n) without the density: ln A + ln E - 1.5 ln W - (kappa+1) ln(1 + E/(kappa W))."""
    return log_norm(kappa) + np.log(energy) - 1.5 * np.log(w) - (kappa + 1.0) * np.log1p(energy / (kappa * w))


def _deviance(counts, mu, use):
    with np.errstate(divide="ignore", invalid="ignore"):
        term = mu - counts + np.where(counts > 0, counts * np.log(counts / mu), 0.0)
    return 2.0 * np.where(use, term, 0.0).sum(axis=1)


def fit_kappa(
    energy_ev: np.ndarray, counts: np.ndarray, exposure: np.ndarray, use: np.ndarray, iterations: int = 25
) -> KappaFit:
    """Fit a kappa distribution to every spectrum at once.

    ``energy_ev`` (n, c) channel energies; ``counts`` (n, c) counts summed over the channels
    of the incident hemisphere; ``exposure`` (n, c) the counts per unit flux of those channels,
    sum of G E dt (:func:`.instrument.count_factor`); ``use`` (n, c) the channels to fit.
    Returns measured-frame (n_m, W_m, kappa); spectra with fewer than 4 channels give NaN.
    """
    energy = np.where(use, energy_ev, 1.0)
    counts = np.where(use, counts, 0.0)
    log_x = np.where(use, np.log(np.where(use, exposure, 1.0) * FLUX_K), 0.0)
    n_spec = energy.shape[0]
    n_used = use.sum(axis=1)

    def expected(params):
        """Expected counts (n, c) of parameters (ln n, ln W, ln(kappa - 3/2)), (n, 3)."""
        w, kappa = np.exp(params[:, 1:2]), 1.5 + np.exp(params[:, 2:3])
        return np.where(use, np.exp(log_x + params[:, 0:1] + _shape(energy, w, kappa)), 0.0)

    # Start: grid of (W, kappa); the density is the exact Poisson MLE at each node.
    best_dev = np.full(n_spec, np.inf)
    start = np.zeros((n_spec, 3))
    total = counts.sum(axis=1)
    for kappa in (2.0, 3.0, 5.0, 10.0, 30.0):
        for w in np.geomspace(1.0, 5000.0, 24):
            mu_unit = np.where(use, np.exp(log_x + _shape(energy, w, kappa)), 0.0)  # density 1 cm^-3
            scale = total / mu_unit.sum(axis=1)
            dev = _deviance(counts, mu_unit * scale[:, None], use)
            better = dev < best_dev
            best_dev[better] = dev[better]
            start[better] = np.column_stack(
                [
                    np.log(np.maximum(scale[better], 1e-30)),
                    np.full(better.sum(), np.log(w)),
                    np.full(better.sum(), np.log(kappa - 1.5)),
                ]
            )

    # Levenberg-Marquardt on the Poisson log-likelihood: gradient sum (mu - N) J and Fisher
    # information sum mu J J^T, J = d ln mu / d params; each spectrum has its own damping.
    p = start
    lam = np.full(n_spec, 1e-2)
    dev = best_dev
    lo = np.array([-np.inf, np.log(W_MIN), np.log(KAPPA_MIN - 1.5)])
    hi = np.array([np.inf, np.log(W_MAX), np.log(KAPPA_MAX - 1.5)])
    for _ in range(iterations):
        w, kappa = np.exp(p[:, 1:2]), 1.5 + np.exp(p[:, 2:3])
        mu = expected(p)
        x = energy / (kappa * w)
        d_kappa = (
            digamma(kappa + 1.0)
            - 1.5 / kappa
            - digamma(kappa - 0.5)
            - np.log1p(x)
            + (kappa + 1.0) * x / (kappa * (1.0 + x))
        )
        jac = np.stack([np.ones_like(x), -1.5 + (kappa + 1.0) * x / (1.0 + x), d_kappa * (kappa - 1.5)], axis=-1)
        jac = np.where(use[:, :, None], jac, 0.0)
        grad = np.einsum("sc,scp->sp", mu - counts, jac)
        fisher = np.einsum("sc,scp,scq->spq", mu, jac, jac)
        diagonal = np.eye(3) * np.diagonal(fisher, axis1=1, axis2=2)[:, :, None]
        step = -np.linalg.solve(fisher + lam[:, None, None] * diagonal + 1e-9 * np.eye(3), grad[:, :, None])[:, :, 0]
        trial = np.clip(p + step, lo, hi)
        dev_t = _deviance(counts, expected(trial), use)
        accept = np.isfinite(dev_t) & (dev_t <= dev)
        p = np.where(accept[:, None], trial, p)
        dev = np.where(accept, dev_t, dev)
        lam = np.where(accept, lam / 3.0, lam * 5.0)

    bad = n_used < 4
    dof = np.maximum(n_used - 3, 1)
    nan = np.where(bad, np.nan, 1.0)
    return KappaFit(
        density_cm3=np.exp(p[:, 0]) * nan,
        w_ev=np.exp(p[:, 1]) * nan,
        kappa=(1.5 + np.exp(p[:, 2])) * nan,
        deviance_per_dof=dev / dof * nan,
        n_channels=n_used,
        counts=total,
    )
