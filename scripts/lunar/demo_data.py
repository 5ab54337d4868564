"""Demo orbit SPK, ER 3D files and truth (rule lunar_demo_data)."""

from pathlib import Path

from shardflow.io import replace_atomically, script_logger
from shardflow.lunar.demo import write_demo

log = script_logger(snakemake.log[0], "lunar.demo_data")
p = snakemake.params
out_dir = Path(snakemake.output.truth).parent
truth = write_demo(
    out_dir,
    list(p.days),
    p.spectra_per_day,
    p.seed,
    snakemake.input.pck,
    malformed_day=p.malformed_day,
    spacecraft=p.see,
)
replace_atomically(Path(snakemake.output.truth), lambda tmp: truth.write_parquet(tmp, compression="zstd"))
counts = dict(truth.group_by("region").len().sort("region").iter_rows())
log.info(
    "%d spectra over %d days (%s); %d malformed spectra",
    truth.height,
    len(p.days),
    ", ".join(f"{k} {v}" for k, v in counts.items()),
    (truth["expected_status"] == "malformed").sum(),
)
