"""The per-shard chips jobs as one command line: ``python -m shardflow.chips.jobs STEP ...``.

Rules chips_stage (one job per block of ``chips.stage_days`` day folders) and chips_metrics
(one per chip, each of its (chip, procedure) groups) run these through `shell:` instead of
`script:`: the `script:` preamble imports Snakemake into every job, a start-up cost paid by
each of a large lab's jobs (docs/chips.md, Speed). Each step only moves data between its files
and the library functions, like a rule script. The rules set POLARS_MAX_THREADS to their
threads (with --cores N, N jobs already share the cores).

    stage    --days JSON --formats JSON --stage-dir BLOCK_DIR --manifest OUT --errors OUT
             --log LOG
    metrics  --chip C --manifest FILE --stage-dir DIR --stage-days K [--geometry CSV]
             --settings JSON --log LOG --output OUT

``--days`` maps each date of a staging block (ISO) to its day folder; ``--stage-dir`` is the
block's folder for ``stage`` and the folder of all blocks for ``metrics``, ``--stage-days``
the config's ``chips.stage_days`` (the block of a run's date holds its partition).

``--settings`` is the config's ``chips.metrics`` as JSON (the fields of :class:`.metrics.Settings`).
"""

from __future__ import annotations

import argparse
import json
from collections import Counter

import polars as pl

from shardflow.io import script_logger, write_polars

from .formats import parse_formats
from .metrics import Settings, extract_group
from .staging import block_dir, load_run, stage_date


def stage(args: argparse.Namespace) -> None:
    """Stage a block of days: each day folder's partitions, and the manifest fragment and the
    errors of the block (its days in date order)."""
    log = script_logger(args.log, "chips.stage")
    formats = parse_formats(json.loads(args.formats), "rule chips_stage --formats")
    manifests, errors = [], []
    for date, folder in sorted(json.loads(args.days).items()):
        manifest, rejected = stage_date(folder, date, args.stage_dir, formats)
        manifests.append(manifest)
        errors.append(rejected)
        log.info(
            "%s: %d runs staged (%s), %d files rejected",
            date,
            len(manifest),
            ", ".join(f"{p} {n}" for p, n in sorted(Counter(manifest["proc"]).items())),
            len(rejected),
        )
        for reason in rejected["reason"]:
            log.warning("rejected %s", reason)
    write_polars(pl.concat(manifests), args.manifest)
    write_polars(pl.concat(errors), args.errors)


def metrics(args: argparse.Namespace) -> None:
    """Metrics of one chip: each of its (chip, procedure) groups of the manifest, in procedure
    order (the order the merged table keeps)."""
    log = script_logger(args.log, "chips.metrics")
    chip = int(args.chip)
    runs = pl.read_parquet(args.manifest).filter(pl.col("chip_number") == chip)
    geometry = None
    if args.geometry:
        chips = pl.read_csv(args.geometry)
        chips = chips.filter(pl.col("chip_number").cast(pl.Int64, strict=False) == chip)  # "7" and 7 match
        geometry = chips.row(0, named=True) if len(chips) else None
    settings = Settings(**json.loads(args.settings))
    days = int(args.stage_days)
    tables = []
    for proc in sorted(runs["proc"].unique()):
        group = runs.filter(pl.col("proc") == proc)
        runs_data = [load_run(block_dir(args.stage_dir, row["date"], days), row) for row in group.iter_rows(named=True)]
        tables.append(extract_group(runs_data, geometry, settings))
        log.info("chip %d %s: %d runs, %d metric rows", chip, proc, len(group), len(tables[-1]))
    table = pl.concat(tables)  # the chip has runs: it is a chip of the manifest
    write_polars(table, args.output)
    failed = table.filter(pl.col("metric_name") == "extraction_failed")
    log.info(
        "chip %d: %d runs, %d metric rows, %d runs failed extraction, geometry %s",
        chip,
        len(runs),
        len(table),
        len(failed),
        "known" if geometry else "unknown",
    )
    for run_id, flags in failed.select("run_id", "flags").iter_rows():
        log.warning("%s: %s", run_id, flags)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m shardflow.chips.jobs", description=__doc__.splitlines()[0])
    steps = parser.add_subparsers(dest="step", required=True)
    step = steps.add_parser("stage")
    for option in ("--days", "--formats", "--stage-dir", "--manifest", "--errors"):
        step.add_argument(option, required=True)
    step.set_defaults(run=stage)
    step = steps.add_parser("metrics")
    for option in ("--chip", "--manifest", "--stage-dir", "--stage-days", "--settings", "--output"):
        step.add_argument(option, required=True)
    step.add_argument("--geometry")
    step.set_defaults(run=metrics)
    for step in steps.choices.values():
        step.add_argument("--log", required=True)
    args = parser.parse_args(argv)
    args.run(args)


if __name__ == "__main__":
    main()
