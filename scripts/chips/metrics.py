"""Metrics of one (chip, procedure) group (rule chips_metrics)."""

import json
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq

from shardflow.chips.metrics import extract_group
from shardflow.io import script_logger, write_parquet

log = script_logger(snakemake.log[0], "chips.metrics")
chip, proc = int(snakemake.wildcards.chip), snakemake.wildcards.proc
manifest = pd.read_parquet(snakemake.input.manifest)
group = manifest[(manifest["chip_number"] == chip) & (manifest["proc"] == proc)]
stage_dir = Path(snakemake.input.stage[0]).parents[1]
runs = [
    ({**json.loads(row["settings"]), **row}, pq.read_table(stage_dir / row["path"]).to_pandas())
    for row in group.to_dict("records")
]
geometry = None
if snakemake.input.geometry:
    chips = pd.read_csv(snakemake.input.geometry[0]).set_index("chip_number")
    geometry = chips.loc[chip].to_dict() if chip in chips.index else None
metrics = extract_group(runs, geometry)
write_parquet(metrics, snakemake.output[0])
failed = metrics[metrics["metric_name"] == "extraction_failed"]
log.info("chip %d %s: %d runs, %d metric rows, %d runs failed extraction, geometry %s",
         chip, proc, len(runs), len(metrics), len(failed), "known" if geometry else "unknown")
for row in failed.itertuples():
    log.warning("%s: %s", row.run_id, row.flags)
