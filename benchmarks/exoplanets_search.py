"""The coarse-to-fine search (shardflow.exoplanets.fastsearch) against TLS 2.0.4 alone and
astropy's BLS with its automatic period grid, measured side by side in one process.

- ``sectors``: CPU seconds (process time, one thread) and recovered periods on 1, 2 and 4
  stitched sectors: the demo's first planet and TOI-263 (1 sector), TOI-2266 sectors 24+25
  and a synthetic star (2 sectors), a synthetic star with 4 sectors over two years.
- ``real``: every real file in ../shared/data/lightcurves (and TOI-2266 stitched): period,
  SDE and SNR of this search against TLS 2.0.4's (targets: period within 0.5 %, SDE and SNR
  within 10 %); and the 27 features of the TOI-263 sector, today and with this search.
- ``demo``: the demo catalog (config defaults: 60 targets, seed 20260101) through the 27
  features with the references (TLS + BLS) and with this search (one ``fold_search`` call
  gives both, as in the pipeline): recovery of planets
  with SNR >= 10, false detections above SDE 9, and the features' CPU per target.

Writes results/benchmarks/exoplanets_search.json.

    python benchmarks/exoplanets_search.py [--repeats 3]
"""

from __future__ import annotations

import argparse
import contextlib
import statistics
import sys
import tempfile
import time
from pathlib import Path
from unittest import mock

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import REPO_ROOT, write_result  # noqa: E402

from shardflow.config import schema_defaults  # noqa: E402
from shardflow.exoplanets import features, signals  # noqa: E402
from shardflow.exoplanets.demo import write_demo  # noqa: E402
from shardflow.exoplanets.evaluation import recovery_summary  # noqa: E402
from shardflow.exoplanets.fastsearch import fold_search  # noqa: E402
from shardflow.exoplanets.lightcurves import read_lightcurve, stitch  # noqa: E402
from shardflow.exoplanets.search import bls_search, tls_search  # noqa: E402
from shardflow.exoplanets.synthetic import trapezoid_transit_light_curve  # noqa: E402

REAL = REPO_ROOT.parent / "shared" / "data" / "lightcurves"
TOI_263 = "tess2018263035959-s0003-0000000120916706-0123-s_lc.fits"
TOI_2266 = (
    "tess2020106103520-s0024-0000000008348911-0180-s_lc.fits",
    "tess2020133194932-s0025-0000000008348911-0182-s_lc.fits",
)
#: Real files: (name, files stitched, known period in days, stellar radius and mass in solar units).
REAL_TARGETS = [
    ("TOI-263 b", (TOI_263,), 0.5567365, (0.405, 0.4)),
    ("K2-3 b", ("hlsp_k2sff_k2_lightcurve_201367065-c01_kepler_v1_llc.fits",), 10.0545, (1.0, 1.0)),
    ("HAT-P-7 b", ("kplr010666592-2009131110544_slc.fits",), 2.2047354, (1.0, 1.0)),
    ("TOI-2266 b s24", TOI_2266[:1], 2.326214, (1.0, 1.0)),
    ("TOI-2266 b s25", TOI_2266[1:], 2.326214, (1.0, 1.0)),
    ("TOI-2266 b s24+25", TOI_2266, 2.326214, (1.0, 1.0)),
]
#: Synthetic star: trapezoid transits in white noise, TESS 2-min cadence.
SYNTHETIC = dict(period=11.3, depth_ppm=1500.0, duration_days=0.15, t0=3.1, ingress_fraction=0.3, noise_ppm=1000.0)
#: Sector starts (days) of the synthetic multi-sector stars: consecutive sectors of 27 d (a
#: 1-d downlink gap in the middle of each), the second pair one year after the first.
SECTOR_STARTS = {2: (0.0, 27.4), 4: (0.0, 27.4, 365.2, 392.6)}
BLS_AUTO_DURATIONS = [0.04, 0.08, 0.12, 0.16, 0.2]
#: astropy's automatic grid is run up to this many periods (4 sectors over two years give
#: millions); above it the CPU is extrapolated from the largest grid run, per period and point.
BLS_AUTO_MAX_PERIODS = 400_000
PERIOD_MIN = 0.5


def cpu(fn, repeats: int):
    """(median process CPU seconds of ``fn()`` over ``repeats`` calls, last result)."""
    samples, out = [], None
    for _ in range(repeats):
        start = time.process_time()
        out = fn()
        samples.append(time.process_time() - start)
    return statistics.median(samples), out


def prepared(lcs) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The arrays the pipeline searches: the sectors stitched, then
    ``features.prepare_light_curve`` (detrending, edge trimming, upward-outlier clipping); times
    in days since the first day."""
    settings = features.Settings(**schema_defaults()["exoplanets"]["search"])
    arrays = features.prepare_light_curve(stitch(lcs), settings)
    return arrays["time"], arrays["flux"], arrays["flux_err"]


def synthetic_sectors(n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    starts = SECTOR_STARTS[n]
    t, f = trapezoid_transit_light_curve(**SYNTHETIC, days=starts[-1] + 27.0, seed=n)
    keep = np.zeros(t.size, dtype=bool)
    for s in starts:
        keep |= (t >= s) & (t < s + 27.0) & ~((t > s + 13.0) & (t < s + 14.0))
    return t[keep], f[keep], np.full(keep.sum(), SYNTHETIC["noise_ppm"] * 1e-6)


def compare(name, data, truth, star, repeats, bls_rate=None) -> dict:
    """This search, TLS alone and astropy BLS (automatic grid) on one light curve."""
    from astropy.timeseries import BoxLeastSquares

    t, f, e = data
    kw = dict(period_min=PERIOD_MIN, period_max=None, star_radius=star[0], star_mass=star[1])
    fold_search(t, f, e, **kw)  # warm-up: numba kernels loaded
    tls_search(t, f, e, **kw)
    ours_cpu, (ours, ours_bls) = cpu(lambda: fold_search(t, f, e, **kw), repeats)
    tls_cpu, tls = cpu(lambda: tls_search(t, f, e, **kw), repeats)
    bls = BoxLeastSquares(t, f, e)
    n_auto = len(bls.autoperiod(BLS_AUTO_DURATIONS))
    row = {
        "case": name,
        "n_points": int(t.size),
        "span_days": round(float(t.max() - t.min()), 2),
        "true_period": truth,
        "n_periods_tls_grid": int(tls.periods.size),
        "this_search": {"cpu_s": round(ours_cpu, 3), "period": ours.period, "sde": ours.sde, "snr": ours.snr},
        "this_search_bls_period": ours_bls.period,
        "tls_2.0.4": {"cpu_s": round(tls_cpu, 3), "period": tls.period, "sde": tls.sde, "snr": tls.snr},
        "cpu_ratio_vs_tls": round(ours_cpu / tls_cpu, 3),
        "astropy_bls_autogrid": {"n_periods": n_auto},
    }
    if n_auto <= BLS_AUTO_MAX_PERIODS:
        auto_cpu, res = cpu(lambda: bls.autopower(BLS_AUTO_DURATIONS), 1)
        row["astropy_bls_autogrid"].update(
            cpu_s=round(auto_cpu, 3), period=float(res.period[int(np.argmax(res.power))])
        )
    elif bls_rate is not None:
        row["astropy_bls_autogrid"].update(
            cpu_s_extrapolated=round(bls_rate * n_auto * t.size, 1),
            note=f"not run: over {BLS_AUTO_MAX_PERIODS} periods; CPU extrapolated per period and point",
        )
    return row


def sector_table(repeats: int, tmp: Path) -> list[dict]:
    ids = [f"DEMO-{i:04d}" for i in range(1, 6)]
    catalog = write_demo(ids, tmp / "catalog.csv", tmp / "lc", seed=20260101)
    planet = catalog[catalog["kind"] == "planet"].iloc[0]
    cases = [("1 sector, demo " + planet["target_id"], prepared([read_lightcurve(tmp / "lc" / planet["path"])]))]
    truths = [float(planet["period"])]
    stars = [(1.0, 1.0)]
    if (REAL / TOI_263).exists():
        cases.append(("1 sector, TOI-263 (real)", prepared([read_lightcurve(REAL / TOI_263)])))
        truths.append(0.5567365)
        stars.append((0.405, 0.4))
    if all((REAL / f).exists() for f in TOI_2266):
        cases.append(("2 sectors, TOI-2266 s24+25 (real)", prepared([read_lightcurve(REAL / f) for f in TOI_2266])))
        truths.append(2.326214)
        stars.append((1.0, 1.0))
    for n in (2, 4):
        cases.append((f"{n} sectors, synthetic ({SECTOR_STARTS[n][-1] + 27:.0f}-day span)", synthetic_sectors(n)))
        truths.append(SYNTHETIC["period"])
        stars.append((1.0, 1.0))
    rows, rate = [], None
    for (name, data), truth, star in zip(cases, truths, stars):
        heavy = data[0].size > 50_000
        row = compare(name, data, truth, star, 1 if heavy else repeats, rate)
        auto = row["astropy_bls_autogrid"]
        if "cpu_s" in auto:
            rate = auto["cpu_s"] / (auto["n_periods"] * row["n_points"])
        rows.append(row)
        print(
            f"{name:45s} this {row['this_search']['cpu_s']:7.3f} s  TLS {row['tls_2.0.4']['cpu_s']:7.3f} s  "
            f"astropy BLS {auto.get('cpu_s', auto.get('cpu_s_extrapolated')):>8} s  "
            f"P {row['this_search']['period']:.5f} / {row['tls_2.0.4']['period']:.5f} / {auto.get('period', '-')}"
            f"  (true {truth})",
            flush=True,
        )
    return rows


def real_agreement() -> list[dict]:
    out = []
    for name, files, period, star in REAL_TARGETS:
        t, f, e = prepared([read_lightcurve(REAL / f) for f in files])
        kw = dict(period_min=PERIOD_MIN, period_max=None, star_radius=star[0], star_mass=star[1])
        ours, _ = fold_search(t, f, e, **kw)
        ref = tls_search(t, f, e, **kw)
        row = {
            "target": name,
            "files": list(files),
            "known_period": period,
            "tls_period": ref.period,
            "period": ours.period,
            "period_rel_diff": ours.period / ref.period - 1,
            "tls_sde": ref.sde,
            "sde": ours.sde,
            "sde_rel_diff": ours.sde / ref.sde - 1,
            "tls_snr": ref.snr,
            "snr": ours.snr,
            "snr_rel_diff": ours.snr / ref.snr - 1,
        }
        row["meets_target"] = bool(
            abs(row["period_rel_diff"]) <= 0.005 and abs(row["sde_rel_diff"]) <= 0.1 and abs(row["snr_rel_diff"]) <= 0.1
        )
        print(
            f"{name:20s} P {ours.period:.5f}/{ref.period:.5f}  SDE {ours.sde:.2f}/{ref.sde:.2f}  "
            f"SNR {ours.snr:.2f}/{ref.snr:.2f}  {'ok' if row['meets_target'] else 'MISSES'}",
            flush=True,
        )
        out.append(row)
    return out


def tls_and_bls(time, flux, flux_err, **kwargs):
    """The reference: TLS 2.0.4 and astropy's BLS on TLS's period grid (the search before
    ``fold_search``), with the same arguments and results."""
    tls = tls_search(time, flux, flux_err, **kwargs)
    return tls, bls_search(time, flux, flux_err, tls.periods)


@contextlib.contextmanager
def reference_search():
    """The features with TLS 2.0.4 + astropy BLS in place of ``fold_search``."""
    with mock.patch.object(signals, "fold_search", tls_and_bls):
        yield


def demo_accuracy(tmp: Path) -> dict:
    """The demo through the 27 features with today's TLS + BLS and with this search."""
    ids = [f"DEMO-{i:04d}" for i in range(1, 61)]
    catalog = write_demo(ids, tmp / "demo60.csv", tmp / "demo60", seed=20260101)
    settings = features.Settings(**schema_defaults()["exoplanets"]["search"])

    def table():
        rows = [
            features.target_features(row, lambda p=row["path"]: str(tmp / "demo60" / p), settings)
            for row in catalog.to_dict("records")
        ]
        return features.feature_table(rows, catalog)

    with reference_search():
        table()  # warm-up
        today = table()
    table()
    swapped = table()
    ok = (today["status"] == "ok") & (swapped["status"] == "ok")
    cpu_today = float(today.loc[ok, "runtime_s"].median())
    cpu_swapped = float(swapped.loc[ok, "runtime_s"].median())
    return {
        "targets": len(catalog),
        "tls_and_bls_today": recovery_summary(today),
        "this_search": recovery_summary(swapped),
        "all_27_features_cpu_s_median": {"tls_and_bls_today": cpu_today, "this_search": cpu_swapped},
        "features_cpu_ratio": round(cpu_swapped / cpu_today, 3),
    }


def real_sector_features(repeats: int) -> dict:
    """CPU of the 27 features of the real TOI-263 sector (reading the file included), today
    and with this search swapped in, in one process."""
    settings = features.Settings(**schema_defaults()["exoplanets"]["search"])
    row = {
        "target_id": "TOI-263",
        "period": 0.5567365,
        "depth": 47000.0,
        "duration": 1.0,
        "epoch": 2458386.1723494,
        "star_radius": 0.405,
        "star_mass": 0.4,
    }

    def run():
        out = features.target_features(row, lambda: str(REAL / TOI_263), settings)
        return out["tls_period"]

    with reference_search():
        run()
        today, p_today = cpu(run, repeats)
    run()
    swapped, p_swapped = cpu(run, repeats)
    return {
        "all_27_features_cpu_s": {"tls_and_bls_today": round(today, 3), "this_search": round(swapped, 3)},
        "features_cpu_ratio": round(swapped / today, 3),
        "tls_period": {"tls_and_bls_today": p_today, "this_search": p_swapped},
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    result = {"threads": 1, "cpu": "process CPU seconds (time.process_time), one thread"}
    with tempfile.TemporaryDirectory() as tmp:
        result["sectors"] = sector_table(args.repeats, Path(tmp))
        if REAL.is_dir():
            result["real"] = real_agreement()
            result["real_sector_features"] = real_sector_features(args.repeats)
        else:
            result["real"] = "skipped: ../shared/data/lightcurves not found"
        result["demo"] = demo_accuracy(Path(tmp))
    print(write_result("exoplanets_search", result).read_text())


if __name__ == "__main__":
    main()
