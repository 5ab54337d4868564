"""The configuration's defaults as the workflow gets them, for tests and benchmarks.

``config/schema.yaml`` is the one source of defaults: the workflow validates its config against
it with :func:`snakemake.utils.validate`, which fills in every default. Code that calls the
library outside the workflow takes its settings from :func:`schema_defaults`, never from a
second set of values.
"""

from __future__ import annotations

from pathlib import Path

SCHEMA = Path(__file__).resolve().parents[2] / "config" / "schema.yaml"


def schema_defaults() -> dict:
    """An empty config validated against ``config/schema.yaml``: every section with its defaults."""
    from snakemake.utils import validate

    config: dict = {}
    validate(config, str(SCHEMA))
    return config
