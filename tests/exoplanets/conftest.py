"""Fixtures of the exoplanet tests: search settings from the config schema's defaults (the one
source of defaults), as the pipeline gets them."""

import pytest

from shardflow.config import schema_defaults
from shardflow.exoplanets.features import Settings


@pytest.fixture(scope="session")
def settings() -> Settings:
    return Settings(**schema_defaults()["exoplanets"]["search"])
