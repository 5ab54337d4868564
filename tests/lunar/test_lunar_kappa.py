"""Tests for shardflow.lunar.kappa (kappa distributions, the energy shift, the vectorised fit)
and shardflow.lunar.charging (the current balances)."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.integrate import quad
from scipy.special import gamma

from shardflow.config import schema_defaults
from shardflow.lunar import charging
from shardflow.lunar.demo import ENERGIES_EV
from shardflow.lunar.kappa import (
    E_CHARGE,
    M_ELECTRON,
    fit_kappa,
    flux,
    temperature_ev,
    to_ambient,
    to_measured,
    w_from_temperature,
)

SPACECRAFT = schema_defaults()["lunar"]["spacecraft"]
SEE = (SPACECRAFT["see_peak_yield"], SPACECRAFT["see_peak_energy_ev"])


def _f_velocity(v, n_m3, theta, kappa):
    """The kappa velocity distribution in SI (s^3 m^-6), written independently of the module."""
    norm = gamma(kappa + 1) / (np.pi**1.5 * kappa**1.5 * gamma(kappa - 0.5) * theta**3)
    return n_m3 * norm * (1 + v * v / (kappa * theta * theta)) ** (-(kappa + 1))


@pytest.mark.parametrize(("n", "t", "kappa"), [(5.0, 12.0, 4.0), (0.3, 300.0, 2.5), (1.0, 20.0, 40.0)])
def test_flux_density_and_temperature_match_the_velocity_distribution(n, t, kappa):
    w = w_from_temperature(t, kappa)
    theta = np.sqrt(2 * w * E_CHARGE / M_ELECTRON)
    n_m3 = n * 1e6
    # v = theta x keeps the integrands of order one
    density = theta**3 * quad(lambda x: 4 * np.pi * x * x * _f_velocity(theta * x, n_m3, theta, kappa), 0, np.inf)[0]
    energy = (
        theta**5
        * quad(lambda x: 2 * np.pi * M_ELECTRON * x**4 * _f_velocity(theta * x, n_m3, theta, kappa), 0, np.inf)[0]
    )
    assert density == pytest.approx(n_m3, rel=1e-5)
    assert energy / density / E_CHARGE == pytest.approx(1.5 * temperature_ev(w, kappa), rel=1e-4)  # <E> = 3/2 T
    for e_ev in (40.0, 500.0, 8000.0):
        v = np.sqrt(2 * e_ev * E_CHARGE / M_ELECTRON)
        j_si = 2 * e_ev * E_CHARGE / M_ELECTRON**2 * _f_velocity(v, n_m3, theta, kappa)  # m^-2 s^-1 sr^-1 J^-1
        assert flux(e_ev, n, w, kappa) == pytest.approx(j_si * E_CHARGE * 1e-4, rel=1e-9)


@pytest.mark.parametrize("potential", [-150.0, -20.0, 3.0, 12.0])
def test_a_shifted_kappa_is_a_kappa_with_the_measured_parameters(potential):
    n, w, kappa = 2.0, 15.0, 4.0
    energy = np.geomspace(max(potential, 0) + 1.0, 2e4, 50)
    # Liouville: f conserved, E_measured = E_ambient + U, so j_m(E) = j(E - U) E / (E - U).
    shifted = flux(energy - potential, n, w, kappa) * energy / (energy - potential)
    n_m, w_m = to_measured(n, w, kappa, potential)
    np.testing.assert_allclose(flux(energy, n_m, w_m, kappa), shifted, rtol=1e-10)
    back = to_ambient(n_m, w_m, kappa, potential)
    assert back[0] == pytest.approx(n) and back[1] == pytest.approx(w)
    assert temperature_ev(w_m, kappa) == pytest.approx(temperature_ev(w, kappa) - potential / (kappa - 1.5))


def test_fit_recovers_known_parameters_from_poisson_counts():
    rng = np.random.default_rng(5)
    n_spec = 400
    energy = np.tile(ENERGIES_EV, (n_spec, 1))
    density = 10 ** rng.uniform(-1.5, 1.0, n_spec)
    w = 10 ** rng.uniform(0.7, 2.3, n_spec)
    kappa = rng.uniform(2.5, 8.0, n_spec)
    exposure = 40 * 0.02 * energy * 0.156
    counts = rng.poisson(flux(energy, density[:, None], w[:, None], kappa[:, None]) * exposure).astype(float)
    use = np.ones_like(energy, dtype=bool)
    use[::7, :2] = False  # some spectra without their two lowest channels
    fit = fit_kappa(energy, counts, exposure, use)
    assert np.median(np.abs(fit.density_cm3 / density - 1)) < 0.01
    assert np.median(np.abs(fit.w_ev / w - 1)) < 0.01
    assert np.median(np.abs(fit.kappa / kappa - 1)) < 0.02
    assert 0.7 < np.median(fit.deviance_per_dof) < 1.3
    assert fit.n_channels[0] == 13 and fit.n_channels[1] == 15
    few = fit_kappa(energy[:2], counts[:2], exposure[:2], np.arange(15)[None, :].repeat(2, 0) < 3)
    assert np.isnan(few.density_cm3).all()


def test_collected_electron_current_matches_the_integral_of_the_flux():
    n_m, w_m, kappa = 3.0, 9.0, 3.5
    for u in (0.0, 4.0, 40.0):
        numeric = quad(lambda e: flux(e, n_m, w_m, kappa), u, np.inf, limit=200)[0]
        expected = E_CHARGE * 1e4 * np.pi * numeric
        assert charging.collected_electron_current(u, n_m, w_m, kappa) == pytest.approx(expected, rel=1e-6)
    assert charging.photo_current(0.0) == pytest.approx(1.07e-6 + 1.6e-8)


@pytest.mark.parametrize(
    ("n", "t", "kappa", "shadow"),
    [
        (5.0, 12.0, 4.0, False),
        (2.0, 15.0, 5.0, False),
        (0.05, 70.0, 4.0, False),
        (1.0, 25.0, 3.0, True),
        (0.4, 180.0, 4.0, True),
        (0.05, 70.0, 4.0, True),
    ],
)
def test_potential_from_the_measured_fit_equals_the_floating_potential(n, t, kappa, shadow):
    w = w_from_temperature(t, kappa)
    u = charging.ambient_potential(np.array([n]), np.array([w]), np.array([kappa]), np.array([shadow]), *SEE)[0]
    assert (u < 0) if shadow else (0 < u < 40)
    n_m, w_m = to_measured(n, w, kappa, u)
    m = np.array([n_m]), np.array([w_m]), np.array([kappa])
    solved = charging.shadow_potential(*m, *SEE) if shadow else charging.sunlit_potential(*m)
    assert solved[0] == pytest.approx(u, rel=1e-6, abs=1e-6)


def test_no_root_gives_nan():
    # 30 cm^-3 at 10 eV collects more electrons than the photocurrent at 0 V can balance.
    assert np.isnan(charging.sunlit_potential(np.array([30.0]), np.array([6.0]), np.array([4.0]))[0])
    # With a large secondary yield a hot plasma has no negative floating potential.
    assert np.isnan(charging.shadow_potential(np.array([0.3]), np.array([200.0]), np.array([4.0]), 3.0, SEE[1])[0])
