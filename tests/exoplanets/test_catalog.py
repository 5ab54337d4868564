"""Tests for shardflow.exoplanets.catalog: reading, validating and batching the target catalog."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from shardflow.exoplanets.catalog import CatalogError, assign_batches, read_catalog

HEADER = "target_id,mission,period,depth,duration,epoch,label"


def write(tmp_path, text: str, name: str = "catalog.csv"):
    path = tmp_path / name
    path.write_text(text)
    return path


def test_valid_catalog_types_nan_and_lines(tmp_path):
    path = write(
        tmp_path,
        HEADER + ",path,snr_expected,sector,note\n"
        "001,TESS,3.1,2000,2.88,2459001.6,planet,001.fits,12.5,3,bright\n"
        "TIC 42,TESS,,,,,no_transit,42.fits,,4,\n"
        "K2-3, K2 ,10.0545,1300,2.6,2456813.4,planet,k2.fits,7,1,M dwarf\n",
    )
    df = read_catalog(path)

    assert list(df["target_id"]) == ["001", "TIC 42", "K2-3"]  # ids stay text, leading zeros kept
    assert list(df["catalog_line"]) == [2, 3, 4]
    for col in ("period", "depth", "duration", "epoch"):
        assert df[col].dtype == np.float64
    assert df.loc[0, "period"] == 3.1
    assert df.loc[2, "epoch"] == 2456813.4
    assert df.loc[1, ["period", "depth", "duration", "epoch"]].isna().all()
    assert df.loc[2, "mission"] == "K2"  # surrounding spaces stripped

    # Extra columns holding only numbers (or blanks) become numbers; the rest stay text.
    assert pd.api.types.is_numeric_dtype(df["snr_expected"])
    assert df.loc[0, "snr_expected"] == 12.5 and np.isnan(df.loc[1, "snr_expected"])
    assert pd.api.types.is_numeric_dtype(df["sector"])
    assert list(df["sector"]) == [3, 4, 1]
    for col in ("mission", "label", "path", "note"):
        assert not pd.api.types.is_numeric_dtype(df[col])
    assert list(df["path"]) == ["001.fits", "42.fits", "k2.fits"]
    assert list(df["note"]) == ["bright", "", "M dwarf"]


def test_missing_column_names_file_and_column(tmp_path):
    path = write(tmp_path, "target_id,mission,period,depth,duration,label\nA,TESS,1,2,3,planet\n")
    with pytest.raises(CatalogError) as err:
        read_catalog(path)
    msg = str(err.value)
    assert str(path) in msg
    assert "epoch" in msg


def test_header_only_catalog_is_rejected(tmp_path):
    path = write(tmp_path, HEADER + "\n")
    with pytest.raises(CatalogError, match="no rows"):
        read_catalog(path)


def test_duplicate_target_id_names_both_lines_and_the_id(tmp_path):
    path = write(
        tmp_path,
        HEADER + "\nA,TESS,1,2,3,4,planet\nDUP7,TESS,1,2,3,4,planet\nB,TESS,1,2,3,4,planet\nDUP7,TESS,5,6,7,8,planet\n",
    )
    with pytest.raises(CatalogError) as err:
        read_catalog(path)
    msg = str(err.value)
    assert str(path) in msg
    assert "DUP7" in msg
    assert "lines 3, 5" in msg


@pytest.mark.parametrize("column", ["period", "depth", "duration", "epoch"])
def test_non_numeric_value_names_file_line_column_and_value(tmp_path, column):
    values = {"period": "1", "depth": "2", "duration": "3", "epoch": "4"}
    values[column] = "abc"
    bad = f"B,TESS,{values['period']},{values['depth']},{values['duration']},{values['epoch']},planet"
    path = write(tmp_path, HEADER + "\nA,TESS,1,2,3,4,planet\n" + bad + "\nC,TESS,1,2,3,4,planet\n")
    with pytest.raises(CatalogError) as err:
        read_catalog(path)
    msg = str(err.value)
    assert str(path) in msg
    assert "line 3" in msg
    assert f"column {column}" in msg
    assert "abc" in msg


def test_optional_star_radius_is_validated(tmp_path):
    path = write(
        tmp_path,
        HEADER + ",star_radius,star_mass\nA,TESS,1,2,3,4,planet,0.405,0.4\nB,TESS,1,2,3,4,planet,big,1.0\n",
    )
    with pytest.raises(CatalogError) as err:
        read_catalog(path)
    msg = str(err.value)
    assert str(path) in msg
    assert "line 3" in msg and "column star_radius" in msg and "big" in msg


def test_optional_star_columns_become_float64(tmp_path):
    path = write(
        tmp_path,
        HEADER + ",star_radius,star_mass\nA,TESS,1,2,3,4,planet,0.405,0.4\nB,TESS,1,2,3,4,planet,,\n",
    )
    df = read_catalog(path)
    assert df["star_radius"].dtype == np.float64 and df["star_mass"].dtype == np.float64
    assert df.loc[0, "star_radius"] == 0.405
    assert np.isnan(df.loc[1, "star_mass"])


def test_catalog_line_counts_file_lines_across_a_blank_line(tmp_path):
    path = write(tmp_path, HEADER + "\nA,TESS,1,2,3,4,planet\n\nB,TESS,1,2,3,4,planet\n")
    assert list(read_catalog(path)["catalog_line"]) == [2, 4]


def test_error_lines_count_quoted_newlines_and_blank_lines(tmp_path):
    path = write(tmp_path, HEADER + ',note\nA,TESS,1,2,3,4,planet,"two\nlines"\n\nB,TESS,x,2,3,4,planet,\n')
    with pytest.raises(CatalogError, match=r"line 5, column period: 'x' is not a number"):
        read_catalog(path)


def test_a_row_with_the_wrong_number_of_fields_is_named(tmp_path):
    path = write(tmp_path, HEADER + "\nA,TESS,1,2,3,4,planet\nB,TESS,1,2\n")
    with pytest.raises(CatalogError, match=r"line 3: 4 fields, the header has 7"):
        read_catalog(path)


def test_assign_batches_follows_catalog_order(tmp_path):
    rows = "".join(f"T{i},TESS,1,2,3,4,planet\n" for i in range(7))
    catalog = read_catalog(write(tmp_path, HEADER + "\n" + rows))
    out = assign_batches(catalog, 3)
    assert list(out["batch"]) == [0, 0, 0, 1, 1, 1, 2]
    assert list(assign_batches(catalog, 1)["batch"]) == list(range(7))
    assert list(assign_batches(catalog, 100)["batch"]) == [0] * 7
    assert "batch" not in catalog.columns  # a copy, the input is unchanged
    pd.testing.assert_frame_equal(out.drop(columns="batch"), catalog)


@pytest.mark.parametrize("size", [0, -2])
def test_assign_batches_rejects_non_positive_size(tmp_path, size):
    catalog = read_catalog(write(tmp_path, HEADER + "\nA,TESS,1,2,3,4,planet\n"))
    with pytest.raises(ValueError, match="batch_size"):
        assign_batches(catalog, size)
