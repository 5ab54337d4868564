"""One month of ER 3D spectra (rule lunar_month)."""

import os

# polars and pyarrow size their thread pools when first imported: give them the rule's threads.
os.environ["POLARS_MAX_THREADS"] = str(snakemake.threads)

import pyarrow  # noqa: E402

pyarrow.set_cpu_count(snakemake.threads)

from shardflow.io import script_logger, write_polars  # noqa: E402
from shardflow.lunar.instrument import THETA_DEG, read_theta_table  # noqa: E402
from shardflow.lunar.kernels import standard_kernels  # noqa: E402
from shardflow.lunar.month import FitSettings, process_month  # noqa: E402

log = script_logger(snakemake.log[0], "lunar.month")
p = snakemake.params
settings = FitSettings.from_config({"fit": p.fit, "spacecraft": p.spacecraft})
theta = read_theta_table(snakemake.input.theta[0]) if snakemake.input.theta else THETA_DEG
kernels = [*standard_kernels(), snakemake.input.pck, *snakemake.input.kernels]
table, errors, timings = process_month(list(snakemake.input.files), kernels, settings, snakemake.threads, theta)
write_polars(table, snakemake.output.table)
write_polars(errors, snakemake.output.errors)
log.info(
    "%s: %d files, %d spectra, %d read errors",
    snakemake.wildcards.month,
    len(snakemake.input.files),
    table.height,
    errors.height,
)
for column in ("status", "sc_status", "surface_status"):
    counts = table.group_by(column).len().sort(column).drop_nulls(column)
    log.info("%s: %s", column, ", ".join(f"{k} {v}" for k, v in counts.iter_rows()))
log.info(
    "seconds per stage (summed over %d threads): %s",
    snakemake.threads,
    ", ".join(f"{k} {v:.2f}" for k, v in timings.items()),
)
for reason in errors["reason"]:
    log.warning("%s", reason)
