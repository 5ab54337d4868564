"""The local light-curve folder's index (shardflow.exoplanets.folder_index) on the real files:
stars named as the archive names them, and incremental updates."""

from __future__ import annotations

import os

from shardflow.exoplanets.folder_index import star_files, update_index


def test_index_names_stars_as_the_archive_does_and_reads_only_new_files(shared_data, tmp_path):
    folder = tmp_path / "lc"
    (folder / "mastDownload" / "TESS").mkdir(parents=True)
    real = sorted((shared_data / "lightcurves").glob("*.fits"))
    s25 = [p for p in real if "s0025" in p.name][0]
    for path in real:
        if path != s25:
            target = folder / ("mastDownload/TESS" if path.name.startswith("tess") else "") / path.name
            os.symlink(path, target)
    (folder / "notes.txt").write_text("not a light curve")
    (folder / "broken.fits").write_bytes(b"SIMPLE  =                    T" + b" " * 100)

    index, opened = update_index(folder)
    assert opened == 5 and len(index) == 5
    stars = star_files(index)
    assert stars["TIC 8348911"] == ["mastDownload/TESS/tess2020106103520-s0024-0000000008348911-0180-s_lc.fits"]
    assert set(stars) == {"TIC 8348911", "TIC 120916706", "KIC 10666592", "EPIC 201367065"}
    segments = dict(zip(index["file"], index["segment"]))
    assert segments["kplr010666592-2009131110544_slc.fits"] == "Q0"
    assert segments["hlsp_k2sff_k2_lightcurve_201367065-c01_kepler_v1_llc.fits"] == "C1"
    broken = index.set_index("file").loc["broken.fits"]
    assert broken["status"] == "unreadable" and broken["reason"]

    os.symlink(s25, folder / "mastDownload/TESS" / s25.name)
    again, opened = update_index(folder, index)
    assert opened == 1  # only the new sector's header is read
    assert len(star_files(again)["TIC 8348911"]) == 2
