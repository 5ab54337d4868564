# shardflow: four science pipelines as file-based Snakemake rules.
# Each input shard maps to one output file; finished outputs are the checkpoints.
# Run `snakemake --cores N <pipeline>`; `all` builds config["pipelines"].

import os

from snakemake.utils import min_version, validate

min_version("9.0")

# numba-compiled kernels (TLS, wotan) are cached on disk and shared by all jobs.
os.environ.setdefault("NUMBA_CACHE_DIR", os.path.abspath("resources/numba_cache"))


configfile: "config/config.yaml"


validate(config, "config/schema.yaml")


include: "rules/common.smk"
include: "rules/exoplanets.smk"


rule all:
    """Every pipeline named in config["pipelines"]."""
    input:
        [getattr(rules, name).input for name in config["pipelines"]],
    default_target: True
