"""The files of nba.boxscores_dir that no reader takes, and why (rule nba_input_errors)."""

import csv
from pathlib import Path

from shardflow.io import replace_atomically, script_logger

log = script_logger(snakemake.log[0], "nba.input_errors")
rows = sorted(snakemake.params.rows)


def write(tmp):
    with open(tmp, "w", newline="") as handle:
        table = csv.writer(handle)
        table.writerow(["file", "reason"])
        table.writerows(rows)


replace_atomically(Path(snakemake.output[0]), write)
for name, reason in rows:
    log.warning("%s/%s: %s", snakemake.params.folder, name, reason)
log.info("%d files of %s taken by no reader", len(rows), snakemake.params.folder)
