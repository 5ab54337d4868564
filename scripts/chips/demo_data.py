"""Demo lab (rule chips_demo_data): run CSVs per date, chips.csv with the geometry, the truth."""

from pathlib import Path

from shardflow.chips.demo import write_demo_lab
from shardflow.io import script_logger, write_csv

log = script_logger(snakemake.log[0], "chips.demo_data")
p = snakemake.params
raw = Path(snakemake.output.geometry).parent
truth = write_demo_lab(raw, n_chips=p.n_chips, dates=list(p.dates), runs_per_chip_day=p.runs_per_chip_day, seed=p.seed)
for date in p.dates:
    (raw / date).mkdir(parents=True, exist_ok=True)  # a date without runs is still a folder
geometry = truth[["chip_number", "width_um", "length_um", "c_g_f_cm2"]].drop_duplicates("chip_number")
write_csv(geometry.sort_values("chip_number"), snakemake.output.geometry)
write_csv(truth, snakemake.output.truth)
log.info(
    "%d runs of %d chips over %d dates; %d broken files",
    len(truth),
    p.n_chips,
    len(p.dates),
    (truth["kind"] != "ok").sum(),
)
