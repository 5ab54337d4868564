"""Features of one batch of catalog rows (rule exoplanets_features)."""

import pandas as pd

from shardflow.exoplanets.features import Settings, feature_table, target_features
from shardflow.exoplanets.sources import locate
from shardflow.io import script_logger, write_parquet

log = script_logger(snakemake.log[0], "exoplanets.features")
p = snakemake.params
settings = Settings(**p.search, threads=snakemake.threads)
catalog = pd.read_parquet(snakemake.input.catalog)
batch = catalog[catalog["batch"] == int(snakemake.wildcards.batch)]

rows = []
for i, row in enumerate(batch.to_dict("records"), 1):
    out = target_features(row, lambda row=row: locate(row, p.source, p.lightcurves_dir, p.mast_cache_dir), settings)
    rows.append(out)
    if out["status"] == "ok":
        log.info(
            "[%d/%d] %s ok: TLS P=%.5f d SDE=%.1f (%.2f s)",
            i,
            len(batch),
            row["target_id"],
            out["tls_period"],
            out["tls_sde"],
            out["runtime_s"],
        )
    else:
        log.warning("[%d/%d] %s failed (%s): %s", i, len(batch), row["target_id"], out["category"], out["reason"])

table = feature_table(rows, batch)
write_parquet(table, snakemake.output[0])
log.info(
    "batch %s: %d ok, %d failed",
    snakemake.wildcards.batch,
    (table["status"] == "ok").sum(),
    (table["status"] == "failed").sum(),
)
