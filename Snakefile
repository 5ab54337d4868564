# shardflow: four science pipelines as file-based Snakemake rules.
# Each input shard maps to one output file; finished outputs are the checkpoints.
# Run `snakemake --cores N <pipeline>`; `all` builds config["pipelines"].

import os
import shlex
import sys

from snakemake.utils import min_version, validate

from shardflow.runlock import clear_stale_locks, record_owner

min_version("9.0")

# numba-compiled kernels (TLS, wotan) are cached on disk and shared by all jobs.
os.environ.setdefault("NUMBA_CACHE_DIR", os.path.abspath("resources/numba_cache"))

# `python` in a `shell:` rule is the interpreter running Snakemake (as for `script:` rules), even
# when its environment is not activated; with --sdm conda and the like, the deployed one. The
# prefix keeps Snakemake's own default, `set -euo pipefail`.
if not workflow.deployment_settings.deployment_method:
    shell.prefix(f'set -euo pipefail; PATH={shlex.quote(os.path.dirname(sys.executable))}:"$PATH"; ')


configfile: "config/config.yaml"


validate(config, "config/schema.yaml")


# A killed run leaves Snakemake's lock behind: remove it when its owner is dead, so that a
# plain rerun resumes. A live run keeps its lock and a second run is refused as usual.
if workflow.is_main_process and (message := clear_stale_locks()):
    print(f"shardflow: {message}", file=sys.stderr)


onstart:
    record_owner()


include: "rules/common.smk"
include: "rules/exoplanets.smk"
include: "rules/chips.smk"
include: "rules/nba.smk"
include: "rules/lunar.smk"


# Every pipeline named in config["pipelines"].
rule all:
    default_target: True
    input:
        lambda wildcards: [path for name in config["pipelines"] for path in PIPELINE_OUTPUTS[name]()],
