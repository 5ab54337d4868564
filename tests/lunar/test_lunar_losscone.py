"""Tests for shardflow.lunar.losscone and shardflow.lunar.pitch on synthetic spectra with a known
surface potential and field ratio, generated here independently of the demo."""

from __future__ import annotations

import numpy as np
import pytest

from shardflow.config import schema_defaults
from shardflow.lunar.demo import ENERGIES_EV
from shardflow.lunar.instrument import THETA_DEG, channel_tables, count_factor, look_directions
from shardflow.lunar.losscone import fit_loss_cone
from shardflow.lunar.pitch import channel_geometry, incident_view

MIN_DELTA_CHI2 = schema_defaults()["lunar"]["fit"]["min_losscone_delta_chi2"]


def synthetic(rng, n, potential, ratio, sc_potential, cone=True, j0=2e5):
    """Spectra with an isotropic incident flux j0 (E/100 eV)^-1.5 and, in the reflected
    hemisphere, no electrons inside sin^2(beta) < ratio (1 + U / (E - U_sc))."""
    spin = rng.uniform(0, 360, (n, 15, 1))
    az = np.concatenate([np.arange(k) * 360.0 / k for k in (4, 8, 16, 16, 16, 16, 8, 4)])
    phi = (az[None, None, :] + spin) % 360.0
    b = rng.normal(size=(n, 3))
    b = 8.0 * b / np.linalg.norm(b, axis=1, keepdims=True)
    d = look_directions(THETA_DEG, phi)
    up = np.einsum("sekc,sc->sek", d, b) / 8.0  # reflected electrons seen along +B (an arbitrary choice)
    energy = np.tile(ENERGIES_EV, (n, 1))
    x = ratio * (1.0 + potential / (energy - sc_potential))
    inside = cone & (up > 0) & (1 - up * up < x[:, :, None])
    j = j0 * (energy / 100.0) ** -1.5
    _, dt = channel_tables()
    factor = count_factor(energy, dt)
    counts = rng.poisson(np.where(inside, 0.0, j[:, :, None]) * factor)
    return energy, counts / factor, phi, np.repeat(b[:, None, :], 15, axis=1)


def _fit(energy, flux, phi, b, sc_potential):
    geometry = channel_geometry(b, phi, flux)
    view = incident_view(energy, flux, geometry)
    return fit_loss_cone(
        energy, flux, view.flux, np.full(len(energy), sc_potential), geometry, THETA_DEG, MIN_DELTA_CHI2
    ), geometry


@pytest.mark.parametrize(
    ("potential", "ratio", "sc_potential"),
    [
        (-300.0, 0.6, 0.0),
        (-120.0, 0.85, 5.0),
        (-60.0, 0.7, -40.0),
        (-500.0, 0.9, -150.0),
    ],
)
def test_surface_potential_and_field_ratio_are_recovered(potential, ratio, sc_potential):
    rng = np.random.default_rng(int(-potential))
    energy, flux, phi, b = synthetic(rng, 60, potential, ratio, sc_potential)
    fit, geometry = _fit(energy, flux, phi, b, sc_potential)
    assert fit.measured.all()
    rel = np.abs(fit.potential_v / potential - 1)
    assert np.median(rel) < 0.05 and np.mean(rel < 0.15) >= 0.95, rel
    assert np.median(np.abs(fit.field_ratio - ratio)) < 0.02
    assert (fit.delta_chi2 > 1000).all() and np.median(fit.chi2_red) < 1.5
    assert (geometry.incident == -1).all()  # found from the data: the cone is on the +B side


def test_no_loss_cone_is_reported_as_not_measured():
    rng = np.random.default_rng(1)
    energy, flux, phi, b = synthetic(rng, 40, -100.0, 0.8, 0.0, cone=False)
    fit, _ = _fit(energy, flux, phi, b, 0.0)
    assert not fit.measured.any()
    assert (fit.delta_chi2 < 25).all()


def test_dayside_potential_of_a_few_volts_gives_the_magnetic_cone():
    rng = np.random.default_rng(2)
    energy, flux, phi, b = synthetic(rng, 40, 5.0, 0.75, 6.0)
    fit, _ = _fit(energy, flux, phi, b, 6.0)
    assert fit.measured.all()
    assert np.median(np.abs(fit.field_ratio - 0.75)) < 0.02
    assert np.median(np.abs(fit.potential_v - 5.0)) < 15.0  # |U| << E: only loosely constrained


def test_a_spectrum_without_a_usable_field_has_no_reflected_channels():
    rng = np.random.default_rng(3)
    energy, flux, phi, b = synthetic(rng, 4, -100.0, 0.8, 0.0)
    b[1] = 0.0
    b[2, 7] = 5e3
    fit, geometry = _fit(energy, flux, phi, b, 0.0)
    assert geometry.field_ok.tolist() == [True, False, False, True]
    assert fit.measured.tolist() == [True, False, False, True]
    assert fit.n_channels[1] == 0
