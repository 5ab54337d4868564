"""Tests for shardflow.chips.runfiles: the instrument run-file reader, the transfer-curve reader, run ids."""

from __future__ import annotations

import re

import numpy as np
import pytest

from shardflow.chips.demo import demo_dates, write_demo_lab
from shardflow.chips.runfiles import (
    DATA_COLUMNS,
    PROCEDURES,
    TRANSFER_CURVE_COLUMNS,
    RunFileError,
    read_run,
    read_transfer_curve,
    run_id,
)

ISO_UTC = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$")


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    """A small demo lab (3 chips, 3 days, 3 runs a day) and its truth."""
    raw = tmp_path_factory.mktemp("raw")
    truth = write_demo_lab(raw, n_chips=3, dates=demo_dates("2025-03-04", 3), runs_per_chip_day=3, seed=11)
    return raw, truth


def _first_ok(lab, proc):
    raw, truth = lab
    row = truth[(truth.proc == proc) & (truth.kind == "ok")].iloc[0]
    return raw / row.date / row.filename, row


def _table_lines(path):
    """(1-based file line number, text) of each table row of a run file."""
    lines = path.read_text().split("\n")
    header = next(i for i, line in enumerate(lines) if not line.startswith("#"))
    return [(i + 1, line) for i, line in enumerate(lines) if i > header and line]


@pytest.mark.parametrize("proc", PROCEDURES)
def test_read_run_metadata_and_columns(lab, proc):
    path, row = _first_ok(lab, proc)
    run = read_run(path)
    meta = run.meta
    assert list(meta)[:3] == ["chip_number", "proc", "start_time_utc"]
    assert type(meta["chip_number"]) is int and meta["chip_number"] == row.chip_number
    assert meta["proc"] == proc
    assert ISO_UTC.match(meta["start_time_utc"]) and meta["start_time_utc"] == row.start_time_utc
    assert meta["start_time_utc"].startswith(row.date)
    assert meta["chip_group"] == "Demo"
    assert isinstance(meta["wavelength_nm"], float) and 300 < meta["wavelength_nm"] < 700
    assert isinstance(meta["led_voltage_v"], float)
    assert tuple(run.data) == DATA_COLUMNS[proc]
    assert run.n_points == len(_table_lines(path))
    for column in run.data.values():
        assert type(column) is np.ndarray and column.dtype == np.float64 and column.shape == (run.n_points,)
        assert not column.flags.writeable
    with pytest.raises(TypeError):
        run.data["vg_v"] = np.zeros(run.n_points)  # read-only mapping


def test_read_run_ivg_values(lab):
    path, row = _first_ok(lab, "IVg")
    run = read_run(path)
    meta, vg, current = run.meta, run.data["vg_v"], run.data["i_a"]
    assert meta["vds_v"] in (0.05, 0.1, 0.2)
    assert meta["sweep"] == "forward-backward"
    assert (meta["vg_start_v"], meta["vg_end_v"]) == (-30.0, 30.0)
    assert meta["vg_step_v"] in (0.2, 0.25, 0.5) and meta["step_time_s"] in (0.1, 0.2, 0.3)
    turn = int(vg.argmax())
    assert vg[0] == vg[-1] == -30.0 and vg[turn] == 30.0
    assert np.allclose(np.diff(vg[: turn + 1]), meta["vg_step_v"])
    assert np.allclose(np.diff(vg[turn : 2 * turn + 1]), -meta["vg_step_v"])
    cycles = meta.get("cycles", 1)  # a demo sweep of several cycles repeats the first
    assert vg.size == 2 * turn * cycles + 1 and np.array_equal(vg[2 * turn :], vg[: vg.size - 2 * turn])
    assert (current > 0).all() and current.max() < 1e-2
    first_line = _table_lines(path)[0][1]
    assert [float(x) for x in first_line.split(",")] == [vg[0], current[0]]


def test_read_run_vvg_and_it_values(lab):
    vvg = read_run(_first_ok(lab, "VVg")[0])
    assert vvg.meta["ids_a"] in (1e-6, 2e-6, 5e-6, 1e-5)  # written as "5 uA": exact after conversion
    assert (np.diff(vvg.data["t_s"]) > 0).all() and (vvg.data["vds_v"] > 0).all()
    it = read_run(_first_ok(lab, "It")[0])
    assert it.meta["sampling_time_s"] in (0.5, 1.0) and it.meta["led_voltage_v"] > 0
    assert np.allclose(np.diff(it.data["t_s"]), it.meta["sampling_time_s"])
    assert set(np.unique(it.data["vl_v"])) == {0.0, it.meta["led_voltage_v"]}


def test_header_normalisation(tmp_path):
    """Aliases, SI prefixes, ISO start time with offset, bare procedure, booleans, extra columns."""
    path = tmp_path / "run.csv"
    path.write_text(
        "#Procedure: IVg\n"
        "#Parameters:\n"
        "#\tChip number: 12\n"
        "#\tVDS: 100 mV\n"
        "#\tLED voltage: 3.5\n"
        "#\tLaser wavelength: 455 nm\n"
        "#\tLaser toggle: True\n"
        "#\tN_avg: 2\n"
        "#\tInformation: first run after anneal\n"
        "#Metadata:\n"
        "#\tStart time: 2025-03-04T10:12:33.9+01:00\n"
        "#Data:\n"
        "t (s),Vg (V),I (uA)\n"
        "0.0,-1.0,12.5\n"
        "0.1,0.0,10.0\n"
    )
    run = read_run(path)
    assert run.meta == {
        "chip_number": 12,
        "proc": "IVg",
        "start_time_utc": "2025-03-04T09:12:33Z",
        "vds_v": 0.1,
        "led_voltage_v": 3.5,
        "wavelength_nm": 455.0,
        "laser_toggle": True,
        "n_avg": 2.0,
        "information": "first run after anneal",
    }
    assert list(run.data) == ["vg_v", "i_a"]
    assert run.data["vg_v"].tolist() == [-1.0, 0.0]
    assert run.data["i_a"].tolist() == [12.5e-6, 10e-6]


def test_unix_start_time_is_floored_to_the_second(lab):
    path, row = _first_ok(lab, "It")
    text = path.read_text()
    unix = float(re.search(r"Start time: ([0-9.]+)", text).group(1))
    assert unix % 1 != 0
    assert read_run(path).meta["start_time_utc"] == row.start_time_utc


def _good_text(lab, proc="IVg"):
    path, _ = _first_ok(lab, proc)
    return path, path.read_text()


def _raises(tmp_path, text, *patterns, name="broken.csv"):
    """Write ``text``, read it, and check the error starts with the path and matches every pattern."""
    path = tmp_path / name
    path.write_text(text)
    with pytest.raises(RunFileError) as info:
        read_run(path)
    message = str(info.value)
    assert message.startswith(str(path)), message
    for pattern in patterns:
        assert re.search(pattern, message), (pattern, message)
    return message


def test_truncated_mid_row_names_the_line(lab, tmp_path):
    path, text = _good_text(lab)
    lineno, line = _table_lines(path)[40]
    cut = text.index("\n" + line + "\n") + 1 + len(line) // 2
    _raises(tmp_path, text[:cut], rf"line {lineno}: truncated")


def test_truncated_inside_header(lab, tmp_path):
    _, text = _good_text(lab)
    _raises(tmp_path, text[: text.index("#Data:") + 3], r"line \d+: truncated: the file ends inside its header")


@pytest.mark.parametrize(
    ("drop", "label"),
    [("#Procedure:", "Procedure"), ("#\tChip number:", "Chip number"), ("#\tStart time:", "Start time")],
)
def test_missing_metadata(lab, tmp_path, drop, label):
    _, text = _good_text(lab)
    broken = "\n".join(line for line in text.split("\n") if not line.startswith(drop))
    _raises(tmp_path, broken, rf"missing metadata '{label}'")


@pytest.mark.parametrize("cell", ["ERR", "", "--", "nan", "inf"])
def test_bad_cell_names_line_and_column(lab, tmp_path, cell):
    path, text = _good_text(lab, "VVg")
    lineno, line = _table_lines(path)[100]
    fields = line.split(",")
    bad = ",".join([fields[0], cell, fields[2]])
    what = "non-finite value" if cell in ("nan", "inf") else "non-numeric cell"
    _raises(
        tmp_path,
        text.replace("\n" + line + "\n", "\n" + bad + "\n"),
        rf"line {lineno}, column 'VDS \(V\)': {what} '{cell}'",
    )


def test_row_with_wrong_field_count(lab, tmp_path):
    path, text = _good_text(lab, "It")
    lineno, line = _table_lines(path)[10]
    _raises(
        tmp_path,
        text.replace("\n" + line + "\n", "\n" + line + ",1.0\n"),
        rf"line {lineno}: 4 field\(s\), the table has 3",
    )


@pytest.mark.parametrize(
    ("old", "new", "pattern"),
    [
        (r"<demo_lab\.procedures\.IVg>", "<demo_lab.procedures.Transfer>", r"line 1: unknown procedure"),
        (r"Vg \(V\),I \(A\)", "Vg (V),Id (A)", r"missing column\(s\) i_a; the table has Vg \(V\), Id \(A\)"),
        (r"Vg \(V\),I \(A\)", "Vg (V),Vg (V)", r"duplicated column\(s\) vg_v"),
        (r"Chip number: \d+", "Chip number: 7b", r"line 4: chip number '7b' is not an integer"),
        (r"Chip number: \d+", "Chip number: 7.5", r"chip number '7.5' is not an integer"),
        (
            r"Drain-Source voltage: .*",
            "Drain-Source voltage: 5 uA",
            r"line 5: 'Drain-Source voltage' is in 'uA', expected a unit of 'v'",
        ),
        (r"Drain-Source voltage: .*", "Drain-Source voltage: high", r"'Drain-Source voltage' = 'high' is not a number"),
        (r"Start time: .*", "Start time: yesterday", r"start time 'yesterday' is neither Unix seconds nor ISO 8601"),
        (r"#\tSweep:", "#\tChip number: 3\n#\tSweep:", r"'Chip number' repeats line 4"),
    ],
)
def test_invalid_header_or_columns(lab, tmp_path, old, new, pattern):
    _, text = _good_text(lab)
    broken, count = re.subn(old, lambda _: new, text, count=1)
    assert count == 1
    _raises(tmp_path, broken, pattern)


def test_empty_table_and_unreadable_file(lab, tmp_path):
    _, text = _good_text(lab)
    _raises(tmp_path, text[: text.index("Vg (V),I (A)\n") + len("Vg (V),I (A)\n")], r"the table has no rows")
    binary = tmp_path / "binary.csv"
    binary.write_bytes(b"\xff\xfe#\x00")
    with pytest.raises(RunFileError, match=r"cannot read the run file as UTF-8"):
        read_run(binary)


def test_demo_broken_files_raise(lab, tmp_path):
    """Every broken kind the generator makes (a larger lab, so all three occur) is refused with its reason."""
    raw = tmp_path / "raw"
    truth = write_demo_lab(raw, n_chips=8, dates=demo_dates("2025-03-01", 10), runs_per_chip_day=4, seed=7)
    broken = truth[truth.kind != "ok"]
    assert set(broken.kind) == {"truncated", "missing_metadata", "non_numeric"}
    expected = {
        "truncated": r"line \d+: truncated",
        "missing_metadata": r"missing metadata",
        "non_numeric": r"line \d+, column '[^']+': non-numeric cell",
    }
    for row in broken.itertuples():
        path = raw / row.date / row.filename
        with pytest.raises(RunFileError) as info:
            read_run(path)
        assert str(info.value).startswith(str(path))
        assert re.search(expected[row.kind], str(info.value)), str(info.value)


@pytest.fixture(scope="module")
def transfer_curve(shared_data):
    path = shared_data / "graphene" / "gfet_transfer_curve.csv"
    if not path.is_file():
        pytest.skip(f"transfer curve not found at {path}")
    return path


def test_read_transfer_curve_real_file(transfer_curve):
    run = read_transfer_curve(transfer_curve, chip_number=15, start_time_utc="2024-05-02 14:30:00", vds_v=0.1)
    assert run.meta == {"chip_number": 15, "proc": "IVg", "start_time_utc": "2024-05-02T14:30:00Z", "vds_v": 0.1}
    vg, current = run.data["vg_v"], run.data["i_a"]
    assert list(run.data) == ["vg_v", "i_a"] and run.n_points == 201
    assert vg.dtype == current.dtype == np.float64 and vg.shape == current.shape == (201,)
    assert vg[0] == -30.0 and vg[-1] == 70.0
    assert (np.diff(vg) > 0).all()
    i_min = np.abs(current).min()
    assert abs(i_min - 50.9e-6) < 0.1e-6
    assert abs(vg[np.abs(current).argmin()] - 4.0) <= 0.5


def test_read_transfer_curve_errors(transfer_curve, tmp_path):
    with pytest.raises(RunFileError, match=r"no column 'Vgate' \(vg_v\); the file has SourceI, DrainI, GateV") as info:
        read_transfer_curve(
            transfer_curve,
            chip_number=1,
            start_time_utc="2024-05-02T14:30:00Z",
            vds_v=0.1,
            columns={**TRANSFER_CURVE_COLUMNS, "vg_v": "Vgate"},
        )
    assert str(info.value).startswith(str(transfer_curve))
    bad = tmp_path / "curve.csv"
    bad.write_text("SourceI,DrainI,GateV\n1e-6,1e-6,-1\n1e-6,oops,0\n")
    with pytest.raises(RunFileError, match=r"line 3, column 'DrainI': non-numeric cell 'oops'"):
        read_transfer_curve(bad, chip_number=1, start_time_utc="1714660200", vds_v=0.1)
    bad.write_text("SourceI,DrainI,GateV\n1e-6,1e-6,-1\n\n1e-6,1e-6,0\n1e-6,nan,1\n")
    with pytest.raises(RunFileError, match=r"line 5, column 'DrainI': non-finite value 'nan'"):
        read_transfer_curve(bad, chip_number=1, start_time_utc="1714660200", vds_v=0.1)
    with pytest.raises(RunFileError, match=r"start time 'soon'"):
        read_transfer_curve(transfer_curve, chip_number=1, start_time_utc="soon", vds_v=0.1)


def test_run_id():
    assert run_id("2025-03-04", "chip07_IVg_003.csv") == "2025-03-04_chip07_IVg_003"
    assert run_id("2025-03-04", "chip07_IVg_003") == "2025-03-04_chip07_IVg_003"
    odd = [run_id("2025-03-04", name) for name in ("chip 7=IVg.csv", "chip_7_IVg.csv", "chip/7=IVg.csv")]
    assert len(set(odd)) == 3
    for value in odd:
        assert re.fullmatch(r"[A-Za-z0-9._-]+", value)
    assert odd[0] == run_id("2025-03-04", "chip 7=IVg.csv") and re.fullmatch(
        r"2025-03-04_chip_7_IVg-[0-9a-f]{8}", odd[0]
    )
