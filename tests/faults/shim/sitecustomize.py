"""Fault injection for the snakemake processes that tests/faults starts (never for users).

The fault tests put this folder on ``PYTHONPATH`` of the ``snakemake`` they run, so Python
imports this module at the start of snakemake and of every job it spawns; production code
carries no test hooks. Nothing happens unless a ``SHARDFLOW_FAULTS_*`` variable asks for it:

``SHARDFLOW_FAULTS_LOG``
    JSON-lines file: one line per injected fault or other event (``{"event": ..., "pid": ...}``),
    appended by every process, so the test can count what was injected.
``SHARDFLOW_FAULTS_CRASH_WRITE`` (an ``fnmatch`` pattern) and ``SHARDFLOW_FAULTS_CRASH_MODE``
    A parquet write (polars ``DataFrame.write_parquet`` or pandas ``DataFrame.to_parquet``) to a
    path matching the pattern is cut short: the file is written, truncated to half its bytes
    (what a process killed mid-write leaves on disk), and then mode ``job`` ends the job with
    ``os._exit(70)`` (the scheduler lives on), mode ``node`` SIGKILLs the job's process group,
    i.e. snakemake and all its jobs (a power cut or a lost node).
``SHARDFLOW_FAULTS_MAST_ARCHIVE``, ``SHARDFLOW_FAULTS_MAST_RATE``, ``SHARDFLOW_FAULTS_SEED``
    A fake MAST for the download path. ``lightkurve.search_lightcurve`` is replaced by a search
    of the archive folder's ``index.json`` (``{target_id: {"obs_id", "filename"}}``) that returns
    a real ``lightkurve.SearchResult``; the HTTP layer (``requests.adapters.HTTPAdapter.send``,
    which astroquery's transfers use) serves ``<archive>/<filename>`` for MAST download URLs and
    refuses every other URL, so the real lightkurve, astroquery, requests and urllib3 code runs
    on top of it. Each search and each HTTP request fails with probability ``RATE``, drawn from
    ``SEED``, the request and how many such requests came before (counted in ``LOG.calls/``, so a
    job that Snakemake retries meets new draws, and a rerun of the test the same ones): searches with a read
    timeout or an HTTP 503;
    HEAD/GET requests with a connect timeout or an HTTP 5xx, and GET transfers also by being cut
    short (fewer bytes than Content-Length: urllib3's IncompleteRead), by ending early without
    a Content-Length (a "200 OK" partial file, as a proxy that drops the connection gives) or
    by stalling mid-body: part of the file arrives, then the read times out. (That is what a
    stall gives with a read timeout set; astroquery sets none for file transfers, so a real
    stall blocks the job; see docs/faults.md.)
``SHARDFLOW_FAULTS_RELEASE`` with ``SHARDFLOW_FAULTS_HOLD_WRITE`` (an ``fnmatch`` pattern)
    A parquet write to a path matching the pattern waits until the file ``RELEASE`` exists, so
    the run is certainly in the middle of its work while the test does something else.
``SHARDFLOW_FAULTS_RELEASE`` with ``SHARDFLOW_FAULTS_HOLD_OWNER``
    ``shardflow.runlock.record_owner`` waits until ``RELEASE`` exists: the moment between
    Snakemake taking its lock and the workflow recording who holds it (which grows with the
    size of the DAG) lasts as long as the test needs.
"""

from __future__ import annotations

import fnmatch
import hashlib
import importlib.abc
import importlib.util
import io
import json
import os
import random
import signal
import sys
import time

_ENV = {k: v for k, v in os.environ.items() if k.startswith("SHARDFLOW_FAULTS_")}


def record(event: str, **details) -> None:
    """Append one event to ``SHARDFLOW_FAULTS_LOG`` (one short line per write)."""
    path = _ENV.get("SHARDFLOW_FAULTS_LOG")
    if path:
        line = json.dumps({"event": event, "pid": os.getpid(), **details}) + "\n"
        fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        try:
            os.write(fd, line.encode())
        finally:
            os.close(fd)


class _AfterImport(importlib.abc.MetaPathFinder):
    """Run patches on a module right after it is first imported."""

    def __init__(self) -> None:
        self.patches: dict[str, list] = {}

    def add(self, module: str, patch) -> None:
        if module in sys.modules:
            patch(sys.modules[module])
        else:
            self.patches.setdefault(module, []).append(patch)

    def find_spec(self, fullname, path, target=None):
        patches = self.patches.pop(fullname, None)
        if not patches:
            return None
        spec = importlib.util.find_spec(fullname)
        if spec is None or spec.loader is None:
            return spec
        exec_module = spec.loader.exec_module

        def exec_and_patch(module):
            exec_module(module)
            for patch in patches:
                patch(module)

        spec.loader.exec_module = exec_and_patch
        return spec


_hooks = _AfterImport()


# --- a crash in the middle of writing a file ----------------------------------------------


def _crash_after_partial_write(path: str, mode: str) -> None:
    size = os.path.getsize(path)
    with open(path, "r+b") as fh:
        fh.truncate(size // 2)
        fh.flush()
        os.fsync(fh.fileno())
    record("crash_mid_write", path=path, mode=mode, bytes_written=size // 2, bytes_total=size)
    if mode == "node":
        os.killpg(os.getpgrp(), signal.SIGKILL)
    os._exit(70)


def _hold(what: str, **details) -> None:
    """Wait until the test creates the file ``SHARDFLOW_FAULTS_RELEASE``."""
    release = _ENV["SHARDFLOW_FAULTS_RELEASE"]
    record(f"hold_{what}", **details)
    while not os.path.exists(release):
        time.sleep(0.05)


def _wrap_writer(cls, name: str) -> None:
    original = getattr(cls, name)
    hold, crash = _ENV.get("SHARDFLOW_FAULTS_HOLD_WRITE"), _ENV.get("SHARDFLOW_FAULTS_CRASH_WRITE")

    def write(self, path, *args, **kwargs):
        target = os.fspath(path) if isinstance(path, (str, os.PathLike)) else None
        if target and hold and fnmatch.fnmatch(target, hold):
            _hold("write", path=target)
        result = original(self, path, *args, **kwargs)
        if target and crash and fnmatch.fnmatch(target, crash):
            _crash_after_partial_write(target, _ENV.get("SHARDFLOW_FAULTS_CRASH_MODE", "job"))
        return result

    setattr(cls, name, write)


if "SHARDFLOW_FAULTS_CRASH_WRITE" in _ENV or "SHARDFLOW_FAULTS_HOLD_WRITE" in _ENV:
    _hooks.add("polars", lambda pl: _wrap_writer(pl.DataFrame, "write_parquet"))
    _hooks.add("pandas", lambda pd: _wrap_writer(pd.DataFrame, "to_parquet"))


# --- a flaky MAST --------------------------------------------------------------------------

#: URL of a MAST file download as astroquery builds it (``Observations.download_file``).
_MAST_DOWNLOAD = "https://mast.stsci.edu/api/v0.1/Download/file?uri=mast:"


class _FlakyMast:
    """A MAST of the files in ``archive`` whose searches and HTTP requests fail at ``rate``."""

    def __init__(self, archive: str, rate: float, seed: str, calls: str) -> None:
        self.archive = archive
        self.rate = rate
        self.seed = seed
        self.calls = calls
        with open(os.path.join(archive, "index.json")) as fh:
            self.index = json.load(fh)
        self.searched = False

    def draw(self, key: str, faults: list[str]) -> tuple[str | None, random.Random]:
        """The fault for the next request about ``key`` (None: none), seeded per request. One
        job at a time asks about a key, so the count file needs no lock."""
        os.makedirs(self.calls, exist_ok=True)
        counter = os.path.join(self.calls, hashlib.sha256(key.encode()).hexdigest()[:16])
        try:
            with open(counter) as fh:
                n = int(fh.read()) + 1
        except FileNotFoundError:
            n = 1
        with open(counter, "w") as fh:
            fh.write(str(n))
        rng = random.Random(f"{self.seed}:{key}:{n}")
        return (rng.choice(faults) if rng.random() < self.rate else None), rng

    def search(self, target, mission=None, author=None, exptime=None, **kwargs):
        import lightkurve
        import requests
        from astropy.table import Table

        if not self.searched:  # a download job starts with its search
            self.searched = True
            record("mast_job", target=str(target))
        fault, _ = self.draw(f"search:{target}", ["timeout", "http_503"])
        if fault == "timeout":
            record("search_timeout", target=str(target))
            raise requests.exceptions.ReadTimeout(
                "HTTPSConnectionPool(host='mast.stsci.edu', port=443): Read timed out. (read timeout=600)"
            )
        if fault == "http_503":
            record("search_http_503", target=str(target))
            raise _http_error(503, "https://mast.stsci.edu/api/v0/invoke")
        entry = self.index.get(str(target))
        rows = [entry] if entry else []
        table = Table(
            {
                "description": ["Light curves"] * len(rows),
                "obs_collection": ["TESS"] * len(rows),
                "obs_id": [r["obs_id"] for r in rows],
                "productFilename": [r["filename"] for r in rows],
                "dataURI": [f"mast:TESS/product/{r['filename']}" for r in rows],
                "productGroupDescription": ["Minimum Recommended Products"] * len(rows),
                "productType": ["SCIENCE"] * len(rows),
                "target_name": [str(target)] * len(rows),
                "author": [author or "SPOC"] * len(rows),
                "mission": ["TESS Sector 3"] * len(rows),
                "exptime": [float(exptime or 120.0)] * len(rows),
                "distance": [0.0] * len(rows),
                "t_min": [58385.0] * len(rows),
            }
        )
        return lightkurve.SearchResult(table)

    def send(self, adapter, request):
        from urllib.parse import unquote

        import requests

        url = request.url
        if not unquote(url).startswith(_MAST_DOWNLOAD):
            raise requests.exceptions.ConnectionError(f"fault tests have no network: {url}", request=request)
        filename = os.path.basename(unquote(url).split("?uri=", 1)[1])
        path = os.path.join(self.archive, filename)
        if not os.path.exists(path):
            return _response(adapter, request, 404, b"Not Found", {})
        with open(path, "rb") as fh:
            data = fh.read()
        faults = ["connect_timeout", "http_5xx"]
        if request.method == "GET":
            faults += ["truncated", "short_body", "stalled"]
        fault, rng = self.draw(f"{request.method}:{filename}", faults)
        headers = {"Content-Length": str(len(data)), "Content-Type": "application/fits"}
        body = data if request.method == "GET" else b""
        if fault:
            record(f"{request.method.lower()}_{fault}", file=filename)
        if fault == "connect_timeout":
            raise requests.exceptions.ConnectTimeout(
                f"HTTPSConnectionPool(host='mast.stsci.edu', port=443): Max retries exceeded with url: {url}"
                " (Caused by ConnectTimeoutError(..., 'Connection to mast.stsci.edu timed out.'))",
                request=request,
            )
        if fault == "http_5xx":
            status = rng.choice([500, 502, 503, 504])
            page = f"<html><body><h1>{status}</h1></body></html>".encode()
            return _response(adapter, request, status, page, {"Content-Type": "text/html"})
        if fault == "truncated":
            body = data[: rng.randrange(1, len(data))]
        if fault == "short_body":
            del headers["Content-Length"]
            body = data[: rng.randrange(1, len(data))]
        if fault == "stalled":
            body = _Stalling(data, rng.randrange(1, len(data)))
        return _response(adapter, request, 200, body, headers)


class _Stalling(io.BytesIO):
    """A response body that delivers its first ``cut`` bytes, then times out like a stalled
    socket (urllib3 turns that into a ReadTimeoutError, requests into a ConnectionError)."""

    def __init__(self, data: bytes, cut: int) -> None:
        super().__init__(data)
        self.cut = cut

    def read(self, size=-1):
        left = self.cut - self.tell()
        if left <= 0:
            raise TimeoutError("The read operation timed out")
        return super().read(left if size is None or size < 0 else min(size, left))

    read1 = read


def _http_error(status: int, url: str):
    """The HTTPError that ``requests`` raises for ``status`` (``tests/http_errors.py``, loaded by
    its path: only this folder is on the jobs' ``PYTHONPATH``)."""
    path = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))), "http_errors.py")
    spec = importlib.util.spec_from_file_location("shardflow_test_http_errors", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.http_error(status, url)


def _response(adapter, request, status: int, body, headers: dict):
    """A ``requests.Response`` built by the adapter from a urllib3 response over ``body``."""
    from http.client import responses

    from urllib3.response import HTTPResponse

    raw = HTTPResponse(
        body=body if hasattr(body, "read") else io.BytesIO(body),
        headers=headers,
        status=status,
        reason=responses.get(status, ""),
        preload_content=False,
        decode_content=False,
        enforce_content_length=True,
        request_method=request.method,
        request_url=request.url,
    )
    return adapter.build_response(request, raw)


if "SHARDFLOW_FAULTS_MAST_ARCHIVE" in _ENV:
    _mast = _FlakyMast(
        _ENV["SHARDFLOW_FAULTS_MAST_ARCHIVE"],
        float(_ENV.get("SHARDFLOW_FAULTS_MAST_RATE", "0.3")),
        _ENV.get("SHARDFLOW_FAULTS_SEED", "0"),
        _ENV["SHARDFLOW_FAULTS_LOG"] + ".calls",
    )

    def _patch_lightkurve(lk) -> None:
        lk.search_lightcurve = _mast.search

    def _patch_adapters(adapters) -> None:
        def send(self, request, stream=False, timeout=None, verify=True, cert=None, proxies=None):
            return _mast.send(self, request)

        adapters.HTTPAdapter.send = send

    _hooks.add("lightkurve", _patch_lightkurve)
    _hooks.add("requests.adapters", _patch_adapters)


# --- a slow start --------------------------------------------------------------------------

if "SHARDFLOW_FAULTS_HOLD_OWNER" in _ENV:

    def _patch_runlock(runlock) -> None:
        record_owner = runlock.record_owner

        def held_record_owner(*args, **kwargs):
            _hold("owner")
            return record_owner(*args, **kwargs)

        runlock.record_owner = held_record_owner

    _hooks.add("shardflow.runlock", _patch_runlock)


if _hooks.patches:
    sys.meta_path.insert(0, _hooks)
