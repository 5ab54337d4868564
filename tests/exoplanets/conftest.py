"""Fixtures of the exoplanet tests: search settings from the config schema's defaults (the one
source of defaults), as the pipeline gets them."""

from pathlib import Path

import pytest
from snakemake.utils import validate

from shardflow.exoplanets.features import Settings

SCHEMA = Path(__file__).resolve().parents[2] / "config" / "schema.yaml"


def schema_defaults() -> dict:
    """An empty config validated against ``config/schema.yaml``: every default filled in."""
    config: dict = {}
    validate(config, str(SCHEMA))
    return config


@pytest.fixture(scope="session")
def settings() -> Settings:
    return Settings(**schema_defaults()["exoplanets"]["search"])
