"""Download every light curve of a star from MAST, robustly, into a shared file cache.

One Snakemake job per batch of catalog rows runs :func:`download_lightcurve` for each star of
the batch and writes one record (a JSON object ``{"batch": n, "stars": {star_id: record}}``,
the per-star record as :func:`download_lightcurve` returns it) that the features step reads.
Each FITS file lives in ``cache_dir`` at the place lightkurve 2.6.0 puts it,
``cache_dir/mastDownload/<obs_collection>/<obs_id>/<productFilename>``, so lightkurve and this
module agree on what is already cached, and a rerun fetches only the files that are missing.

Failures fall in three groups:

* **No data** (the search finds no product): a permanent, per-target outcome and not an error.
  The record says ``status: "no_data"`` and the features step turns it into a failed row.
  lightkurve's ``search_lightcurve`` also returns an empty result when MAST cannot resolve the
  target name (it catches astroquery's ``ResolverError`` and logs it), so an unknown name ends
  up here too.
* **Transient** failures (see :func:`is_transient`): the archive or the network was briefly
  unwell, and the same request can succeed a little later. They are retried with exponential
  backoff; when the budget is spent, :class:`DownloadError` fails this target's job only, and a
  later run tries again.
* Everything else (HTTP 404, a ``ValueError`` for a malformed target, a programming error) would
  fail the same way again, so it propagates at once, without retrying.
"""

from __future__ import annotations

import json
import logging
import os
import re
import sys
import time
import urllib.error
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import requests
from astropy.io import fits

from shardflow.io import replace_atomically

__all__ = [
    "DownloadError",
    "FLUX_COLUMNS",
    "InvalidLightCurveFile",
    "TIME_COLUMNS",
    "download_lightcurve",
    "is_transient",
    "limit_request_time",
    "validate_fits",
    "write_record",
]

#: Flux columns accepted in HDU 1: SPOC/Kepler pipeline products (PDCSAP_FLUX, SAP_FLUX),
#: QLP/TASOC/generic high-level products (FLUX) and K2SFF (FCOR).
FLUX_COLUMNS = ("PDCSAP_FLUX", "SAP_FLUX", "FLUX", "FCOR")
#: Time columns accepted in HDU 1. K2SFF files name it ``T``; lightkurve's reader accepts both.
TIME_COLUMNS = ("TIME", "T")

# ``requests`` formats HTTPError messages as "<code> Server Error: <reason> for url: <url>";
# lightkurve and astroquery pass such messages on inside their own exceptions.
_HTTP_5XX_MESSAGE = re.compile(
    r"\b5\d\d (?:Server Error|Internal Server Error|Bad Gateway|Service Unavailable"
    r"|Gateway Time-?out)",
    re.IGNORECASE,
)
# Messages of lightkurve's LightkurveError that mean the transfer, not the request, went wrong:
# astroquery's download manifest says the file never arrived ("File was not downloaded"), or the
# file on disk is a partial download that lightkurve cannot parse.
_LIGHTKURVE_TRANSFER_FAILURE = re.compile(r"File was not downloaded|may be corrupt due to an interrupted download")

_log = logging.getLogger(__name__)


class DownloadError(RuntimeError):
    """A target's download still failed with transient errors after the whole retry budget.

    Raising it fails only that target's Snakemake job; the record is not written, so a later
    run downloads the target again.
    """

    def __init__(self, target_id: str, attempts: int, last_error: BaseException):
        self.target_id = target_id
        self.attempts = attempts
        self.last_error = last_error
        super().__init__(
            f"download of {target_id!r} from MAST failed after {attempts} attempt(s); "
            f"last error: {type(last_error).__name__}: {last_error}"
        )


class InvalidLightCurveFile(Exception):
    """A FITS file is not a complete light curve (typically a partial download)."""


def validate_fits(path: str | os.PathLike) -> None:
    """Check that ``path`` is a complete, usable light-curve FITS file; raise if not.

    The file is opened without memory mapping and every HDU's data is read, so a truncated
    file fails here rather than later in the features step. astropy only *warns* when a file is
    shorter than its headers announce and the missing bytes fall in the final padding, so that
    warning counts as a failure too. HDU 1 must be a table with a time column
    (:data:`TIME_COLUMNS`), at least one flux column (:data:`FLUX_COLUMNS`) and at least one row.

    Raises
    ------
    InvalidLightCurveFile
        For any of the problems above, with the reason.
    """
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            with fits.open(path, memmap=False) as hdul:
                for hdu in hdul:
                    hdu.data  # noqa: B018 - reading the data is the check
                if len(hdul) < 2:
                    raise InvalidLightCurveFile(f"{path}: no HDU 1 (light-curve table)")
                table = hdul[1]
                if not isinstance(table, (fits.BinTableHDU, fits.TableHDU)):
                    raise InvalidLightCurveFile(f"{path}: HDU 1 is a {type(table).__name__}, not a table")
                names = {name.upper() for name in table.columns.names}
                n_rows = len(table.data) if table.data is not None else 0
    except InvalidLightCurveFile:
        raise
    except Exception as exc:  # astropy raises OSError, ValueError, ... for damaged files
        raise InvalidLightCurveFile(f"{path}: unreadable FITS ({type(exc).__name__}: {exc})") from exc
    truncated = [str(w.message) for w in caught if "truncated" in str(w.message)]
    if truncated:
        raise InvalidLightCurveFile(f"{path}: {truncated[0]}")
    if not names.intersection(TIME_COLUMNS):
        raise InvalidLightCurveFile(f"{path}: HDU 1 has no time column {TIME_COLUMNS}")
    if not names.intersection(FLUX_COLUMNS):
        raise InvalidLightCurveFile(f"{path}: HDU 1 has no flux column {FLUX_COLUMNS}")
    if n_rows < 1:
        raise InvalidLightCurveFile(f"{path}: HDU 1 has no rows")


def _status_is_5xx(status: int | None) -> bool:
    return status is not None and 500 <= status < 600


def is_transient(exc: BaseException) -> bool:
    """Whether ``exc`` is worth retrying: the archive or network was briefly unavailable.

    Transient:

    * timeouts and dropped connections: ``TimeoutError`` (``socket.timeout`` is an alias),
      astroquery's own ``TimeoutError``, ``requests.exceptions.Timeout`` and
      ``ConnectionError``, the built-in ``ConnectionError``, ``urllib.error.URLError``
      (unreachable host, DNS) and ``requests.exceptions.ChunkedEncodingError`` (connection
      broken in the middle of a transfer);
    * HTTP 5xx: ``requests.exceptions.HTTPError`` whose response status is 500-599 (or, when
      it carries no response, whose message shows a 5xx, as lightkurve's TESScut 504 does),
      ``urllib.error.HTTPError`` with a 5xx code, and astroquery's ``RemoteServiceError`` whose
      message shows a 5xx (it carries no status code of its own);
    * failed or partial transfers as lightkurve reports them. astroquery's
      ``Observations.download_file`` catches the transfer's HTTPError and returns an "ERROR"
      manifest row instead of raising. lightkurve releases without a check of that status
      (lightkurve issue #1211) went on to open the file that never arrived, so a MAST 502
      surfaced as ``FileNotFoundError``; lightkurve 2.6.0 checks the status and raises
      ``LightkurveError("Download of ... failed. MAST returns ERROR: HTTPError: 502 Server
      Error: ...")``. Both count: ``FileNotFoundError``, and ``LightkurveError`` whose message
      shows a 5xx, says "File was not downloaded", or says the file "may be corrupt due to an
      interrupted download";
    * :class:`InvalidLightCurveFile`: a downloaded file that failed :func:`validate_fits`.

    Not transient: HTTP 4xx (404: the product is not there; retrying cannot help), and anything
    else, e.g. ``ValueError`` from a malformed target name.
    """
    from astroquery.exceptions import RemoteServiceError
    from astroquery.exceptions import TimeoutError as AstroqueryTimeoutError

    if isinstance(exc, urllib.error.HTTPError):  # a URLError subclass; only 5xx is transient
        return _status_is_5xx(exc.code)
    if isinstance(exc, requests.exceptions.HTTPError):
        if exc.response is not None:
            return _status_is_5xx(exc.response.status_code)
        return bool(_HTTP_5XX_MESSAGE.search(str(exc)))
    if isinstance(
        exc,
        (
            TimeoutError,  # socket.timeout is an alias of it
            AstroqueryTimeoutError,
            ConnectionError,
            requests.exceptions.Timeout,
            requests.exceptions.ConnectionError,
            requests.exceptions.ChunkedEncodingError,
            urllib.error.URLError,
            FileNotFoundError,
            InvalidLightCurveFile,
        ),
    ):
        return True
    if isinstance(exc, RemoteServiceError):
        return bool(_HTTP_5XX_MESSAGE.search(str(exc)))
    # A LightkurveError can only exist once lightkurve is imported; looking it up in
    # sys.modules avoids paying lightkurve's import time just to classify other errors.
    lk_utils = sys.modules.get("lightkurve.utils")
    if lk_utils is not None and isinstance(exc, lk_utils.LightkurveError):
        message = str(exc)
        return bool(_HTTP_5XX_MESSAGE.search(message) or _LIGHTKURVE_TRANSFER_FAILURE.search(message))
    return False


class _DefaultTimeoutAdapter(requests.adapters.HTTPAdapter):
    """An HTTP adapter that gives every request without a timeout of its own ``timeout_s``."""

    def __init__(self, timeout_s: float):
        super().__init__()
        self.timeout_s = timeout_s

    def send(self, request, timeout=None, **kwargs):
        return super().send(request, timeout=self.timeout_s if timeout is None else timeout, **kwargs)


def limit_request_time(session: requests.Session, timeout_s: float) -> None:
    """Make every request of ``session`` that sets no timeout fail with
    ``requests.exceptions.Timeout`` (transient, so retried) when the server sends nothing for
    ``timeout_s`` seconds, instead of waiting forever.

    astroquery 0.4 gives its queries a timeout (``astroquery.mast.conf.timeout``, 600 s) but
    downloads product files (``Observations._download_file``) with none, so one stalled
    connection would hold a download job for as long as the run lasts.
    """
    adapter = _DefaultTimeoutAdapter(timeout_s)
    session.mount("https://", adapter)
    session.mount("http://", adapter)


def _product_relpath(product: Any) -> Path:
    """Where lightkurve stores ``product`` (a one-row SearchResult), relative to the cache.

    Same layout as lightkurve 2.6.0 ``SearchResult._download_one`` (which follows astroquery's
    ``Observations._download_files``): ``mastDownload/<obs_collection>/<obs_id>/<file>``.
    """
    table = product.table
    return Path(
        "mastDownload",
        str(table["obs_collection"][0]),
        str(table["obs_id"][0]),
        os.path.basename(str(table["productFilename"][0])),
    )


def _fetch_product(product: Any, cache_dir: Path, logger: logging.Logger) -> Path:
    """Make sure a valid copy of ``product`` is in ``cache_dir``; return its path.

    A valid file already there is reused without contacting MAST. An invalid one (a partial
    download from an earlier, interrupted run or attempt) is deleted first: lightkurve would
    otherwise find it and never download the file again. After downloading, the file is
    validated; a bad file is deleted and :class:`InvalidLightCurveFile` raised, so the retry
    loop fetches it again.
    """
    path = cache_dir / _product_relpath(product)
    if path.exists():
        try:
            validate_fits(path)
        except InvalidLightCurveFile as exc:
            logger.warning("deleting invalid cached file before downloading again: %s", exc)
            path.unlink()
        else:
            logger.info("reusing valid cached file %s", path)
            return path
    logger.info("downloading %s", path)
    # lightkurve parses the file into a LightCurve, which is not needed here: the file on disk
    # is the output, and quality masking belongs to the features step, hence "none".
    product.download(download_dir=str(cache_dir), quality_bitmask="none")
    if not path.exists():
        raise FileNotFoundError(2, "downloaded file is missing", str(path))
    try:
        validate_fits(path)
    except InvalidLightCurveFile:
        path.unlink()
        raise
    return path


def download_lightcurve(
    target_id: str,
    mission: str,
    cache_dir: str | os.PathLike,
    *,
    author: str | None,
    exptime: float | None,
    retries: int,
    backoff_s: float,
    timeout_s: float = 120.0,
    search: Callable[..., Any] | None = None,
    sleep: Callable[[float], Any] = time.sleep,
    logger: logging.Logger | None = None,
) -> dict[str, Any]:
    """Download (or reuse from ``cache_dir``) every light curve of the star ``target_id``.

    Searches MAST with ``search(target_id, mission=mission, author=author, exptime=exptime)``,
    by default ``lightkurve.search_lightcurve`` (imported only then: it takes seconds). Every
    product found is fetched, in lightkurve's order (as ``SearchResult.download_all`` does):
    each sector or quarter of the configured ``author`` and ``exptime``, one file each, each
    cached on its own.

    With the default ``search``, a MAST request that sends nothing for ``timeout_s`` seconds
    fails as a transient error (:func:`limit_request_time`).

    Search and download share one retry budget: after a transient error (see
    :func:`is_transient`) the function sleeps ``backoff_s * 2**k`` seconds, k = 0, 1, 2, ...,
    and tries again, at most ``retries`` times (``retries + 1`` attempts in all). Each retry is
    logged with its error. A successful search is not repeated when a later download fails.

    Returns
    -------
    dict
        ``target_id``; ``status``: ``"ok"`` or ``"no_data"``; ``paths``: absolute paths of the
        FITS files (what ``shardflow.exoplanets.sources.locate`` hands to the reader), empty
        for no data; ``mission``, ``author``, ``exptime``: the search parameters; ``attempts``: attempts
        made (1 when nothing failed);
        ``reason``: why there is no data, ``None`` when ok. No timestamps, so reruns agree.

    Raises
    ------
    DownloadError
        When transient errors persist through all attempts.
    Exception
        Any non-transient error, unchanged, on the attempt it happens.
    """
    logger = logger or _log
    cache = Path(cache_dir).resolve()
    cache.mkdir(parents=True, exist_ok=True)
    if search is None:
        import lightkurve
        from astroquery.mast import Observations

        search = lightkurve.search_lightcurve
        limit_request_time(Observations._session, timeout_s)  # lightkurve downloads through it

    record: dict[str, Any] = {
        "target_id": target_id,
        "mission": mission,
        "author": author,
        "exptime": exptime,
    }
    found = None
    attempt = 0
    while True:
        attempt += 1
        try:
            if found is None:
                found = search(target_id, mission=mission, author=author, exptime=exptime)
                if len(found) == 0:
                    reason = f"MAST has no {mission} light curve for {target_id!r} (author={author}, exptime={exptime})"
                    logger.info("no data: %s", reason)
                    return {
                        **record,
                        "status": "no_data",
                        "paths": [],
                        "attempts": attempt,
                        "reason": reason,
                    }
            paths = [str(_fetch_product(found[k], cache, logger)) for k in range(len(found))]
            return {
                **record,
                "status": "ok",
                "paths": paths,
                "attempts": attempt,
                "reason": None,
            }
        except Exception as exc:
            if not is_transient(exc):
                raise
            if attempt > retries:
                raise DownloadError(target_id, attempt, exc) from exc
            delay = backoff_s * 2 ** (attempt - 1)
            logger.warning(
                "%s: attempt %d failed with transient %s: %s; retrying in %.3g s",
                target_id,
                attempt,
                type(exc).__name__,
                exc,
                delay,
            )
            sleep(delay)


def write_record(record: dict[str, Any], path: str | os.PathLike) -> None:
    """Write ``record`` as JSON (sorted keys, indent 2) to ``path``, atomically."""
    text = json.dumps(record, sort_keys=True, indent=2) + "\n"
    replace_atomically(Path(path), lambda tmp: tmp.write_text(text))
