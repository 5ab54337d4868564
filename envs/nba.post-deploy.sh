#!/usr/bin/env bash
# Snakemake runs this inside the new conda environment, from its working directory (the
# repository root): install the shardflow library without touching the pinned packages.
set -euo pipefail
python -m pip install --no-deps --editable .
