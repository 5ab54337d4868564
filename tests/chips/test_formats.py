"""Described formats: each layout (whitespace, header or not, comment lines, columns by name or
position with units, pattern metadata with a date folder in any strftime form, sidecar index,
spreadsheet), unmatched and unreadable files as staging errors, and bad descriptions."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from shardflow.chips.formats import FormatError, day_folders, load_formats, parse_formats, read_described
from shardflow.chips.lightsteps import light_from_steps
from shardflow.chips.staging import read_partition, stage_date

VG = np.concatenate([np.linspace(-10, 10, 41), np.linspace(9.5, -10, 40)])
CURRENT = 1e-6 * (1.0 + 0.01 * (VG - 2.0) ** 2)  # A, minimum at +2 V

IVG_TABLE = {
    "name": "sweeps",
    "folder": "lab_%d%m%Y",
    "files": "*-Vg-*.dat",
    "reader": "table",
    "proc": "IVg",
    "table": {"delimiter": "whitespace", "header": False, "comment": "%"},
    "columns": {"vg_v": {"position": 1}, "i_a": {"position": 3, "unit": "uA"}},
    "metadata": {
        "pattern": r"/dev(?P<chip_number>\d+)-Vg-(?P<light>dark|lit)",
        "values": {"light": {"dark": False, "lit": True}},
        "constants": {"vds_v": 0.01},
    },
}


def write_whitespace(path, vg=VG, current=CURRENT):
    path.parent.mkdir(parents=True, exist_ok=True)
    rows = "".join(f"{v:.3f}\t {1e-9:.3e}   {i * 1e6:.6e}\n" for v, i in zip(vg, current))
    path.write_text("% a comment line before the table\n" + rows)


def test_whitespace_table_without_header_pattern_metadata_and_folder_date(tmp_path):
    (fmt,) = parse_formats([IVG_TABLE], "test")
    path = tmp_path / "lab_19032024" / "dev3-Vg-lit.dat"
    write_whitespace(path)
    assert day_folders([fmt], tmp_path) == {"2024-03-19": "lab_19032024"}
    run = read_described(fmt, path, tmp_path, "2024-03-19")
    assert run.meta["chip_number"] == 3 and run.meta["proc"] == "IVg"
    assert run.meta["light"] is True and run.meta["vds_v"] == 0.01 and run.meta["format"] == "sweeps"
    # no start time in the file: the folder's day at 00:00 UTC, and said to be only a day
    assert run.meta["start_time_utc"] == "2024-03-19T00:00:00Z" and run.meta["time_of_day_known"] is False
    np.testing.assert_allclose(run.data["vg_v"], VG, atol=1e-3)
    np.testing.assert_allclose(run.data["i_a"], CURRENT, rtol=1e-6)  # written in uA, read in A


def test_comma_table_with_header_columns_by_name_and_sidecar_index(tmp_path):
    fmt = {
        "name": "indexed",
        "files": "*.txt",
        "reader": "table",
        "table": {"delimiter": ";", "header": True},
        "columns": {"vg_v": {"name": "Gate"}, "i_a": {"name": "Drain", "unit": "mA"}},
        "metadata": {"index": "index.csv"},
    }
    (parsed,) = parse_formats([fmt], "test")
    day = tmp_path / "2024-05-02"
    day.mkdir()
    (day / "sweep_a.txt").write_text("Drain;Gate\n" + "".join(f"{i * 1e3};{v}\n" for v, i in zip(VG, CURRENT)))
    (day / "index.csv").write_text(
        "file,chip,procedure,start time,V_DS (mV),light\nsweep_a.txt,12,IVg,2024-05-02T10:30:00,50,false\n"
    )
    run = read_described(parsed, day / "sweep_a.txt", tmp_path, "2024-05-02")
    assert run.meta["chip_number"] == 12 and run.meta["proc"] == "IVg"
    assert run.meta["start_time_utc"] == "2024-05-02T10:30:00Z" and "time_of_day_known" not in run.meta
    assert run.meta["vds_v"] == pytest.approx(0.05) and run.meta["light"] is False
    np.testing.assert_allclose(run.data["i_a"], CURRENT, rtol=1e-9)
    np.testing.assert_allclose(run.data["vg_v"], VG)

    manifest, errors = stage_date(day, "2024-05-02", tmp_path / "stage", [parsed])
    assert len(manifest) == 1 and errors.is_empty()  # the index itself is neither a run nor an error


def write_xlsx(path: Path, frame: pd.DataFrame, sheet: str) -> None:
    with pd.ExcelWriter(path, engine="openpyxl") as writer:
        frame.to_excel(writer, sheet_name=sheet, index=False)


def write_xls(path: Path, frame: pd.DataFrame, sheet: str) -> None:
    """An Excel 97-2003 workbook (BIFF8, what older Keithley software exports), written with
    xlwt, a test-only dependency: pandas no longer writes .xls."""
    import xlwt

    book = xlwt.Workbook()
    cells = book.add_sheet(sheet)
    for col, name in enumerate(frame.columns):
        cells.write(0, col, name)
        for row, value in enumerate(frame[name], start=1):
            cells.write(row, col, float(value))
    book.add_sheet("Notes").write(0, 0, "a second sheet the format does not name")
    book.save(str(path))


@pytest.mark.parametrize("suffix, write", [("xlsx", write_xlsx), ("xls", write_xls)])
def test_spreadsheet_export(tmp_path, suffix, write):
    day = tmp_path / "2024-06-01"
    day.mkdir()
    frame = pd.DataFrame({"SourceI": -CURRENT, "DrainI": CURRENT, "GateV": VG})
    write(day / f"keithley.{suffix}", frame, "Run1")
    (fmt,) = parse_formats(
        [
            {
                "name": "keithley",
                "files": f"*.{suffix}",
                "reader": "spreadsheet",
                "proc": "IVg",
                "table": {"sheet": "Run1"},
                "columns": {"vg_v": {"name": "GateV"}, "i_a": {"name": "DrainI"}},
                "metadata": {"constants": {"chip_number": 4, "vds_v": 0.1}},
            }
        ],
        "test",
    )
    run = read_described(fmt, day / f"keithley.{suffix}", tmp_path, "2024-06-01")
    assert run.meta["chip_number"] == 4 and run.meta["vds_v"] == 0.1
    np.testing.assert_allclose(run.data["i_a"], CURRENT)
    np.testing.assert_allclose(run.data["vg_v"], VG)
    manifest, errors = stage_date(day, "2024-06-01", tmp_path / "stage", [fmt])
    assert manifest["source_file"].to_list() == [f"keithley.{suffix}"] and errors.is_empty()


def test_unmatched_and_unreadable_files_are_staging_errors_and_ignored_files_are_not(tmp_path):
    formats = parse_formats(
        [IVG_TABLE, {"name": "notes", "folder": "lab_%d%m%Y", "files": "README*", "reader": "ignore"}], "test"
    )
    day = tmp_path / "lab_01022024"
    write_whitespace(day / "dev1-Vg-dark.dat")
    write_whitespace(day / "dev1-Vsd-dark.dat")  # no format takes it
    (day / "dev2-Vg-dark.dat").write_text("1.0 2.0 3.0\n1.0 oops 3.0\n")  # taken, but unreadable
    (day / "README.md").write_text("notes")
    (day / ".snakemake_timestamp").write_text("")
    manifest, errors = stage_date(day, "2024-02-01", tmp_path / "stage", formats)
    assert manifest["source_file"].to_list() == ["dev1-Vg-dark.dat"]
    reasons = dict(zip(errors["source_file"], errors["reason"]))
    assert set(reasons) == {"dev1-Vsd-dark.dat", "dev2-Vg-dark.dat"}
    assert "no format takes this file" in reasons["dev1-Vsd-dark.dat"]
    assert "line 2, column 2: non-numeric cell 'oops'" in reasons["dev2-Vg-dark.dat"]
    staged = read_partition(tmp_path / "stage" / manifest["path"][0])
    np.testing.assert_allclose(staged["i_a"], CURRENT, rtol=1e-6)
    assert json.loads(manifest["settings"][0])["format"] == "sweeps"


def test_the_default_format_reports_a_dat_file_instead_of_ignoring_it(tmp_path):
    day = tmp_path / "2025-01-02"
    write_whitespace(day / "run.dat")
    formats, source = load_formats([], tmp_path)
    assert source is None and [f.reader for f in formats] == ["run_file"]
    manifest, errors = stage_date(day, "2025-01-02", tmp_path / "stage", formats)
    assert manifest.is_empty() and errors["source_file"].to_list() == ["run.dat"]
    assert "no format takes this file" in errors["reason"][0]


def test_formats_yaml_in_the_raw_folder_and_config_precedence(tmp_path):
    (tmp_path / "formats.yaml").write_text("formats:\n  - name: mine\n    files: '*.dat'\n    reader: run_file\n")
    formats, source = load_formats([], tmp_path)
    assert source == str(tmp_path / "formats.yaml") and formats[0].name == "mine"
    formats, source = load_formats([IVG_TABLE], tmp_path)
    assert source is None and formats[0].name == "sweeps"


@pytest.mark.parametrize(
    "change, message",
    [
        ({"reader": "excel"}, "reader 'excel'"),
        ({"proc": "IVsd"}, "proc 'IVsd'"),
        ({"folder": "lab"}, "no strftime field"),
        ({"columns": {"vg_v": {"position": 1}}}, "needs the column(s) i_a"),
        ({"columns": {"vg_v": {"position": 1}, "i_a": {"position": 3, "unit": "V"}}}, "not a unit of i_a"),
        ({"columns": {"vg_v": {"position": 0}, "i_a": {"position": 3}}}, "position counts from 1"),
        ({"metadata": {"pattern": "(?P<chip"}}, "not a regular expression"),
        ({"colums": {}}, "unknown key(s) colums"),
    ],
)
def test_bad_descriptions_are_rejected_with_the_reason(change, message):
    with pytest.raises(FormatError, match="test: format 'sweeps'") as err:
        parse_formats([{**IVG_TABLE, **change}], "test")
    assert message in str(err.value)


def test_two_folders_of_one_day_are_an_error(tmp_path):
    (tmp_path / "lab_01022024").mkdir()
    (tmp_path / "run_2024-02-01").mkdir()
    formats = parse_formats([IVG_TABLE, {**IVG_TABLE, "name": "other", "folder": "run_%Y-%m-%d"}], "test")
    with pytest.raises(FormatError, match="both the day 2024-02-01"):
        day_folders(formats, tmp_path)


def test_light_from_steps_finds_hand_switched_light():
    """Dark 20 s, then light on/off every 10 s, 0.4 s sampling, steps of -3 % (a negative
    photoresponse) with a small drift and 0.05 % noise: the switch times are found."""
    rng = np.random.default_rng(2)
    t = np.arange(0.0, 80.0, 0.4)
    switches = [20.0, 30.0, 40.0, 50.0, 60.0, 70.0]
    lit = np.searchsorted(switches, t, side="right") % 2 == 1
    current = 1e-5 * (1.0 - 0.03 * lit + 1e-4 * t / 80.0 + 5e-4 * rng.standard_normal(t.size))
    state, found = light_from_steps(t, current)
    np.testing.assert_allclose(found, switches, atol=0.41)
    assert (state.astype(bool) == lit).mean() > 0.97
    quiet, none = light_from_steps(t, 1e-5 * (1.0 + 5e-4 * rng.standard_normal(t.size)))
    assert none.size == 0 and quiet.sum() == 0  # noise alone: no switch
