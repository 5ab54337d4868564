"""Group-level assembly of the chip metrics: the long-table contract, every metric of IVg, VVg
and It runs on synthetic runs with known answers, consecutive pairs, and per-run failures.

Runs' data are dicts of numpy arrays, as ``staging.read_partition`` gives them. The value checks
read the polars table the way the merge job does (pandas, with ``PANDAS_DTYPES``), through
:func:`extract`; the contract test checks the polars schema itself."""

import random

import numpy as np
import pandas as pd
import polars as pl
import pytest
from polars.testing import assert_frame_equal

import shardflow.chips.metrics as metrics
from shardflow.chips.metrics import (
    EXTRA_COLUMNS,
    EXTRACTION_VERSION,
    METRIC_COLUMNS,
    METRIC_SCHEMA,
    METRIC_UNITS,
    PANDAS_DTYPES,
    Settings,
    extract_group,
)
from shardflow.chips.runfiles import read_transfer_curve
from shardflow.config import schema_defaults

S = Settings(**schema_defaults()["chips"]["metrics"])

E = 1.602176634e-19  # C
GEOMETRY = {"width_um": 20.0, "length_um": 10.0, "c_g_f_cm2": 1.15e-8}
MU = 3000.0  # cm^2/(V s)


def model_r(vg, v_cnp, r_c=0.0, n0=2e11):
    """Kim et al. (2009) diffusive model with GEOMETRY and MU (ohm)."""
    n = np.sqrt(n0**2 + (GEOMETRY["c_g_f_cm2"] * (vg - v_cnp) / E) ** 2)
    return r_c + (GEOMETRY["length_um"] / GEOMETRY["width_um"]) / (E * MU * n)


def sweep_vg(lo=-30.0, hi=30.0, step=0.25, one_way=False):
    fwd = np.linspace(lo, hi, int(round((hi - lo) / step)) + 1)
    return fwd if one_way else np.concatenate([fwd, fwd[-2::-1]])


def r_loop(vg, v_fwd, hysteresis):
    """Resistance of a loop whose backward leg's CNP is v_fwd + hysteresis."""
    turn = int(np.argmax(vg))
    return np.concatenate([model_r(vg[: turn + 1], v_fwd), model_r(vg[turn + 1 :], v_fwd + hysteresis)])


def ivg(run_id, start, v_fwd=2.0, hysteresis=-1.5, vds=0.1, offset_a=0.0, noise=0.0, seed=0, **vg_kw):
    vg = sweep_vg(**vg_kw)
    i = vds / r_loop(vg, v_fwd, hysteresis)
    i = i * (1 + noise * np.random.default_rng(seed).standard_normal(i.size)) + offset_a
    meta = {"run_id": run_id, "chip_number": 7, "proc": "IVg", "start_time_utc": start, "vds_v": vds}
    return meta, {"vg_v": vg, "i_a": i}


def vvg(run_id, start, v_fwd=-3.0, hysteresis=2.0, ids=5e-6):
    vg = sweep_vg(step=0.5)
    vds = ids * r_loop(vg, v_fwd, hysteresis)
    meta = {"run_id": run_id, "chip_number": 7, "proc": "VVg", "start_time_utc": start, "ids_a": ids}
    return meta, {"vg_v": vg, "vds_v": vds, "t_s": 0.2 * np.arange(vg.size)}


def it(run_id, durations, *, step=2e-6, amp=1.5e-6, tau=20.0, beta=0.7, i_inf=2e-5, noise=0.0, seed=0):
    """Dark, light, dark, ... segments of ``durations`` (s), 0.5 s sampling; relaxation in
    every dark segment after a light-off, t from the first dark sample."""
    edges = np.concatenate([[0.0], np.cumsum(durations)])
    t = np.arange(int(round(edges[-1] / 0.5))) * 0.5
    seg = np.searchsorted(edges, t, side="right") - 1
    lit = seg % 2 == 1
    relax = i_inf + amp * np.exp(-(((t - edges[seg]) / tau) ** beta))
    i = np.where(lit, i_inf + step, np.where(seg == 0, i_inf, relax))
    i = i + noise * i_inf * np.random.default_rng(seed).standard_normal(t.size)
    meta = {"run_id": run_id, "chip_number": 3, "proc": "It", "start_time_utc": "2025-03-01T10:00:00Z"}
    return meta, {"t_s": t, "i_a": i, "vl_v": np.where(lit, 3.5, 0.0)}


def extract(runs, geometry=None) -> pd.DataFrame:
    """extract_group's table, checked to have METRIC_SCHEMA, as pandas with PANDAS_DTYPES."""
    table = extract_group(runs, geometry, S)
    assert table.schema == METRIC_SCHEMA
    return table.to_pandas().astype(PANDAS_DTYPES)


def values(table, run_id):
    """{metric_name: (value, flags)} of one run's rows that have no segment."""
    rows = table[(table["run_id"] == run_id) & table["segment"].isna()]
    return {r.metric_name: (r.value_float, r.flags) for r in rows.itertuples()}


def test_contract_columns_units_sorting_and_determinism():
    runs = [ivg(f"r{k}", f"2025-03-0{k + 1}T09:00:00Z", v_fwd=1.0 + k) for k in range(4)]
    polars_table = extract_group(runs, GEOMETRY, S)
    assert isinstance(polars_table, pl.DataFrame)
    assert list(METRIC_SCHEMA.items()) == [
        ("run_id", pl.String),
        ("chip_number", pl.Int64),
        ("proc", pl.String),
        ("metric_name", pl.String),
        ("value_float", pl.Float64),
        ("unit", pl.String),
        ("flags", pl.String),
        ("extraction_version", pl.String),
        ("segment", pl.Int64),
        ("pair_previous_run_id", pl.String),
        ("leg", pl.Int64),
    ]
    assert polars_table.schema == METRIC_SCHEMA
    table = extract(runs, GEOMETRY)
    assert list(table.columns) == [*METRIC_COLUMNS, *EXTRA_COLUMNS]
    assert METRIC_COLUMNS == (
        "run_id",
        "chip_number",
        "proc",
        "metric_name",
        "value_float",
        "unit",
        "flags",
        "extraction_version",
    )
    assert (table["extraction_version"] == EXTRACTION_VERSION).all()
    assert (table["unit"] == table["metric_name"].map(METRIC_UNITS)).all()
    assert table["flags"].map(type).eq(str).all()
    assert str(table["segment"].dtype) == "Int64" and str(table["pair_previous_run_id"].dtype) == "string"
    assert table["chip_number"].dtype == "int64" and table["value_float"].dtype == "float64"
    assert str(table["leg"].dtype) == "Int64"
    keys = list(zip(table["run_id"], table["metric_name"], table["leg"].fillna(0)))
    assert keys == sorted(keys) and len(set(keys)) == len(keys)

    shuffled = runs[:]
    random.Random(1).shuffle(shuffled)
    assert_frame_equal(extract_group(shuffled, GEOMETRY, S), polars_table)


def test_data_may_be_a_pandas_frame():
    runs = [ivg("a", "2025-03-01T09:00:00Z"), ivg("b", "2025-03-01T10:00:00Z", v_fwd=3.0)]
    frames = [(meta, pd.DataFrame(data)) for meta, data in runs]
    assert_frame_equal(extract_group(frames, GEOMETRY, S), extract_group(runs, GEOMETRY, S))


def test_ivg_metrics_match_the_model():
    meta, data = ivg("a", "2025-03-01T09:00:00Z", v_fwd=2.0, hysteresis=-1.5, noise=0.003, seed=2)
    got = values(extract([(meta, data)], GEOMETRY), "a")
    assert got["cnp_fwd_v"][0] == pytest.approx(2.0, abs=0.1)
    assert got["cnp_bwd_v"][0] == pytest.approx(0.5, abs=0.1)
    assert got["hysteresis_v"][0] == pytest.approx(-1.5, abs=0.15)  # backward minus forward
    r = 0.1 / data["i_a"]
    assert got["r_max_ohm"][0] == r.max()
    assert got["modulation_ratio"][0] == pytest.approx(r.max() / r.min())
    for name in ("mobility_hole_cm2_vs", "mobility_electron_cm2_vs"):
        assert got[name][0] == pytest.approx(MU, rel=0.1)
    assert all(flags == "" for _, flags in got.values())
    assert set(got) == {
        "cnp_fwd_v",
        "cnp_bwd_v",
        "hysteresis_v",
        "r_max_ohm",
        "modulation_ratio",
        "mobility_hole_cm2_vs",
        "mobility_electron_cm2_vs",
    }


@pytest.mark.parametrize("geometry", [None, {"width_um": 20.0, "length_um": 10.0}, {**GEOMETRY, "width_um": 0}])
def test_mobility_rows_flag_missing_geometry(geometry):
    got = values(extract([ivg("a", "2025-03-01T09:00:00Z")], geometry), "a")
    for name in ("mobility_hole_cm2_vs", "mobility_electron_cm2_vs"):
        assert np.isnan(got[name][0]) and got[name][1] == "no_geometry"
    assert got["cnp_fwd_v"][0] == pytest.approx(2.0, abs=1e-3)


def test_vvg_resistance_is_vds_over_the_fixed_current():
    runs = [vvg("v1", "2025-03-01T09:00:00Z"), vvg("v2", "2025-03-01T10:00:00Z", v_fwd=-2.0, ids=2e-6)]
    table = extract(runs, GEOMETRY)
    got = values(table, "v1")
    assert got["cnp_fwd_v"][0] == pytest.approx(-3.0, abs=1e-3)
    assert got["hysteresis_v"][0] == pytest.approx(2.0, abs=1e-3)
    assert got["r_max_ohm"][0] == pytest.approx(runs[0][1]["vds_v"].max() / 5e-6)
    assert got["mobility_electron_cm2_vs"][0] == pytest.approx(MU, rel=0.1)
    pair = values(table, "v2")
    assert pair["pair_cnp_shift_v"][0] == pytest.approx(1.0, abs=1e-3)
    assert pair["pair_max_abs_dvds_v"][1] == "ids_differs"


def test_consecutive_pairs_ordered_by_start_time():
    starts = [
        "2025-03-01T09:00:00Z",
        "2025-03-01T12:30:00Z",
        "2025-03-02T08:00:00Z",
        "2025-03-04T07:15:00Z",
        "2025-03-04T07:16:00Z",
    ]
    cnps = [0.0, 0.5, 1.5, 1.0, 3.0]
    runs = [ivg(f"z{4 - k}", s, v_fwd=v, offset_a=1e-7 * k) for k, (s, v) in enumerate(zip(starts, cnps))]
    table = extract(runs[::-1], GEOMETRY)  # input order and run_id order both disagree with time
    every_leg = table[table["pair_previous_run_id"].notna()]
    # like legs: the forward legs (1) are compared, and so are the backward legs (2)
    assert every_leg.groupby("leg").size().to_dict() == {1: 8, 2: 8}
    pairs = every_leg[every_leg["leg"] == 1]
    assert pairs["metric_name"].value_counts().to_dict() == {"pair_cnp_shift_v": 4, "pair_max_abs_di_a": 4}
    for k in range(1, 5):
        rows = pairs[pairs["run_id"] == f"z{4 - k}"]
        assert set(rows["pair_previous_run_id"]) == {f"z{5 - k}"}
        got = dict(zip(rows["metric_name"], rows["value_float"]))
        assert got["pair_cnp_shift_v"] == pytest.approx(cnps[k] - cnps[k - 1], abs=1e-3)
        # Same device apart from the CNP and a constant current offset of 1e-7 A per run.
        assert got["pair_max_abs_di_a"] > 0.99e-7
    identical = extract([ivg("p", starts[0]), ivg("q", starts[1], offset_a=3e-8)])
    both_legs = identical.loc[identical["metric_name"] == "pair_max_abs_di_a", "value_float"]
    assert list(both_legs) == pytest.approx([3e-8, 3e-8], rel=1e-9)


def test_start_times_with_offsets_naive_or_unknown():
    """Offsets are converted to UTC and a time without one is UTC; runs whose time is missing or
    not ISO 8601 come last (by run_id) and their pairs are flagged unknown_start_time."""
    runs = [
        ivg("a", "2025-03-01T10:00:00+02:00"),  # 08:00 UTC
        ivg("b", "2025-03-01T09:00:00", offset_a=1e-7),  # 09:00 UTC
        ivg("c", "yesterday", offset_a=2e-7),
        ivg("d", None, offset_a=3e-7),
        ivg("e", "2025-03-01T08:30:00Z", offset_a=4e-7),
    ]
    table = extract(runs, GEOMETRY)
    pairs = table[(table["metric_name"] == "pair_max_abs_di_a") & (table["leg"] == 1)]
    assert list(zip(pairs["run_id"], pairs["pair_previous_run_id"], pairs["flags"])) == [
        ("b", "e", ""),
        ("c", "b", "unknown_start_time"),
        ("d", "c", "unknown_start_time"),
        ("e", "a", ""),
    ]


def test_pair_skipped_for_insufficient_overlap_and_failed_runs():
    runs = [
        ivg("a", "2025-03-01T09:00:00Z", v_fwd=-20.0, lo=-30.0, hi=-10.0),
        ivg("b", "2025-03-01T10:00:00Z", v_fwd=0.0, lo=-10.5, hi=30.0),  # 0.5 V in common with a
        ivg("c", "2025-03-01T11:00:00Z"),
        ivg("d", "2025-03-01T12:00:00Z"),
    ]
    runs[2][1]["i_a"] = np.full(
        runs[2][1]["i_a"].size, np.nan
    )  # c fails: both of its pairs are accounted for as skipped
    table = extract(runs, GEOMETRY)
    skipped = table[(table["metric_name"] == "pair_skipped") & (table["leg"].fillna(1) == 1)]
    assert list(zip(skipped["run_id"], skipped["pair_previous_run_id"], skipped["flags"])) == [
        ("b", "a", "insufficient_overlap"),
        ("c", "b", "run_failed"),
        ("d", "c", "run_failed"),
    ]
    assert skipped["value_float"].isna().all() and (skipped["unit"] == "").all()
    assert values(table, "c")["extraction_failed"][1] == "all_nan"


def test_failed_runs_become_rows_and_the_group_goes_on(monkeypatch):
    good = ivg("good", "2025-03-01T09:00:00Z")
    cases = {
        "missing_column:i_a": (dict(good[0]), {"vg_v": good[1]["vg_v"]}),
        "non_numeric:i_a": (dict(good[0]), {**good[1], "i_a": ["ERR"] * len(good[1]["i_a"])}),
        "unequal_column_lengths": (dict(good[0]), {**good[1], "i_a": good[1]["i_a"][:-1]}),
        "all_nan": (dict(good[0]), {**good[1], "i_a": np.full(len(good[1]["i_a"]), np.nan)}),
        "too_few_points": (dict(good[0]), {name: column[:3] for name, column in good[1].items()}),
        "no_gate_sweep": (dict(good[0]), {**good[1], "vg_v": np.full(len(good[1]["vg_v"]), 5.0)}),
        "missing_setting:vds_v": ({**good[0], "vds_v": None}, good[1]),
        "unknown_proc:IVd": ({**good[0], "proc": "IVd"}, good[1]),
    }
    runs = [good] + [({**meta, "run_id": f"bad-{reason}"}, data) for reason, (meta, data) in cases.items()]
    table = extract(runs, GEOMETRY)
    for reason in cases:
        rows = table[table["run_id"] == f"bad-{reason}"]
        failed = rows[rows["metric_name"] == "extraction_failed"]
        assert len(failed) == 1 and failed["flags"].iloc[0] == reason and failed["value_float"].isna().all()
    assert values(table, "good")["cnp_fwd_v"][0] == pytest.approx(2.0, abs=1e-3)

    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(metrics, "charge_neutrality_point", broken)
    assert values(extract([good]), "good") == {
        "extraction_failed": (pytest.approx(np.nan, nan_ok=True), "unexpected_error:RuntimeError")
    }


def test_one_way_sweep_has_no_backward_leg():
    got = values(extract([ivg("a", "2025-03-01T09:00:00Z", one_way=True)]), "a")
    assert got["cnp_fwd_v"][0] == pytest.approx(2.0, abs=1e-3)
    for name in ("cnp_bwd_v", "hysteresis_v"):
        assert np.isnan(got[name][0]) and got[name][1] == "no_backward_leg"


def test_real_transfer_curve(shared_data):
    """Keithley 4200 export (SourceI, DrainI, GateV; V_DS = 0.1 V), one forward sweep
    -30 -> +70 V: the Dirac point comes out within 0.5 V of +4.0 V."""
    curve = read_transfer_curve(
        shared_data / "graphene" / "gfet_transfer_curve.csv",
        chip_number=1,
        start_time_utc="2024-01-01T00:00:00Z",
        vds_v=0.1,
    )
    got = values(extract([({**curve.meta, "run_id": "keithley"}, curve.data)]), "keithley")
    assert got["cnp_fwd_v"] == (pytest.approx(4.0, abs=0.5), "")
    assert got["cnp_bwd_v"][1] == "no_backward_leg"
    assert got["modulation_ratio"][0] == pytest.approx(3.41, abs=0.01)


def test_it_photoresponse_and_relaxation_rows():
    meta, data = it("t1", [60, 60, 180, 60, 300], tau=20.0, beta=0.7, noise=0.001, seed=1)
    table = extract([(meta, data)])
    got = values(table, "t1")
    assert got["photoresponse_a"][0] == pytest.approx(2e-6, abs=3e-8)
    assert got["photoresponse_rel"][0] == pytest.approx(0.1, abs=2e-3)
    relax = table[table["segment"].notna()]
    assert relax["segment"].tolist() == [1, 2] * 3
    assert relax["metric_name"].tolist() == ["relax_beta"] * 2 + ["relax_r_squared"] * 2 + ["relax_tau_s"] * 2
    by_name = relax.groupby("metric_name")["value_float"]
    assert by_name.get_group("relax_tau_s").to_numpy() == pytest.approx([20.0, 20.0], rel=0.1)
    assert by_name.get_group("relax_beta").to_numpy() == pytest.approx([0.7, 0.7], abs=0.05)
    assert (by_name.get_group("relax_r_squared") > 0.9).all()
    assert (relax["flags"] == "").all()


def test_it_flags_for_short_segments_and_runs_without_light():
    short = it("t2", [60, 60, 30], tau=40.0)  # dark segment < 3 tau
    dark = it("t3", [200])  # never lit
    table = extract([short, dark])
    rows = table[(table["run_id"] == "t2") & (table["metric_name"] == "relax_tau_s")]
    assert rows["flags"].tolist() == ["short_segment"]
    got = values(table, "t3")
    assert set(got) == {"photoresponse_a", "photoresponse_rel", "relax_tau_s", "relax_beta", "relax_r_squared"}
    assert got["photoresponse_a"][1] == "no_light_step" and got["relax_tau_s"][1] == "no_dark_segment"
    assert all(np.isnan(v) for v, _ in got.values())


def test_empty_group():
    table = extract([])
    assert table.empty and list(table.columns) == [*METRIC_COLUMNS, *EXTRA_COLUMNS]
