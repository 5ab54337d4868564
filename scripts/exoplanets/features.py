"""Features of one batch of catalog rows, star by star (rule exoplanets_features)."""

import pandas as pd

from shardflow.exoplanets.diagnostics import diagnostics_frame
from shardflow.exoplanets.features import Settings, feature_table, star_rows
from shardflow.exoplanets.sources import locate, read_record
from shardflow.io import script_logger, write_parquet

log = script_logger(snakemake.log[0], "exoplanets.features")
p = snakemake.params
settings = Settings(**p.search, threads=snakemake.threads)
catalog = pd.read_parquet(snakemake.input.catalog)
batch = catalog[catalog["batch"] == int(snakemake.wildcards.batch)]
record = read_record(snakemake.input.lightcurves[0]) if p.source == "mast" else None

rows, diagnostics = [], []
stars = list(batch.groupby("star_id", sort=False))
for i, (star, group) in enumerate(stars, 1):
    members = group.to_dict("records")
    outs = star_rows(
        members, lambda row=members[0]: locate(row, p.source, p.lightcurves_dir, record), settings, diagnostics
    )
    rows += outs
    for out in outs:
        if out["status"] == "ok":
            log.info(
                "[%d/%d] %s %s ok (%s): TLS P=%.5f d SDE=%.1f, %s (%.2f s)",
                i,
                len(stars),
                star,
                out["target_id"],
                out["lc_segments"],
                out["tls_period"],
                out["tls_sde"],
                out["period_match"],
                out["runtime_s"],
            )
        else:
            log.warning(
                "[%d/%d] %s %s failed (%s): %s", i, len(stars), star, out["target_id"], out["category"], out["reason"]
            )

table = feature_table(rows, batch)
write_parquet(table, snakemake.output.features)
write_parquet(diagnostics_frame(diagnostics), snakemake.output.diagnostics)
log.info(
    "batch %s: %d ok, %d failed",
    snakemake.wildcards.batch,
    (table["status"] == "ok").sum(),
    (table["status"] == "failed").sum(),
)
