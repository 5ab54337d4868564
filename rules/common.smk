# What more than one pipeline's rules use: wildcard constraints, the registry of target rules
# that `all` builds, the error of an input that yields no shard, optional shell options. Each
# pipeline's own input functions and constants live in rules/{pipeline}_inputs.smk, and run only
# when its rules are in the DAG.

import os
import shlex
from functools import lru_cache

from snakemake.exceptions import WorkflowError

from shardflow.inputs import folder_contents, no_shards_message


wildcard_constraints:
    batch=r"\d{4}",
    target_id=r"[^/]+",
    date=r"\d{4}-\d{2}-\d{2}",
    chip=r"\d+",
    proc=r"IVg|VVg|It",
    month=r"\d{4}-\d{2}",


# {pipeline: function returning its final outputs}: each rules file registers its own, and both
# its target rule and `all` ask it, so a pipeline's folders are read only when it is requested.
PIPELINE_OUTPUTS = {}


def no_shards(key, path, expected, found=None):
    """Stop the run before any job: ``key``'s ``path`` yields no shard (``found`` says what is
    there, by default a listing of the folder) and ``expected`` is the layout the pipeline
    reads."""
    raise WorkflowError(no_shards_message(key, path, found or folder_contents(path), expected))


def shell_option(flag, values):
    """``flag`` and the quoted path for a `shell:` command when an optional input list holds one
    path, else nothing."""
    return f"{flag} {shlex.quote(values[0])}" if values else ""
