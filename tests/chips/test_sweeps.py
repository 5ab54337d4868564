"""Gate-sweep extractors on synthetic transfer curves with known answers (the real Keithley
curve is tested through extract_group in test_metrics.py).

Synthetic curves follow the diffusive model of Kim et al. (2009) (see shardflow.chips.sweeps):
R(Vg) = R_c + (L/W) / (e mu sqrt(n0^2 + (C_g (Vg - V_cnp)/e)^2)), I = V_DS / R with
multiplicative Gaussian noise on I.
"""

import numpy as np
import pytest

from shardflow.chips.metrics import Settings
from shardflow.chips.sweeps import (
    charge_neutrality_point,
    field_effect_mobility,
    max_abs_difference,
    split_legs,
)
from shardflow.config import schema_defaults

S = Settings(**schema_defaults()["chips"]["metrics"])

E = 1.602176634e-19  # C
C_G = 1.15e-8  # F/cm^2, 300 nm SiO2
VDS = 0.1  # V


def model_r(vg, v_cnp, *, mu=3000.0, n0=2e11, r_c=0.0, width_um=20.0, length_um=10.0, c_g=C_G):
    """Two-terminal resistance (ohm) of the diffusive model."""
    n = np.sqrt(n0**2 + (c_g * (vg - v_cnp) / E) ** 2)
    return r_c + (length_um / width_um) / (E * mu * n)


def loop(lo=-30.0, hi=30.0, step=0.25):
    """Forward-backward gate sweep lo -> hi -> lo (V); the turning point appears once."""
    fwd = np.linspace(lo, hi, int(round((hi - lo) / step)) + 1)
    return np.concatenate([fwd, fwd[-2::-1]]), len(fwd)


def noisy_r(r, rng, noise):
    """Resistance seen through a current with relative Gaussian noise ``noise``."""
    return VDS / (VDS / r * (1.0 + noise * rng.standard_normal(r.size)))


def test_split_legs_forward_backward_one_way_and_downward():
    vg, n_fwd = loop(step=0.5)
    forward, backward = split_legs(vg)
    assert (forward.start, forward.stop) == (0, n_fwd)
    assert backward.start == n_fwd - 1 and backward.stop == len(vg)
    assert vg[forward][-1] == 30.0 and vg[backward][0] == 30.0

    (only,) = split_legs(np.linspace(-30, 70, 201))
    assert (only.start, only.stop) == (0, 201)

    down = -vg  # +30 -> -30 -> +30
    forward, backward = split_legs(down)
    assert down[forward][-1] == -30.0 and backward.stop == len(down)


def test_split_legs_at_every_turning_point_of_several_cycles():
    """Three cycles -10 -> 10 -> -10 starting mid-range at 0 V, with repeated set-points at
    the turning points: known legs, each monotonic, consecutive legs sharing their turn."""
    up, down = np.arange(-10.0, 10.01, 0.5), np.arange(10.0, -10.01, -0.5)
    vg = np.concatenate([np.arange(0.0, 10.0, 0.5), [10.0], down, up[1:], [10.0], down[1:], up[1:], down[1:]])
    legs = split_legs(vg)
    ends = [(vg[leg][0], vg[leg][-1]) for leg in legs]
    assert ends == [(0, 10), (10, -10), (-10, 10), (10, -10), (-10, 10), (10, -10)]
    for a, b in zip(legs[:-1], legs[1:]):
        assert b.start == a.stop - 1
    for number, leg in enumerate(legs, start=1):
        steps = np.diff(vg[leg])
        assert (steps >= 0).all() if number % 2 else (steps <= 0).all()


def test_cnp_within_0p1_v_and_hysteresis_on_noisy_model_sweeps():
    """0.3 % current noise, random devices with R_max/R_min > 2: both legs within 0.1 V.

    Devices span the demo lab's range (n0 1e11-1e12 cm^-2, mu 500-5000 cm^2/(V s), R_c 0-2
    kohm, Vg steps 0.2-0.5 V); the broadest, weakest peaks with 0.5 V steps set the maximum.
    """
    rng = np.random.default_rng(3)
    errors, hyst_errors, checked = [], [], 0
    while checked < 60:
        v_fwd = rng.uniform(-12, 12)
        hysteresis = rng.uniform(-3, 3)  # backward minus forward
        n0 = np.exp(rng.uniform(np.log(1e11), np.log(1e12)))
        mu = np.exp(rng.uniform(np.log(500), np.log(5000)))
        r_c = rng.uniform(0, 2000)
        vg, n_fwd = loop(step=float(rng.choice([0.2, 0.25, 0.5])))
        kw = dict(mu=mu, n0=n0, r_c=r_c)
        r_true = np.concatenate([model_r(vg[:n_fwd], v_fwd, **kw), model_r(vg[n_fwd:], v_fwd + hysteresis, **kw)])
        if r_true.max() < 2 * r_true.min():
            continue
        checked += 1
        r = noisy_r(r_true, rng, 0.003)
        forward, backward = split_legs(vg)
        fwd = charge_neutrality_point(vg[forward], r[forward], **S.cnp_options())
        bwd = charge_neutrality_point(vg[backward], r[backward], **S.cnp_options())
        assert fwd.flags == () and bwd.flags == ()
        errors += [fwd.cnp_v - v_fwd, bwd.cnp_v - (v_fwd + hysteresis)]
        hyst_errors.append((bwd.cnp_v - fwd.cnp_v) - hysteresis)
    assert np.max(np.abs(errors)) < 0.1
    assert np.sqrt(np.mean(np.square(errors))) < 0.03
    # The hysteresis is a difference of two independent legs: its error is sqrt(2) times larger.
    assert np.max(np.abs(hyst_errors)) < 0.15
    assert np.sqrt(np.mean(np.square(hyst_errors))) < 0.04


def test_flag_cnp_at_edge():
    vg = np.linspace(-30, 30, 241)
    cnp = charge_neutrality_point(vg, model_r(vg, 29.9), **S.cnp_options())
    assert "cnp_at_edge" in cnp.flags


def test_flag_weak_modulation():
    vg = np.linspace(-30, 30, 241)
    r = model_r(vg, 2.0, n0=1e12, r_c=30000.0)
    assert r.max() < 2 * r.min()
    cnp = charge_neutrality_point(vg, r, **S.cnp_options())
    assert "weak_modulation" in cnp.flags
    assert abs(cnp.cnp_v - 2.0) < 0.05  # still located on a noise-free curve


def test_cnp_beyond_the_swept_range_is_null_at_edge_and_implausible():
    """A Dirac point past the sweep's end: the vertex would be an extrapolation, so no value."""
    vg = np.linspace(-30, 30, 241)
    beyond = charge_neutrality_point(vg, model_r(vg, 32.0), **S.cnp_options())
    assert {"implausible_vg", "cnp_at_edge"} <= set(beyond.flags)
    assert np.isnan(beyond.cnp_v)


def test_implausible_vg_judged_against_the_swept_range_not_a_fixed_limit():
    wide = np.linspace(-150, 150, 601)
    far = charge_neutrality_point(wide, model_r(wide, 120.0, n0=1e12), **S.cnp_options())
    assert far.flags == () and abs(far.cnp_v - 120.0) < 0.1  # inside a sweep reaching 150 V
    leg = np.linspace(-10, 10, 81)  # a leg that the run's other legs extend to -10..35 V
    shifted = charge_neutrality_point(leg, model_r(leg, 12.0), swept_range_v=(-10.0, 35.0), **S.cnp_options())
    assert "implausible_vg" not in shifted.flags and "cnp_at_edge" in shifted.flags
    assert np.isnan(shifted.cnp_v)


def test_a_sweep_that_never_reaches_its_dirac_point_is_flagged_on_every_leg():
    """Two cycles of -10..10 V with the Dirac point at +30 V: every leg at edge, none a value."""
    up = np.linspace(-10, 10, 101)
    vg = np.concatenate([up, up[-2::-1], up[1:], up[-2::-1]])
    r = model_r(vg, 30.0)
    for leg in split_legs(vg):
        cnp = charge_neutrality_point(vg[leg], r[leg], swept_range_v=(-10.0, 10.0), **S.cnp_options())
        assert "cnp_at_edge" in cnp.flags
        assert np.isnan(cnp.cnp_v)


def test_flag_cnp_unrefined_when_g_squared_has_no_minimum():
    """G^2 = 100 - Vg^2 is concave: R rises to the end of the leg, no vertex to refine."""
    vg = np.linspace(0.0, 9.0, 19)
    cnp = charge_neutrality_point(vg, 1.0 / np.sqrt(100.0 - vg**2), **S.cnp_options())
    assert set(cnp.flags) == {"cnp_unrefined", "cnp_at_edge"}
    assert np.isnan(cnp.cnp_v)  # the end of the leg is only a bound on the Dirac point


def test_mobility_within_10_percent_with_small_contact_resistance():
    """R_c = 0 and R_c = 0.1 % of the channel's CNP resistance, 0.3 % noise: both branches.

    (R_c = 1 % of it is already about 10 % of the channel resistance at |Vg - V_cnp| = 30 V
    and lowers mu_FE by about 10 %: see the next test.)"""
    rng = np.random.default_rng(5)
    geometry = dict(width_um=20.0, length_um=10.0, c_g_f_cm2=C_G)
    for mu in (800.0, 3000.0):
        r_channel_peak = 0.5 / (E * mu * 2e11)
        for r_c in (0.0, 0.001 * r_channel_peak):
            vg = np.linspace(-30, 30, 241)
            r = noisy_r(model_r(vg, 1.5, mu=mu, r_c=r_c), rng, 0.003)
            cnp = charge_neutrality_point(vg, r, **S.cnp_options())
            hole, electron = field_effect_mobility(vg, 1.0 / r, cnp.cnp_v, window_v=S.mobility_window_v, **geometry)
            assert hole.flags == () and electron.flags == ()
            assert abs(hole.mobility_cm2_vs / mu - 1) < 0.1
            assert abs(electron.mobility_cm2_vs / mu - 1) < 0.1


def test_mobility_contact_resistance_bias():
    """With R_c, G = 1/(R_c + R_ch): |dG/dVg| = (R_ch/R)^2 |dG_ch/dVg|, so mu_FE < mu.

    The extracted value equals the largest noise-free |dG/dVg| of the model, scaled by
    (L/W)/C_g, to within the smoothing of the 4 V derivative window (4 % here, where the
    peak of |dG/dVg| is a few volts wide): the bias is the formula's, not the method's.
    """
    mu, r_c = 3000.0, 2000.0
    vg = np.linspace(-30, 30, 241)
    r = model_r(vg, 0.0, mu=mu, r_c=r_c)
    hole, electron = field_effect_mobility(
        vg, 1.0 / r, 0.0, width_um=20.0, length_um=10.0, c_g_f_cm2=C_G, window_v=S.mobility_window_v
    )
    fine = np.linspace(-30, 30, 60001)
    expected = 0.5 / C_G * np.max(np.abs(np.gradient(1.0 / model_r(fine, 0.0, mu=mu, r_c=r_c), fine)))
    assert electron.mobility_cm2_vs < 0.7 * mu
    assert abs(electron.mobility_cm2_vs / expected - 1) < 0.05
    assert abs(hole.mobility_cm2_vs / expected - 1) < 0.05


def test_mobility_branch_too_short():
    vg = np.linspace(-30, 30, 241)
    r = model_r(vg, -29.5)
    hole, electron = field_effect_mobility(
        vg, 1.0 / r, -29.5, width_um=20.0, length_um=10.0, c_g_f_cm2=C_G, window_v=S.mobility_window_v
    )
    assert np.isnan(hole.mobility_cm2_vs) and hole.flags == ("branch_too_short",)
    assert np.isfinite(electron.mobility_cm2_vs) and electron.flags == ()


def test_max_abs_difference_on_common_range():
    vg_a = np.linspace(-30, 10, 81)
    vg_b = np.linspace(-10, 30, 161)[::-1]  # other direction, other step
    diff, overlap = max_abs_difference(
        vg_a, 2.0 * vg_a, vg_b, 2.0 * vg_b + 0.5 + 0.01 * vg_b, min_overlap_v=S.min_overlap_v
    )
    assert overlap == pytest.approx(20.0)
    assert diff == pytest.approx(0.5 + 0.01 * 10.0)  # largest at the top of the common range

    diff, overlap = max_abs_difference(
        vg_a, vg_a, np.linspace(9.5, 30, 42), np.linspace(9.5, 30, 42), min_overlap_v=S.min_overlap_v
    )
    assert np.isnan(diff) and overlap == pytest.approx(0.5)
