"""It-run extractors on synthetic photocurrent transients with known answers.

Model (shardflow.chips.transients): the current is I_inf in the first dark segment, steps by
the photoresponse while the light is on, and relaxes in each later dark segment as
I(t) = I_inf + A exp(-(t/tau)^beta), t from the first dark sample.
"""

import numpy as np
import pytest

from shardflow.chips.metrics import Settings
from shardflow.chips.transients import (
    MIN_FIT_POINTS,
    fit_stretched_exponential,
    light_segments,
    photoresponse,
    relaxation_fits,
)
from shardflow.config import schema_defaults

S = Settings(**schema_defaults()["chips"]["metrics"])


def stretched(t, i_inf, amp, tau, beta):
    return i_inf + amp * np.exp(-((t / tau) ** beta))


def it_run(durations, *, dt=1.0, i_inf=1e-5, step=1e-6, amp=8e-7, tau=20.0, beta=0.7, led_v=3.5):
    """(t, i, vl) of a run whose segments alternate dark, light, dark, ... with ``durations`` (s).

    The first dark segment is flat at i_inf; light segments are flat at i_inf + step; later
    dark segments relax from i_inf + amp with (tau, beta). No noise.
    """
    edges = np.concatenate([[0.0], np.cumsum(durations)])
    t = np.arange(int(round(edges[-1] / dt))) * dt
    seg = np.searchsorted(edges, t, side="right") - 1
    lit = seg % 2 == 1
    since = t - edges[seg]
    i = np.where(lit, i_inf + step, np.where(seg == 0, i_inf, stretched(since, i_inf, amp, tau, beta)))
    return t, i, np.where(lit, led_v, 0.0)


def crb_sd(t, amp, tau, beta, sigma):
    """Cramer-Rao standard deviations of (ln tau, beta) for the 4-parameter model."""
    pos = t > 0
    log_t = np.where(pos, np.log(np.where(pos, t, 1.0)), 0.0)
    z = np.exp(beta * (log_t - np.log(tau))) * pos
    f = np.exp(-z)
    jac = np.stack([np.ones_like(t), f, amp * beta * z * f, -amp * (log_t - np.log(tau)) * z * f])
    cov = np.linalg.inv(jac @ jac.T) * sigma**2
    return np.sqrt(cov[2, 2]), np.sqrt(cov[3, 3])


def random_segment(rng, noise_of_amplitude):
    tau = float(np.exp(rng.uniform(np.log(5.0), np.log(100.0))))
    beta = float(rng.uniform(0.4, 1.0))
    duration = float(rng.uniform(3.5, 8.0)) * tau
    dt = max(duration / 1500.0, min(1.0, duration / 150.0))
    t = np.arange(0.0, duration, dt)
    amp = float(rng.choice([-1.0, 1.0]) * rng.uniform(0.05, 0.5)) * 1e-5
    sigma = noise_of_amplitude * abs(amp)
    y = stretched(t, 1e-5, amp, tau, beta) + sigma * rng.standard_normal(t.size)
    return t, y, amp, tau, beta, sigma


def test_light_segments():
    vl = np.array([0, 0, 3.5, 3.5, 3.5, 0, 0, 0, 2.0, 0])
    assert light_segments(vl, S.light_threshold_v) == [
        (0, 2, False),
        (2, 5, True),
        (5, 8, False),
        (8, 9, True),
        (9, 10, False),
    ]
    assert light_segments(vl, threshold_v=2.5)[1] == (2, 5, True)
    assert light_segments(np.zeros(4), S.light_threshold_v) == [(0, 4, False)]


@pytest.mark.parametrize("step", [2.5e-6, -1.3e-6])
def test_photoresponse_equals_the_step(step):
    t, i, vl = it_run([60, 60, 180, 60, 300], step=step, amp=0.0)
    result = photoresponse(i, vl, **S.photoresponse_options())
    assert result.delta_a == pytest.approx([step, step], rel=1e-12)
    assert result.dark_a == pytest.approx([1e-5, 1e-5], rel=1e-12)


def test_photoresponse_averages_the_segment_ends():
    """delta = mean of the last max(3, ceil(0.2 n)) samples lit minus the same of the dark before."""
    i = np.concatenate([np.arange(10.0), 100.0 + np.arange(7.0)])  # 10 dark, 7 lit samples
    vl = np.concatenate([np.zeros(10), np.full(7, 3.0)])
    result = photoresponse(i, vl, **S.photoresponse_options())
    dark = np.mean([7.0, 8.0, 9.0])  # ceil(0.2 * 10) = 2 < 3 samples
    lit = np.mean([104.0, 105.0, 106.0])
    assert result.delta_a == pytest.approx([lit - dark])
    # tail_fraction 0.5: the last 5 dark samples (mean 7) and ceil(3.5) = 4 lit ones (mean 104.5)
    assert photoresponse(i, vl, **{**S.photoresponse_options(), "tail_fraction": 0.5}).delta_a == pytest.approx(
        [104.5 - 7.0]
    )
    assert photoresponse(np.ones(5), np.zeros(5), **S.photoresponse_options()).delta_a.size == 0  # no light step


def test_fit_recovers_tau_and_beta_with_half_percent_noise():
    """Noise 0.5 % of the amplitude, segments 3.5-8 tau long: tau within 10 %, beta within 0.05."""
    rng = np.random.default_rng(11)
    for _ in range(40):
        t, y, amp, tau, beta, _ = random_segment(rng, 0.005)
        fit = fit_stretched_exponential(t, y)
        assert abs(fit.tau_s / tau - 1) < 0.10
        assert abs(fit.beta - beta) < 0.05
        assert fit.amplitude_a == pytest.approx(amp, rel=0.05)
        assert fit.i_inf_a == pytest.approx(1e-5, abs=0.02 * abs(amp))
        assert fit.r_squared > 0.99 and not fit.at_bound


def test_fit_is_efficient_at_the_cramer_rao_bound():
    """Noise 5 % of the amplitude: errors stay within 4 Cramer-Rao standard deviations, so the
    grid + Levenberg-Marquardt search finds the least-squares optimum, not a local one."""
    rng = np.random.default_rng(12)
    z_tau, z_beta = [], []
    for _ in range(60):
        t, y, amp, tau, beta, sigma = random_segment(rng, 0.05)
        fit = fit_stretched_exponential(t, y)
        sd_log_tau, sd_beta = crb_sd(t, amp, tau, beta, sigma)
        z_tau.append(np.log(fit.tau_s / tau) / sd_log_tau)
        z_beta.append((fit.beta - beta) / sd_beta)
    assert np.max(np.abs(z_tau)) < 4 and np.max(np.abs(z_beta)) < 4
    assert 0.6 < np.std(z_tau) < 1.5 and 0.6 < np.std(z_beta) < 1.5


def test_relaxation_fits_per_dark_segment_after_light_off():
    t, i, vl = it_run([60, 60, 200, 60, 200], tau=15.0, beta=0.8)
    fits = relaxation_fits(t, i, vl, **S.relaxation_options())
    assert [f.segment for f in fits] == [1, 2]  # the first dark segment (before light) is not one
    for f in fits:
        assert f.flags == ()
        assert f.fit.tau_s == pytest.approx(15.0, rel=1e-3)
        assert f.fit.beta == pytest.approx(0.8, abs=1e-3)
        assert f.fit.duration_s == pytest.approx(199.0)


def test_flag_poor_fit_on_pure_noise():
    rng = np.random.default_rng(4)
    t, i, vl = it_run([60, 60, 300], amp=0.0)
    i = i + 1e-8 * rng.standard_normal(i.size)
    (only,) = relaxation_fits(t, i, vl, **S.relaxation_options())
    assert "poor_fit" in only.flags
    assert only.fit.r_squared < 0.9


def test_flag_short_segment():
    t, i, vl = it_run([60, 60, 60], tau=40.0, beta=0.9)  # dark segment 1.5 tau long
    (only,) = relaxation_fits(t, i, vl, **S.relaxation_options())
    assert only.flags == ("short_segment",)
    assert only.fit.tau_s == pytest.approx(40.0, rel=1e-3)  # noise-free: still exact


def test_flags_too_few_points_and_flat_segment():
    t, i, vl = it_run([60, 60, MIN_FIT_POINTS - 1])
    (only,) = relaxation_fits(t, i, vl, **S.relaxation_options())
    assert only.fit is None and only.flags == ("too_few_points",)

    t, i, vl = it_run([60, 60, 100], amp=0.0)
    (only,) = relaxation_fits(t, i, vl, **S.relaxation_options())
    assert only.fit is None and only.flags == ("flat_segment",)
