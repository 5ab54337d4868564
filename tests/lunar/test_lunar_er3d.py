"""Tests for shardflow.lunar.er3d (the 3DYYMMDD.TAB reader) and the instrument tables."""

from __future__ import annotations

import numpy as np
import pytest

from shardflow.config import schema_defaults
from shardflow.lunar.demo import ENERGIES_EV, demo_file_name, write_demo
from shardflow.lunar.er3d import N_FIELDS, ER3DFileError, read_er3d
from shardflow.lunar.instrument import THETA_DEG, channel_tables, read_theta_table
from shardflow.lunar.kernels import write_moon_pck

SPACECRAFT = schema_defaults()["lunar"]["spacecraft"]

N_SPECTRA = 12


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    """One clean demo day of 12 spectra (read-only) and its truth."""
    root = tmp_path_factory.mktemp("er3d")
    write_moon_pck(root / "moon.tpc")
    truth = write_demo(
        root, ["1998-04-20"], N_SPECTRA, seed=3, pck=root / "moon.tpc", malformed_day=None, spacecraft=SPACECRAFT
    )
    return root / "er" / demo_file_name("1998-04-20"), truth


def _lines(path):
    return path.read_text().splitlines(keepends=True)


def _write(tmp_path, lines, name="3D980420.TAB"):
    path = tmp_path / name
    path.write_text("".join(lines))
    return path


def test_well_formed_file_gives_every_spectrum_with_energies_ascending(demo):
    path, truth = demo
    result = read_er3d(path)
    s = result.spectra
    assert len(s) == N_SPECTRA and not result.malformed and not result.line_errors
    assert s.spec_no.tolist() == list(range(1, N_SPECTRA + 1))
    assert s.line.tolist() == [1 + 15 * k for k in range(N_SPECTRA)]
    np.testing.assert_allclose(s.time_unix, truth["time_unix"].to_numpy())
    np.testing.assert_allclose(s.energy_ev[0], np.round(ENERGIES_EV, 2))  # written high to low, read ascending
    assert (
        s.flux.shape == (N_SPECTRA, 15, 88)
        and s.phi_deg.shape == (N_SPECTRA, 15, 88)
        and s.b_nt.shape == (N_SPECTRA, 15, 3)
    )
    np.testing.assert_allclose(np.linalg.norm(s.b_nt[:, 0], axis=1), truth["b_nt"].to_numpy(), rtol=1e-3)
    assert set(s.source_file) == {path.name}
    assert s.utc[0] == "1998-04-20T00:00:20"


def test_fill_values_become_nan_and_zero_flux_stays_zero(demo, tmp_path):
    path, _ = demo
    lines = _lines(path)
    fields = lines[2].split()
    fields[7], fields[8], fields[7 + 88] = "9.999E-99", "-9.99E-99", "999.99"
    fields[9] = "0.000E+00"
    lines[2] = " ".join(fields) + "\n"
    s = read_er3d(_write(tmp_path, lines)).spectra
    row = 12  # line 3 is the third-highest energy: row 12 once sorted ascending
    assert np.isnan(s.flux[0, row, 0]) and np.isnan(s.flux[0, row, 1]) and np.isnan(s.phi_deg[0, row, 0])
    assert s.flux[0, row, 2] == 0.0
    assert np.isfinite(s.flux[0, row, 3:]).all()


def _set_field(lines, index, field, value):
    fields = lines[index].split()
    fields[field] = value
    lines[index] = " ".join(fields) + "\n"


@pytest.mark.parametrize(
    ("edit", "reason"),
    [
        (lambda ls: _set_field(ls, 20, 50, "*********"), "field 51 ('*********') is not a number"),
        (lambda ls: ls.__setitem__(20, " ".join(ls[20].split()[:100]) + "\n"), "100 fields, expected 183"),
        (lambda ls: _set_field(ls, 20, 0, "1998-14-20T00:21:00"), "is not a PDS time"),
    ],
    ids=["overflow", "short_row", "bad_utc"],
)
def test_a_malformed_row_names_its_line_and_loses_only_its_spectrum(demo, tmp_path, edit, reason):
    path, _ = demo
    lines = _lines(path)
    edit(lines)
    result = read_er3d(_write(tmp_path, lines))
    assert len(result.spectra) == N_SPECTRA - 1
    assert 2 not in result.spectra.spec_no  # line 21 is in spectrum 2 (lines 16-30)
    assert [(e[0], reason in e[1], e[1].startswith("3D980420.TAB line 21")) for e in result.line_errors] == [
        (21, True, True)
    ]
    (bad,) = result.malformed
    assert (bad.line, bad.spec_no, bad.row_error) == (16, 2, True)
    assert "lines 16-30" in bad.reason and reason in bad.reason


def test_missing_row_and_spread_out_times_make_a_malformed_spectrum(demo, tmp_path):
    path, _ = demo
    lines = _lines(path)
    fields = lines[47].split()
    fields[1] = f"{float(fields[1]) + 500:.3f}"
    lines[47] = " ".join(fields) + "\n"  # spectrum 4 (lines 46-60): a row 500 s later
    del lines[20]  # spectrum 2 loses a row
    result = read_er3d(_write(tmp_path, lines))
    assert sorted(result.spectra.spec_no.tolist()) == [s for s in range(1, N_SPECTRA + 1) if s not in (2, 4)]
    reasons = {m.spec_no: m.reason for m in result.malformed}
    assert reasons[2] == "3D980420.TAB lines 16-29: 14 rows, expected 15"
    assert "time spreads over more than 120 s" in reasons[4]
    assert not result.line_errors and not any(m.row_error for m in result.malformed)


def test_spectra_not_on_the_day_of_the_file_name_are_not_taken(demo, tmp_path):
    path, truth = demo
    lines = _lines(path)
    misnamed = read_er3d(_write(tmp_path, lines, name="3D980421.TAB"))  # a day of 1998-04-20 named for the 21st
    assert len(misnamed.spectra) == 0 and not misnamed.line_errors
    assert [m.status for m in misnamed.malformed] == ["wrong_day"] * N_SPECTRA
    assert [m.spec_no for m in misnamed.malformed] == list(range(1, N_SPECTRA + 1))
    assert misnamed.malformed[1].reason == (
        "3D980421.TAB lines 16-30: time 1998-04-20T00:01:40Z is not on the day of the file's name, 1998-04-21"
    )
    assert misnamed.malformed[0].time_unix == truth["time_unix"][0]
    assert misnamed.day_error == (
        1,
        f"3D980421.TAB: {N_SPECTRA} spectra (first at line 1, last at line {1 + 15 * (N_SPECTRA - 1)}) are on "
        "1998-04-20, not on the day of the file's name, 1998-04-21; they are not processed",
    )
    # the last second of the day is on it, the next is not
    day_end = float(np.datetime64("1998-04-21", "s").astype(np.int64))
    for k, t in ((0, day_end - 1.0), (1, day_end)):
        for i in range(15 * k, 15 * k + 15):
            fields = lines[i].split()
            fields[1] = f"{t:.3f}"
            lines[i] = " ".join(fields) + "\n"
    result = read_er3d(_write(tmp_path, lines))
    assert [(m.spec_no, m.status) for m in result.malformed] == [(2, "wrong_day")]
    assert "1998-04-21T00:00:00Z" in result.malformed[0].reason and result.day_error[0] == 16
    assert read_er3d(_write(tmp_path, lines, name="day.tab")).day_error is None  # no day in the name: no check


def test_cut_file_blank_lines_and_spaces_around_fields(demo, tmp_path):
    path, _ = demo
    lines = _lines(path)
    lines[3] = "   " + lines[3].replace(" ", "  ")  # leading and doubled spaces
    lines.insert(40, "\n")  # a blank line inside spectrum 3 keeps the numbering of the others
    text = "".join(lines)
    cut = _write(tmp_path, [text[: len(text) - 30]])
    result = read_er3d(cut)
    assert len(result.spectra) == N_SPECTRA - 1
    assert result.spectra.line[2] == 31
    assert result.line_errors == [(181, "3D980420.TAB line 181: last line has no newline (file cut short)")]
    assert result.malformed[0].spec_no == N_SPECTRA


def test_files_that_cannot_be_read_raise_naming_the_file(tmp_path):
    empty = tmp_path / "3D980401.TAB"
    empty.write_text("")
    binary = tmp_path / "3D980402.TAB"
    binary.write_bytes(bytes(range(256)) * 20)
    wrong = tmp_path / "3D980403.TAB"
    wrong.write_text("this is not\nan ER file\n")
    for path, message in (
        (empty, "empty file"),
        (binary, "not a text table"),
        (wrong, "no well-formed row"),
        (tmp_path / "3D980404.TAB", "cannot be read"),
    ):
        with pytest.raises(ER3DFileError, match=message) as err:
            read_er3d(path)
        assert str(err.value).startswith(str(path))


def test_layout_constants_and_theta_table(tmp_path):
    assert N_FIELDS == 183
    solid_angle, dt = channel_tables()
    assert solid_angle.sum() == pytest.approx(4 * np.pi, rel=1e-5)
    assert dt[0] == 2.5 / 4 and dt[40] == 2.5 / 16
    table = tmp_path / "THETA.TAB"
    table.write_text("\n".join(f"{t:.2f}" for t in THETA_DEG[::-1]) + "\n")
    np.testing.assert_array_equal(read_theta_table(table), THETA_DEG[::-1])
    table.write_text("78.75 12.0\n")
    with pytest.raises(ValueError, match="2 inclinations"):
        read_theta_table(table)
