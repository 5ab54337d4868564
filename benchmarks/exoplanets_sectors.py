"""CPU per star for 1, 2 and 4 stitched sectors (issue 12), side by side with TLS 2.0.4 alone
on the same detrended data: the demo's four-sector star DEMO-M03 (one planet of 33 d), its
first 1, 2 and 4 sectors. ``star_rows`` runs the whole per-star pipeline (read, stitch,
detrend, iterative search, matching, BLS, vetting); ``tls_alone`` is one
``transitleastsquares`` search with the same grid settings.

Writes ``results/benchmarks/exoplanets_sectors.json``.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import write_result  # noqa: E402

from shardflow.config import schema_defaults  # noqa: E402
from shardflow.exoplanets.demo import write_demo  # noqa: E402
from shardflow.exoplanets.features import Settings, prepare_light_curve, star_rows  # noqa: E402
from shardflow.exoplanets.lightcurves import read_star  # noqa: E402
from shardflow.exoplanets.search import tls_search  # noqa: E402

STAR = "DEMO-M03"


def cpu(fn, repeats: int) -> float:
    """Median process CPU seconds (all threads) of ``fn()``."""
    samples = []
    for _ in range(repeats):
        start = time.process_time()
        fn()
        samples.append(time.process_time() - start)
    return round(statistics.median(samples), 3)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=1)
    args = parser.parse_args()
    settings = Settings(**schema_defaults()["exoplanets"]["search"])
    result = {}
    with tempfile.TemporaryDirectory() as tmp:
        ids = ["DEMO-M01", "DEMO-M02", STAR]
        catalog = write_demo([], Path(tmp) / "c.csv", Path(tmp) / "lc", 20260101, ids)
        rows = catalog[catalog["star_id"] == STAR].to_dict("records")
        files = [str(Path(tmp) / "lc" / name) for name in rows[0]["path"].split(";")]
        for n in (1, 2, 4):
            paths = files[:n]
            out = star_rows(rows, lambda paths=paths: paths, settings)  # warm-up, and the answer
            lc, _ = read_star(paths)
            prep = prepare_light_curve(lc, settings)

            def tls_alone(prep=prep):
                tls_search(
                    prep["time"], prep["flux"], prep["flux_err"], period_min=settings.period_min_days, period_max=None
                )

            result[f"{n}_sectors"] = {
                "points": int(prep["time"].size),
                "span_days": round(lc.span_days, 2),
                "star_rows_cpu_s": cpu(lambda paths=paths: star_rows(rows, lambda: paths, settings), args.repeats),
                "tls_alone_cpu_s": cpu(tls_alone, args.repeats),
                "tls_period": out[0]["tls_period"],
                "period_match": out[0]["period_match"],
                "n_detections": out[0]["n_detections"],
            }
            print(n, result[f"{n}_sectors"], flush=True)
    print(write_result("exoplanets_sectors", {"star": STAR, "catalog_period": rows[0]["period"], "runs": result}))


if __name__ == "__main__":
    main()
