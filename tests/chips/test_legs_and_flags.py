"""Multi-cycle sweeps split into legs with known CNPs, and every honest flag on a synthetic
case: a sweep that never reaches its Dirac point, implausible_vg against the swept range,
beta above 1, and the CNP plot's points keeping flagged values apart."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd

from shardflow.chips.metrics import PANDAS_DTYPES, Settings, extract_group
from shardflow.chips.plots import cnp_points
from shardflow.chips.transients import relaxation_fits
from shardflow.config import schema_defaults

S = Settings(**schema_defaults()["chips"]["metrics"])

E = 1.602176634e-19  # C
C_G = 1.15e-8  # F/cm^2


def model_r(vg, v_cnp, n0=2e11, mu=3000.0):
    """Channel resistance (ohm) of the diffusive model, L/W = 0.5."""
    return 0.5 / (E * mu * np.sqrt(n0**2 + (C_G * (vg - v_cnp) / E) ** 2))


def cycles(low, high, n_cycles, step=0.2, start=None):
    """Gate voltages of n forward-backward cycles low -> high -> low, optionally starting at
    ``start`` (going up); with the index ranges (inclusive) of each leg."""
    up = np.round(np.arange(low, high + step / 2, step), 6)
    down = up[::-1]
    first = up if start is None else up[up >= start]
    parts = [first, down[1:]] + [p[1:] for _ in range(n_cycles - 1) for p in (up, down)]
    ends = np.cumsum([len(p) for p in parts]) - 1  # last sample of each leg
    starts = [0, *ends[:-1]]  # a leg starts on the turning sample that ends the one before
    return np.concatenate(parts), [(int(a), int(b)) for a, b in zip(starts, ends)]


def per_leg(vg, legs, fwd, bwd):
    """CNP of every sample: leg j (from 0) at fwd[j // 2] (forward) or bwd[j // 2] (backward)."""
    cnp = np.empty(vg.size)
    for j, (a, b) in enumerate(legs):
        cnp[a : b + 1] = (fwd if j % 2 == 0 else bwd)[j // 2]
    return cnp


def sweep_run(run_id, vg, cnp_of_sample, start="2025-01-01T10:00:00Z"):
    meta = {"run_id": run_id, "chip_number": 1, "proc": "IVg", "start_time_utc": start, "vds_v": 0.01}
    return meta, {"vg_v": vg, "i_a": 0.01 / model_r(vg, cnp_of_sample)}


def table(runs):
    return extract_group(runs, None, S).to_pandas().astype(PANDAS_DTYPES)


def leg_cnps(t, run_id):
    rows = t[(t["run_id"] == run_id) & t["metric_name"].isin(["cnp_fwd_v", "cnp_bwd_v"])].sort_values("leg")
    return list(zip(rows["leg"], rows["metric_name"], rows["value_float"], rows["flags"]))


def test_three_cycles_give_six_legs_each_with_its_own_cnp_and_hysteresis():
    """Forward legs drift 1.0, 1.5, 2.0 V, backward legs sit 2 V above them (positive
    hysteresis, as in the real lab's files); the sweep starts mid-range at 0 V."""
    vg, legs = cycles(-15.0, 25.0, 3, start=0.0)
    t = table([sweep_run("r", vg, per_leg(vg, legs, [1.0, 1.5, 2.0], [3.0, 3.5, 4.0]))])
    got = leg_cnps(t, "r")
    assert [(leg, name) for leg, name, _, _ in got] == [(k, "cnp_fwd_v" if k % 2 else "cnp_bwd_v") for k in range(1, 7)]
    values = [v for _, _, v, _ in got]
    np.testing.assert_allclose(values, [1.0, 3.0, 1.5, 3.5, 2.0, 4.0], atol=0.05)
    assert all(flags == "" for *_, flags in got)
    hyst = t[(t["run_id"] == "r") & (t["metric_name"] == "hysteresis_v")].sort_values("leg")
    assert list(hyst["leg"]) == [2, 4, 6]
    np.testing.assert_allclose(hyst["value_float"], [2.0, 2.0, 2.0], atol=0.07)


def test_consecutive_runs_compare_like_legs():
    vg, legs = cycles(-10.0, 20.0, 2)
    runs = []
    for k, shift in enumerate((0.0, 0.5)):
        cnp = per_leg(vg, legs, [2.0 + shift] * 2, [4.0 + shift] * 2)
        runs.append(sweep_run(f"r{k}", vg, cnp, start=f"2025-01-01T1{k}:00:00Z"))
    t = table(runs)
    shift = t[t["metric_name"] == "pair_cnp_shift_v"].sort_values("leg")
    assert list(shift["leg"]) == [1, 2, 3, 4] and set(shift["pair_previous_run_id"]) == {"r0"}
    np.testing.assert_allclose(shift["value_float"], 0.5, atol=0.05)


def test_a_sweep_that_never_reaches_its_dirac_point_has_no_value_and_a_flag_on_every_leg():
    """The real lab's +-10 V sweep of a device whose Dirac point is near +30 V: the current
    falls all the way to +10 V on every leg."""
    vg, _ = cycles(-10.0, 10.0, 4)
    t = table([sweep_run("edge", vg, np.full(vg.size, 30.0))])
    got = leg_cnps(t, "edge")
    assert len(got) == 8
    for _, _, value, flags in got:
        assert np.isnan(value) and "cnp_at_edge" in flags.split(",")
    hyst = t[t["metric_name"] == "hysteresis_v"]
    assert hyst["value_float"].isna().all() and hyst["flags"].str.contains("cnp_at_edge").all()


def test_implausible_vg_against_the_swept_range_not_a_fixed_80_v():
    vg, _ = cycles(-150.0, 150.0, 1, step=0.5)
    t = table([sweep_run("wide", vg, np.full(vg.size, 120.0))])
    got = leg_cnps(t, "wide")
    assert all(flags == "" and abs(value - 120.0) < 0.1 for _, _, value, flags in got)


def test_beta_above_one_is_flagged():
    """A compressed exponential (beta = 1.6) relaxation after light-off."""
    t = np.arange(0.0, 400.0, 1.0)
    vl = np.where((t >= 60) & (t < 120), 3.0, 0.0)
    since = np.clip(t - 120.0, 0.0, None)
    i = 1e-6 + np.where(vl > 0, 1e-7, np.where(t >= 120, 8e-8 * np.exp(-((since / 40.0) ** 1.6)), 0.0))
    (segment,) = relaxation_fits(t, i, vl, **S.relaxation_options())
    assert segment.fit.beta > 1.4 and "compressed_exponential" in segment.flags
    (stretched,) = relaxation_fits(
        t, 1e-6 + np.where(vl > 0, 1e-7, 8e-8 * np.exp(-((since / 40.0) ** 0.7))), vl, **S.relaxation_options()
    )
    assert "compressed_exponential" not in stretched.flags


def test_the_cnp_plot_keeps_flagged_values_apart_and_draws_no_null():
    manifest = pd.DataFrame(
        {
            "run_id": ["a", "b", "c"],
            "proc": ["IVg"] * 3,
            "start_time_utc": ["2025-01-01T10:00:00Z", "2025-01-01T11:00:00Z", "2025-01-01T12:00:00Z"],
            "led_voltage_v": [np.nan, np.nan, np.nan],
            "settings": [json.dumps({"light": v}) for v in (False, True, False)],
        }
    )
    metrics = pd.DataFrame(
        {
            "run_id": ["a", "b", "c"],
            "chip_number": [1, 1, 1],
            "metric_name": ["cnp_fwd_v"] * 3,
            "value_float": [2.0, 9.9, np.nan],
            "flags": ["", "cnp_at_edge", "cnp_at_edge,implausible_vg"],
            "leg": pd.array([1, 1, 1], dtype="Int64"),
        }
    )
    points = cnp_points(manifest, metrics)
    assert list(points["run_id"]) == ["a", "b"]
    assert list(points["good"]) == [True, False] and list(points["lit"]) == [False, True]
