"""Compile (or load from NUMBA_CACHE_DIR) the numba kernels of the transit search
(shardflow.exoplanets.fastsearch, with TLS's statistics) and wotan once, so that feature jobs
start with compiled code instead of each paying the first-run compilation."""

import os
import time
from importlib.metadata import version
from pathlib import Path

from shardflow.exoplanets.features import Settings, compute_features
from shardflow.exoplanets.lightcurves import LightCurve
from shardflow.exoplanets.synthetic import trapezoid_transit_light_curve
from shardflow.io import script_logger

log = script_logger(snakemake.log[0], "exoplanets.compile")
start = time.perf_counter()
time_d, flux = trapezoid_transit_light_curve(period=1.7, depth_ppm=3000, duration_days=0.08, days=6.0, noise_ppm=500)
lc = LightCurve(
    time_d, flux, flux * 0 + 1e-3, "synthetic", 2 / 1440, "none", time_d.size, (("synthetic", time_d[0], time_d[-1]),)
)
compute_features(lc, {"period": 1.7, "depth": 3000, "duration": 1.9, "epoch": 0.0}, Settings(**snakemake.params.search))
versions = {p: version(p) for p in ("transitleastsquares", "wotan", "numba")}
log.info("kernels ready in %.1f s (NUMBA_CACHE_DIR=%s)", time.perf_counter() - start, os.environ.get("NUMBA_CACHE_DIR"))
Path(snakemake.output[0]).write_text("".join(f"{k}=={v}\n" for k, v in versions.items()))
