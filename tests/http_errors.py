"""HTTP errors as ``requests`` raises them, for tests that fake a server (the MAST tests and the
fault shim's fake MAST)."""

from __future__ import annotations

from http import HTTPStatus

import requests


def http_error(status: int, url: str) -> requests.exceptions.HTTPError:
    """The HTTPError that ``requests`` raises for ``status`` at ``url``: its message (e.g. "502
    Server Error: Bad Gateway for url: ...") and its response included."""
    response = requests.Response()
    response.status_code = status
    response.reason = HTTPStatus(status).phrase
    response.url = url
    try:
        response.raise_for_status()
    except requests.exceptions.HTTPError as exc:
        return exc
    raise AssertionError(f"raise_for_status did not raise for status {status}")
