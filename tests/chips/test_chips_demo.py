"""Tests for shardflow.chips.demo: the demo lab's files, their determinism and their truth."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy.optimize import curve_fit

from shardflow.chips.demo import (
    TRUTH_COLUMNS,
    demo_dates,
    device_resistance_ohm,
    relaxation_current_a,
    write_demo_lab,
)
from shardflow.chips.runfiles import PROCEDURES, RunFileError, read_run, run_id

SEED = 7
DATES = demo_dates("2025-03-01", 10)
DEVICE = ("mobility_cm2_vs", "n0_cm2", "r_contact_ohm", "width_um", "length_um", "c_g_f_cm2")


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    """The brief's reference lab: 8 chips, 10 days, 4 runs per chip-day (about 300 runs)."""
    raw = tmp_path_factory.mktemp("lab")
    return raw, write_demo_lab(raw, n_chips=8, dates=DATES, runs_per_chip_day=4, seed=SEED)


def _ok(truth, *procs):
    return truth[truth.proc.isin(procs) & (truth.kind == "ok")]


def _legs(data, column, row):
    """Every leg as (Vg, values, true CNP): legs end where Vg turns (odd legs forward, at the
    forward CNP; even legs backward, at the backward CNP); a sweep of n cycles has 2 n legs."""
    vg, values = data["vg_v"], data[column]
    turns = np.flatnonzero(np.diff(np.sign(np.diff(vg))) != 0) + 1
    bounds = [0, *turns.tolist(), vg.size - 1]
    assert len(bounds) - 1 == 2 * row.sweep_cycles, row.run_id
    cnps = (row.v_cnp_fwd_v, row.v_cnp_bwd_v)
    starts = [0, *(t + 1 for t in turns)]  # a turning sample was measured on the leg it ends
    return [(vg[a : b + 1], values[a : b + 1], cnps[j % 2]) for j, (a, b) in enumerate(zip(starts, bounds[1:]))]


def test_demo_dates():
    assert demo_dates("2024-12-30", 4) == ["2024-12-30", "2024-12-31", "2025-01-01", "2025-01-02"]


def test_files_and_truth_table(lab):
    raw, truth = lab
    assert list(truth.columns) == TRUTH_COLUMNS
    assert 260 <= len(truth) <= 320
    assert truth.run_id.is_unique and truth.run_id.is_monotonic_increasing
    assert (truth.run_id == [run_id(d, f) for d, f in zip(truth.date, truth.filename)]).all()
    counts = truth.proc.value_counts()
    assert set(counts.index) == set(PROCEDURES) and counts.min() >= 0.8 * counts.max()
    assert set(truth.kind) == {"ok", "truncated", "missing_metadata", "non_numeric"}
    assert (truth.kind != "ok").mean() < 0.05
    assert sorted(str(p.relative_to(raw)) for p in raw.rglob("*.csv")) == sorted(truth.date + "/" + truth.filename)
    assert (truth.start_time_utc.str[:10] == truth.date).all()
    per_chip_day = truth.groupby(["date", "chip_number"]).size()
    assert (per_chip_day == 4).all() and len(per_chip_day) < 8 * len(DATES)  # some chip-days are skipped
    assert truth.c_g_f_cm2.isin([3.84e-8, 1.15e-8]).all()
    sweeps, it = truth[truth.proc != "It"], truth[truth.proc == "It"]
    assert sweeps[["v_cnp_fwd_v", "v_cnp_bwd_v", "hysteresis_v"]].notna().all().all()
    assert sweeps[["tau_s", "beta", "segments"]].isna().all().all()
    assert it.illuminated.isna().all() and it.v_cnp_fwd_v.isna().all() and it.segments.notna().all()
    assert sweeps.illuminated.dtype == "boolean" and 0.1 < sweeps.illuminated.mean() < 0.4
    assert np.allclose(sweeps.hysteresis_v, sweeps.v_cnp_bwd_v - sweeps.v_cnp_fwd_v)
    assert ((sweeps.hysteresis_v < -0.4) & (sweeps.hysteresis_v > -3.4)).all()
    assert sweeps.sweep_cycles.dtype == "Int64" and it.sweep_cycles.isna().all()
    assert set(sweeps.sweep_cycles) == {1, 2, 3} and 0.1 < (sweeps.sweep_cycles > 1).mean() < 0.3


def test_ok_files_read_and_match_truth(lab):
    raw, truth = lab
    for row in truth.itertuples():
        path = raw / row.date / row.filename
        if row.kind != "ok":
            with pytest.raises(RunFileError):
                read_run(path)
            continue
        meta = read_run(path).meta
        assert (meta["chip_number"], meta["proc"], meta["start_time_utc"]) == (
            row.chip_number,
            row.proc,
            row.start_time_utc,
        )
        if row.proc != "It":
            assert (meta["led_voltage_v"] > 0) == row.illuminated


def test_same_inputs_give_identical_files(lab, tmp_path):
    raw, truth = lab
    again = write_demo_lab(tmp_path / "again", n_chips=8, dates=DATES, runs_per_chip_day=4, seed=SEED)
    pd.testing.assert_frame_equal(truth, again)
    for row in truth.itertuples():
        assert (raw / row.date / row.filename).read_bytes() == (
            tmp_path / "again" / row.date / row.filename
        ).read_bytes()
    # A file depends on its chip, day index and run index only: fewer dates give the same files.
    prefix = write_demo_lab(tmp_path / "prefix", n_chips=8, dates=DATES[:3], runs_per_chip_day=4, seed=SEED)
    pd.testing.assert_frame_equal(prefix, truth[truth.date.isin(DATES[:3])].reset_index(drop=True))
    other = write_demo_lab(tmp_path / "other", n_chips=8, dates=DATES[:1], runs_per_chip_day=4, seed=SEED + 1)
    shared = set(other.filename) & set(truth.filename[truth.date == DATES[0]])
    assert shared and all(
        (tmp_path / "other" / DATES[0] / name).read_bytes() != (raw / DATES[0] / name).read_bytes() for name in shared
    )


def test_invalid_arguments(tmp_path):
    with pytest.raises(ValueError, match="strictly increasing"):
        write_demo_lab(tmp_path, n_chips=1, dates=["2025-03-02", "2025-03-01"], runs_per_chip_day=1, seed=1)
    with pytest.raises(ValueError, match="strictly increasing"):
        write_demo_lab(tmp_path, n_chips=1, dates=["2025-3-1"], runs_per_chip_day=1, seed=1)
    with pytest.raises(ValueError, match="positive"):
        write_demo_lab(tmp_path, n_chips=0, dates=DATES, runs_per_chip_day=1, seed=1)


def test_sweep_extrema_at_true_cnp(lab):
    """The current minimum (IVg) / V_DS maximum (VVg) of each leg: a parabola through the points within
    3 V of the lowest/highest sample has its vertex within 0.3 V of the true CNP."""
    raw, truth = lab
    for row in _ok(truth, "IVg", "VVg").itertuples():
        data = read_run(raw / row.date / row.filename).data
        column, sign = ("i_a", 1.0) if row.proc == "IVg" else ("vds_v", -1.0)
        for vg, values, true_cnp in _legs(data, column, row):
            centre = vg[np.argmin(sign * values)]
            near = np.abs(vg - centre) <= 3.0
            a, b, _ = np.polyfit(vg[near], values[near], 2)
            assert abs(-b / (2 * a) - true_cnp) < 0.3, (row.run_id, -b / (2 * a), true_cnp)


def test_sweeps_follow_the_device_model(lab):
    """Data / model - 1 is noise of 0.1-0.5 % (no bias) with the truth parameters, on both legs."""
    raw, truth = lab
    for row in _ok(truth, "IVg", "VVg").itertuples():
        run = read_run(raw / row.date / row.filename)
        device = {name: getattr(row, name) for name in DEVICE}
        column = "i_a" if row.proc == "IVg" else "vds_v"
        for vg, values, cnp in _legs(run.data, column, row):
            resistance = device_resistance_ohm(vg, cnp, **device)
            model = run.meta["vds_v"] / resistance if row.proc == "IVg" else run.meta["ids_a"] * resistance
            relative = values / model - 1.0
            assert 0.0008 < relative.std() < 0.0055 and abs(relative.mean()) < 0.002, row.run_id


def test_it_runs_follow_the_truth(lab):
    """Dark, lit and relaxing segments of every It run against the truth (noise <= 0.3 % of i_inf)."""
    raw, truth = lab
    fitted = []
    for row in _ok(truth, "It").itertuples():
        run = read_run(raw / row.date / row.filename)
        t, current, lit = run.data["t_s"], run.data["i_a"], run.data["vl_v"] > 0
        noise = 0.0035 * row.i_inf_a
        starts = np.flatnonzero(np.diff(lit.astype(int)) != 0) + 1
        segments = np.split(np.arange(t.size), starts)
        assert not lit[0] and not lit[-1] and len(segments) == 2 * row.segments - 1
        assert np.abs(current[segments[0]] - row.i_inf_a).max() < 5 * noise
        for lit_rows in segments[1::2]:
            assert np.abs(current[lit_rows].mean() - row.i_inf_a - row.photoresponse_a) < noise
        for dark in segments[2::2]:
            model = relaxation_current_a(t[dark] - t[dark[0]], row.i_inf_a, row.amplitude_a, row.tau_s, row.beta)
            assert np.sqrt(np.mean((current[dark] - model) ** 2)) < noise
        last = segments[-1]
        assert t[last[-1]] - t[last[0]] > 3 * row.tau_s
        if abs(row.amplitude_a) > 20 * 0.003 * row.i_inf_a:  # well above the noise: the fit is meaningful
            x, y = t[last] - t[last[0]], current[last]
            (_, _, tau, beta), _ = curve_fit(
                lambda x, c, a, tau, beta: c + a * np.exp(-((x / tau) ** beta)),
                x,
                y,
                p0=[y[-1], y[0] - y[-1], x[-1] / 5, 0.7],
                bounds=([-1, -1, 1, 0.2], [1, 1, 1e4, 1.5]),
            )
            fitted.append((tau / row.tau_s - 1.0, beta - row.beta))
    errors = np.abs(np.array(fitted))
    assert len(fitted) >= 30
    assert np.median(errors[:, 0]) < 0.1 and np.median(errors[:, 1]) < 0.05
