"""Snakemake script: write the exoplanet demo catalog and SPOC-format light curves.

Params: ``target_ids`` (list of ids such as ``DEMO-0001``), ``multi_star_ids`` (``DEMO-M01``, ...),
``seed`` (int). Outputs: ``catalog`` (CSV), ``toi`` (the multi-sector stars as an archive TOI
table) and ``lightcurves`` (every light-curve file, all in one directory). The science
lives in :func:`shardflow.exoplanets.demo.write_demo`.
"""

from pathlib import Path

from shardflow.exoplanets.demo import write_demo
from shardflow.io import script_logger

log = script_logger(snakemake.log[0], "exoplanets.demo_data")  # noqa: F821 (injected by Snakemake)
target_ids = [str(target_id) for target_id in snakemake.params.target_ids]  # noqa: F821
seed = int(snakemake.params.seed)  # noqa: F821
lightcurve_dir = Path(snakemake.output.lightcurves[0]).parent  # noqa: F821

log.info("writing %d demo targets (seed %d) to %s", len(target_ids), seed, lightcurve_dir)
multi = [str(star) for star in snakemake.params.multi_star_ids]  # noqa: F821
catalog = write_demo(target_ids, snakemake.output.catalog, lightcurve_dir, seed, multi, snakemake.output.toi)  # noqa: F821
for kind, count in catalog["kind"].value_counts().sort_index().items():
    log.info("%s: %d targets", kind, count)
log.info("catalog written to %s", snakemake.output.catalog)  # noqa: F821
