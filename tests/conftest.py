"""Shared fixtures: repository paths, the real sample data beside the project, and the
numba cache shared by every test and every snakemake run the tests start."""

import os
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
SHARED_DATA = REPO_ROOT.parent / "shared" / "data"

os.environ.setdefault("NUMBA_CACHE_DIR", str(REPO_ROOT / "resources" / "numba_cache"))


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """``../shared/data`` (real light curves, box scores, a transfer curve); the test is
    skipped, with the reason, when the folder is not there, as on a user's machine."""
    if not SHARED_DATA.is_dir():
        pytest.skip(f"real sample data not found at {SHARED_DATA}")
    return SHARED_DATA
