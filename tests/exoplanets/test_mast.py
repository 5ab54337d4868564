"""Tests for shardflow.exoplanets.mast: retries, validation, caching, records. No network.

The archive is faked: ``FakeArchive`` plays lightkurve's ``search_lightcurve`` and the
``SearchResult`` it returns, writing files where lightkurve 2.6.0 writes them and failing in
scripted ways. Two tests run lightkurve's and astroquery's real download code with astroquery's
HTTP transfer replaced, to pin down how a MAST 502 and a cache hit look through the real stack.
"""

from __future__ import annotations

import functools
import io
import json
import logging
import runpy
import socket
import subprocess
import sys
import threading
import time
import urllib.error
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest
import requests
from astropy.io import fits
from astropy.table import Table
from astroquery.exceptions import RemoteServiceError
from astroquery.exceptions import TimeoutError as AstroqueryTimeoutError

from shardflow.exoplanets import mast
from shardflow.exoplanets.mast import (
    DownloadError,
    InvalidLightCurveFile,
    download_lightcurve,
    is_transient,
    limit_request_time,
    validate_fits,
    write_record,
)

REPO = Path(__file__).resolve().parents[2]
TARGET = "TIC 12345678"
OBS_COLLECTION = "TESS"
OBS_ID = "tess2019198215352-s0014-0000000012345678-0150-s"
FILENAME = "tess2019198215352-s0014-0000000012345678-0150-s_lc.fits"
RELPATH = f"mastDownload/{OBS_COLLECTION}/{OBS_ID}/{FILENAME}"
URL = "https://mast.stsci.edu/api/v0.1/Download/file?uri=mast:TESS/product/" + FILENAME


# --- FITS files --------------------------------------------------------------------------


def lightcurve_hdul(n_rows: int = 500, time: str = "TIME", flux: str = "PDCSAP_FLUX") -> fits.HDUList:
    """A small TESS-SPOC-like light curve that lightkurve's TESS reader accepts."""
    primary = fits.PrimaryHDU()
    primary.header["TELESCOP"] = "TESS"
    primary.header["CREATOR"] = "LightCurveExporterPipelineModule"
    primary.header["ORIGIN"] = "NASA/Ames"
    primary.header["TICID"] = 12345678
    table = Table(
        {
            time: 1683.0 + np.arange(n_rows) * 2.0 / 1440.0,
            flux: np.ones(n_rows),
            "QUALITY": np.zeros(n_rows, dtype=np.int32),
        }
    )
    lc = fits.BinTableHDU(table, name="LIGHTCURVE")
    aperture = fits.ImageHDU(np.ones((11, 11), dtype=np.int32), name="APERTURE")
    return fits.HDUList([primary, lc, aperture])


def fits_bytes(**kwargs) -> bytes:
    buffer = io.BytesIO()
    lightcurve_hdul(**kwargs).writeto(buffer)
    return buffer.getvalue()


VALID = fits_bytes()


def write_valid(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(VALID)
    return path


# --- a fake archive ----------------------------------------------------------------------


def http_error(status: int) -> requests.exceptions.HTTPError:
    """The HTTPError ``requests`` raises for ``status`` (message and response included)."""
    response = requests.Response()
    response.status_code = status
    response.reason = {
        404: "Not Found",
        500: "Internal Server Error",
        502: "Bad Gateway",
        503: "Service Unavailable",
        504: "Gateway Timeout",
    }[status]
    response.url = URL
    try:
        response.raise_for_status()
    except requests.exceptions.HTTPError as exc:
        return exc
    raise AssertionError("raise_for_status did not raise")


class FakeProducts:
    """Behaves like lightkurve's ``SearchResult`` for what mast.py uses."""

    def __init__(self, archive: FakeArchive, n: int):
        self.archive = archive
        self.n = n
        self.table = {
            "obs_collection": [OBS_COLLECTION] * n,
            "obs_id": [OBS_ID] * n,
            "productFilename": [FILENAME] * n,
        }

    def __len__(self):
        return self.n

    def __getitem__(self, index):
        assert 0 <= index < self.n, "mast.py fetches each product found"
        return FakeProducts(self.archive, 1)

    def download(self, *, download_dir, quality_bitmask):
        return self.archive.download(download_dir, quality_bitmask)


class FakeArchive:
    """Scripted MAST: each search or download consumes the next outcome of its script.

    A search outcome is an exception to raise or the number of products found; a download
    outcome is an exception to raise, ``"valid"`` (write a good file) or ``"truncated"`` (write
    the first half of one, as an interrupted transfer does); like lightkurve, a download whose
    file is already present writes nothing. Scripts that run out repeat their last outcome.
    """

    def __init__(self, searches=(1,), downloads=("valid",)):
        self.searches = list(searches)
        self.downloads = list(downloads)
        self.search_calls = []
        self.download_calls = 0

    @staticmethod
    def _next(script):
        return script.pop(0) if len(script) > 1 else script[0]

    def search(self, target, *, mission, author, exptime):
        self.search_calls.append((target, mission, author, exptime))
        outcome = self._next(self.searches)
        if isinstance(outcome, BaseException):
            raise outcome
        return FakeProducts(self, outcome)

    def download(self, download_dir, quality_bitmask):
        self.download_calls += 1
        outcome = self._next(self.downloads)
        if isinstance(outcome, BaseException):
            raise outcome
        path = Path(download_dir, RELPATH)
        if not path.exists():  # like lightkurve 2.6.0, never fetch a file that is present
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(VALID if outcome == "valid" else VALID[: len(VALID) // 2])
        return SimpleNamespace(meta={"FILENAME": str(path)})


def run(archive: FakeArchive, cache: Path, sleeps: list, **overrides):
    kwargs = dict(
        author="SPOC",
        exptime=120.0,
        retries=3,
        backoff_s=0.5,
        search=archive.search,
        sleep=sleeps.append,
    )
    kwargs.update(overrides)
    return download_lightcurve(TARGET, "TESS", cache, **kwargs)


@pytest.fixture
def sleeps():
    return []


def lightkurve_error(message: str) -> Exception:
    from lightkurve.utils import LightkurveError

    return LightkurveError(message)


# Each factory builds the error as the library raises it; lightkurve's is built lazily because
# importing lightkurve takes seconds.
TRANSIENT_DOWNLOAD_ERRORS = {
    "TimeoutError": lambda: TimeoutError("timed out"),
    "socket.timeout": lambda: TimeoutError("The read operation timed out"),
    "astroquery TimeoutError": lambda: AstroqueryTimeoutError("Timeout limit of 600 exceeded."),
    "requests Timeout": lambda: requests.exceptions.ReadTimeout("Read timed out."),
    "requests ConnectionError": lambda: requests.exceptions.ConnectionError("Connection aborted."),
    "ConnectionResetError": lambda: ConnectionResetError(104, "Connection reset by peer"),
    "ChunkedEncodingError": lambda: requests.exceptions.ChunkedEncodingError("IncompleteRead"),
    "URLError": lambda: urllib.error.URLError("[Errno -3] Temporary failure in name resolution"),
    "urllib HTTPError 503": lambda: urllib.error.HTTPError(URL, 503, "Service Unavailable", {}, None),
    "HTTPError 500": lambda: http_error(500),
    "HTTPError 502": lambda: http_error(502),
    "HTTPError 504 without response": lambda: requests.exceptions.HTTPError(
        "The TESS FFI cutout service at MAST appears to be temporarily unavailable. "
        "It returned the following error: 504 Server Error: Gateway Time-out for url: " + URL
    ),
    # lightkurve before issue #1211 was fixed: the 502 left no file, then opening it failed.
    "FileNotFoundError (502, old lightkurve)": lambda: FileNotFoundError(2, "No such file or directory", RELPATH),
    # lightkurve 2.6.0: astroquery's manifest says ERROR and lightkurve raises on it.
    "LightkurveError 502": lambda: lightkurve_error(
        f"Download of mast:TESS/product/{FILENAME} failed. MAST returns ERROR: "
        f"HTTPError: 502 Server Error: Bad Gateway for url: {URL}"
    ),
    "LightkurveError not downloaded": lambda: lightkurve_error(
        f"Download of mast:TESS/product/{FILENAME} failed. MAST returns ERROR: File was not downloaded"
    ),
    "LightkurveError corrupt": lambda: lightkurve_error(
        "Unexpected error in detecting the type of the data product: 'OSError: Empty or "
        "corrupt FITS file'\nThis file may be corrupt due to an interrupted download. "
        "Please remove it from your disk and try again."
    ),
}

TRANSIENT_SEARCH_ERRORS = {
    "HTTPError 503": lambda: http_error(503),
    "TimeoutError": lambda: TimeoutError("Timeout limit of 600 exceeded."),
    "RemoteServiceError 500": lambda: RemoteServiceError("500 Internal Server Error: the MAST query service failed"),
    "requests ConnectionError": lambda: requests.exceptions.ConnectionError("Max retries exceeded"),
}


# --- retries -----------------------------------------------------------------------------


@pytest.mark.parametrize("make_error", TRANSIENT_DOWNLOAD_ERRORS.values(), ids=TRANSIENT_DOWNLOAD_ERRORS)
def test_transient_download_error_is_retried(tmp_path, sleeps, make_error):
    archive = FakeArchive(downloads=[make_error(), "valid"])
    record = run(archive, tmp_path, sleeps)
    assert record["status"] == "ok"
    assert record["attempts"] == 2
    assert archive.download_calls == 2
    assert len(archive.search_calls) == 1  # a successful search is not repeated
    assert sleeps == [0.5]
    validate_fits(record["paths"][0])


@pytest.mark.parametrize("make_error", TRANSIENT_SEARCH_ERRORS.values(), ids=TRANSIENT_SEARCH_ERRORS)
def test_transient_search_error_is_retried(tmp_path, sleeps, make_error):
    archive = FakeArchive(searches=[make_error(), 1])
    record = run(archive, tmp_path, sleeps)
    assert record["status"] == "ok"
    assert record["attempts"] == 2
    assert len(archive.search_calls) == 2
    assert archive.download_calls == 1
    assert sleeps == [0.5]


def test_backoff_doubles_and_retries_are_logged(tmp_path, sleeps, caplog):
    archive = FakeArchive(
        searches=[TimeoutError("search timed out"), 1],
        downloads=[http_error(502), http_error(503), "valid"],
    )
    logger = logging.getLogger("test_mast.backoff")
    with caplog.at_level(logging.WARNING, logger=logger.name):
        record = run(archive, tmp_path, sleeps, backoff_s=1.5, logger=logger)
    assert record["attempts"] == 4
    assert sleeps == [1.5, 3.0, 6.0]
    retries = [r.getMessage() for r in caplog.records]
    assert len(retries) == 3
    assert "search timed out" in retries[0]
    assert "502 Server Error" in retries[1]
    assert "503 Server Error" in retries[2]
    assert all(TARGET in message for message in retries)


def test_exhausted_retries_raise_download_error(tmp_path, sleeps):
    last = http_error(504)
    archive = FakeArchive(downloads=[http_error(502), http_error(503), last])
    with pytest.raises(DownloadError) as info:
        run(archive, tmp_path, sleeps, retries=2, backoff_s=2.0)
    error = info.value
    assert error.target_id == TARGET
    assert error.attempts == 3
    assert error.last_error is last
    assert error.__cause__ is last
    assert TARGET in str(error) and "3 attempt" in str(error) and "504 Server Error" in str(error)
    assert archive.download_calls == 3
    assert sleeps == [2.0, 4.0]  # no sleep after the last attempt


def test_zero_retries_means_one_attempt(tmp_path, sleeps):
    archive = FakeArchive(downloads=[TimeoutError("timed out")])
    with pytest.raises(DownloadError, match="1 attempt"):
        run(archive, tmp_path, sleeps, retries=0)
    assert archive.download_calls == 1
    assert sleeps == []


@pytest.mark.parametrize(
    "make_error",
    [
        lambda: http_error(404),
        lambda: urllib.error.HTTPError(URL, 404, "Not Found", {}, None),
        lambda: lightkurve_error(
            f"Download of mast:TESS/product/{FILENAME} failed. MAST returns ERROR: "
            f"HTTPError: 404 Client Error: Not Found for url: {URL}"
        ),
        lambda: PermissionError(13, "Permission denied", RELPATH),
    ],
    ids=["HTTPError 404", "urllib HTTPError 404", "LightkurveError 404", "PermissionError"],
)
def test_non_transient_download_error_is_not_retried(tmp_path, sleeps, make_error):
    error = make_error()
    archive = FakeArchive(downloads=[error, "valid"])
    with pytest.raises(type(error)) as info:
        run(archive, tmp_path, sleeps)
    assert info.value is error
    assert archive.download_calls == 1
    assert sleeps == []


@pytest.mark.parametrize(
    "error",
    [ValueError("Unable to parse target 'TIC ?!'"), RemoteServiceError("Unknown service name")],
    ids=["ValueError", "RemoteServiceError without 5xx"],
)
def test_non_transient_search_error_is_not_retried(tmp_path, sleeps, error):
    archive = FakeArchive(searches=[error, 1])
    with pytest.raises(type(error)):
        run(archive, tmp_path, sleeps)
    assert len(archive.search_calls) == 1
    assert archive.download_calls == 0
    assert sleeps == []


# --- partial files and the cache ---------------------------------------------------------


def test_truncated_download_is_deleted_and_fetched_again(tmp_path, sleeps, caplog):
    archive = FakeArchive(downloads=["truncated", "valid"])
    with caplog.at_level(logging.WARNING, logger="test_mast.truncated"):
        record = run(archive, tmp_path, sleeps, logger=logging.getLogger("test_mast.truncated"))
    assert record["status"] == "ok"
    assert record["attempts"] == 2
    assert archive.download_calls == 2
    assert sleeps == [0.5]
    assert "InvalidLightCurveFile" in caplog.records[0].getMessage()
    path = Path(record["paths"][0])
    assert path.read_bytes() == VALID
    validate_fits(path)


def test_truncated_downloads_exhaust_the_budget_and_leave_no_partial_file(tmp_path, sleeps):
    archive = FakeArchive(downloads=["truncated"])
    with pytest.raises(DownloadError) as info:
        run(archive, tmp_path, sleeps, retries=1)
    assert isinstance(info.value.last_error, InvalidLightCurveFile)
    assert archive.download_calls == 2
    assert not (tmp_path / RELPATH).exists()


def test_partial_file_left_in_cache_is_replaced(tmp_path, sleeps):
    """A file cut short by an earlier, killed job: lightkurve alone would keep reusing it."""
    path = tmp_path / RELPATH
    path.parent.mkdir(parents=True)
    path.write_bytes(VALID[:5000])
    archive = FakeArchive()
    record = run(archive, tmp_path, sleeps)
    assert record["status"] == "ok"
    assert record["attempts"] == 1
    assert archive.download_calls == 1
    assert path.read_bytes() == VALID


def test_valid_cached_file_is_reused_without_downloading(tmp_path, sleeps):
    write_valid(tmp_path / RELPATH)
    archive = FakeArchive(downloads=[AssertionError("must not download")])
    record = run(archive, tmp_path, sleeps)
    assert archive.download_calls == 0
    assert record == {
        "target_id": TARGET,
        "status": "ok",
        "paths": [str((tmp_path / RELPATH).resolve())],
        "mission": "TESS",
        "author": "SPOC",
        "exptime": 120.0,
        "attempts": 1,
        "reason": None,
    }


def test_relative_cache_dir_gives_absolute_path(tmp_path, sleeps, monkeypatch):
    monkeypatch.chdir(tmp_path)
    record = run(FakeArchive(), Path("cache"), sleeps)
    assert Path(record["paths"][0]).is_absolute()
    assert Path(record["paths"][0]) == (tmp_path / "cache" / RELPATH).resolve()
    validate_fits(record["paths"][0])


def test_missing_file_after_download_is_transient(tmp_path, sleeps):
    """lightkurve reported success but the file is not where lightkurve puts it."""
    archive = FakeArchive(downloads=["valid"])
    original = archive.download
    calls = []

    def download_then_lose(download_dir, quality_bitmask):
        result = original(download_dir, quality_bitmask)
        if not calls:
            Path(download_dir, RELPATH).unlink()
        calls.append(1)
        return result

    archive.download = download_then_lose
    record = run(archive, tmp_path, sleeps)
    assert record["attempts"] == 2
    assert sleeps == [0.5]


def test_no_data_is_a_record_not_an_error(tmp_path, sleeps):
    archive = FakeArchive(searches=[0])
    record = run(archive, tmp_path, sleeps, author=None, exptime=None)
    assert archive.download_calls == 0
    assert sleeps == []
    assert record["status"] == "no_data"
    assert record["paths"] == []
    assert record["attempts"] == 1
    assert TARGET in record["reason"] and "TESS" in record["reason"]
    assert set(record) == {"target_id", "status", "paths", "mission", "author", "exptime", "attempts", "reason"}
    assert archive.search_calls == [(TARGET, "TESS", None, None)]


def test_search_receives_the_query_parameters(tmp_path, sleeps):
    archive = FakeArchive()
    run(archive, tmp_path, sleeps, author="QLP", exptime=1800.0)
    assert archive.search_calls == [(TARGET, "TESS", "QLP", 1800.0)]


# --- validate_fits -----------------------------------------------------------------------


def test_validate_accepts_a_light_curve(tmp_path):
    validate_fits(write_valid(tmp_path / "lc.fits"))


def test_validate_accepts_k2sff_columns(tmp_path):
    path = tmp_path / "k2sff.fits"
    lightcurve_hdul(time="T", flux="FCOR").writeto(path)
    validate_fits(path)


@pytest.mark.parametrize("cut", [100, 2880, 2880 * 2 + 100, len(VALID) - 2880, len(VALID) - 10])
def test_validate_rejects_truncated_files(tmp_path, cut):
    # Cutting into the final padding only makes astropy warn; that must fail too.
    path = tmp_path / "lc.fits"
    path.write_bytes(VALID[:cut])
    with pytest.raises(InvalidLightCurveFile):
        validate_fits(path)


@pytest.mark.parametrize(
    "hdul, message",
    [
        (lightcurve_hdul(flux="BKG"), "no flux column"),
        (lightcurve_hdul(time="CADENCENO"), "no time column"),
        (lightcurve_hdul(n_rows=0), "no rows"),
        (fits.HDUList([fits.PrimaryHDU(), fits.ImageHDU(np.zeros((3, 3)))]), "not a table"),
        (fits.HDUList([fits.PrimaryHDU()]), "no HDU 1"),
    ],
    ids=["no flux", "no time", "no rows", "image", "primary only"],
)
def test_validate_rejects_files_that_are_not_light_curves(tmp_path, hdul, message):
    path = tmp_path / "bad.fits"
    hdul.writeto(path)
    with pytest.raises(InvalidLightCurveFile, match=message):
        validate_fits(path)


def test_validate_rejects_html_error_page(tmp_path):
    path = tmp_path / "lc.fits"
    path.write_text("<html><body>502 Bad Gateway</body></html>")
    with pytest.raises(InvalidLightCurveFile, match="unreadable"):
        validate_fits(path)


# --- classification ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "error, transient",
    [
        (http_error(500), True),
        (http_error(404), False),
        (urllib.error.HTTPError(URL, 502, "Bad Gateway", {}, None), True),
        (urllib.error.HTTPError(URL, 403, "Forbidden", {}, None), False),
        (RemoteServiceError("Error 503 Service Unavailable"), True),
        (RemoteServiceError("Please enable anonymous cloud access"), False),
        (ValueError("bad target"), False),
        (KeyError("dataURL"), False),
        (InvalidLightCurveFile("truncated"), True),
    ],
)
def test_is_transient(error, transient):
    assert is_transient(error) is transient


# --- real lightkurve + astroquery, transfer faked ------------------------------------------


def real_search_result():
    """A lightkurve 2.6.0 SearchResult with one product row, as search_lightcurve builds it."""
    import lightkurve

    table = Table(
        {
            "description": ["Light curves"],
            "obs_collection": [OBS_COLLECTION],
            "obs_id": [OBS_ID],
            "productFilename": [FILENAME],
            "dataURI": [f"mast:TESS/product/{FILENAME}"],
            "productGroupDescription": ["Minimum Recommended Products"],
            "productType": ["SCIENCE"],
            "target_name": ["12345678"],
            "author": ["SPOC"],
            "mission": ["TESS Sector 14"],
            "exptime": [120.0],
            "distance": [0.0],
            "t_min": [58682.0],
        }
    )
    return lightkurve.SearchResult(table)


def test_real_lightkurve_502_is_retried_and_file_lands_where_expected(tmp_path, sleeps, monkeypatch):
    """Through lightkurve 2.6.0 and astroquery 0.4.11: a 502 on the transfer is retried.

    astroquery's ``download_file`` catches the HTTPError into an ERROR manifest row and
    lightkurve raises LightkurveError on it; the retry then succeeds, and the file is at the
    cache-relative path the record reports.
    """
    from astroquery.mast import Observations

    transfers = []

    def transfer(url, local_filepath, **kwargs):
        transfers.append(url)
        if len(transfers) == 1:
            response = requests.Response()
            response.status_code = 502
            response.reason = "Bad Gateway"
            response.url = url
            response.raise_for_status()
        Path(local_filepath).write_bytes(VALID)
        return local_filepath

    monkeypatch.setattr(Observations, "_download_file", transfer)
    result = real_search_result()
    record = run(FakeArchive(), tmp_path, sleeps, search=lambda *a, **k: result)
    assert len(transfers) == 2
    assert record["status"] == "ok"
    assert record["attempts"] == 2
    assert record["paths"][0] == str((tmp_path / RELPATH).resolve())
    assert (tmp_path / RELPATH).read_bytes() == VALID
    # A second run finds the file in the cache: no transfer at all.
    again = run(FakeArchive(), tmp_path, [], search=lambda *a, **k: result)
    assert again["attempts"] == 1
    assert len(transfers) == 2


def test_real_lightkurve_partial_file_in_cache_is_replaced(tmp_path, sleeps, monkeypatch):
    """lightkurve 2.6.0 never re-fetches a file that exists, even a partial one; mast.py must
    delete it first, so one transfer replaces it."""
    from astroquery.mast import Observations

    transfers = []

    def transfer(url, local_filepath, **kwargs):
        transfers.append(url)
        Path(local_filepath).write_bytes(VALID)
        return local_filepath

    monkeypatch.setattr(Observations, "_download_file", transfer)
    partial = tmp_path / RELPATH
    partial.parent.mkdir(parents=True)
    partial.write_bytes(VALID[: len(VALID) - 10])
    result = real_search_result()
    record = run(FakeArchive(), tmp_path, sleeps, search=lambda *a, **k: result)
    assert record["attempts"] == 1
    assert len(transfers) == 1
    assert partial.read_bytes() == VALID


# --- record and script -------------------------------------------------------------------


def test_write_record_is_sorted_indented_json(tmp_path):
    record = {
        "target_id": TARGET,
        "status": "ok",
        "paths": [RELPATH],
        "attempts": 1,
        "author": None,
        "exptime": 120.0,
        "mission": "TESS",
        "reason": None,
    }
    out = tmp_path / "records" / "t.json"
    write_record(record, out)
    text = out.read_text()
    assert text == json.dumps(record, sort_keys=True, indent=2) + "\n"
    assert json.loads(text) == record
    assert [p.name for p in out.parent.iterdir()] == ["t.json"]


def test_script_writes_record_and_log(tmp_path, monkeypatch):
    write_valid(tmp_path / "cache" / RELPATH)
    archive = FakeArchive(downloads=[AssertionError("must not download")])
    monkeypatch.setattr(mast, "download_lightcurve", functools.partial(mast.download_lightcurve, search=archive.search))
    snakemake = SimpleNamespace(
        wildcards=SimpleNamespace(batch="0003"),
        params=SimpleNamespace(
            stars=[[TARGET, "TESS"]],
            author="SPOC",
            exptime=120,
            retries=2,
            backoff_s=1,
            timeout_s=30,
            cache_dir=str(tmp_path / "cache"),
        ),
        output=SimpleNamespace(record=str(tmp_path / "records" / "batch_0003.json")),
        log=[str(tmp_path / "logs" / "batch_0003.log")],
    )
    runpy.run_path(str(REPO / "scripts" / "exoplanets" / "download.py"), init_globals={"snakemake": snakemake})
    text = Path(snakemake.output.record).read_text()
    assert json.loads(text) == {
        "batch": 3,
        "stars": {
            TARGET: {
                "target_id": TARGET,
                "status": "ok",
                "mission": "TESS",
                "paths": [str((tmp_path / "cache" / RELPATH).resolve())],
                "author": "SPOC",
                "exptime": 120.0,
                "attempts": 1,
                "reason": None,
            }
        },
    }
    assert text == json.dumps(json.loads(text), sort_keys=True, indent=2) + "\n"
    assert "ok" in Path(snakemake.log[0]).read_text()
    for name in ("download.batch_0003", "py.warnings"):
        for handler in logging.getLogger(name).handlers:
            handler.close()
        logging.getLogger(name).handlers.clear()
    logging.getLogger("py.warnings").propagate = True
    logging.captureWarnings(False)


def test_module_import_does_not_import_lightkurve():
    code = "import sys, shardflow.exoplanets.mast; print('lightkurve' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_a_stalled_request_times_out_as_a_transient_error():
    """A server that accepts the connection and then sends nothing: without a timeout the
    request would wait forever (astroquery downloads product files with none)."""

    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(1)
    accepted = []
    threading.Thread(target=lambda: accepted.append(server.accept()), daemon=True).start()
    session = requests.Session()
    limit_request_time(session, 0.5)
    start = time.monotonic()
    try:
        with pytest.raises(requests.exceptions.Timeout) as caught:
            session.get(f"http://127.0.0.1:{server.getsockname()[1]}/file.fits")
    finally:
        server.close()
    assert time.monotonic() - start < 10
    assert is_transient(caught.value)
