"""Transient MAST failures, injected at a configurable rate into the download path, are all
recovered by the project's retries, and the light curves arrive intact.

The exoplanet pipeline's real download rule runs through snakemake with
``lightcurves.source: mast``; the shim (``shim/sitecustomize.py``) puts a fake MAST under
lightkurve and astroquery that serves the demo's FITS files and fails searches and HTTP requests
at ``SHARDFLOW_FAULTS_MAST_RATE`` (timeouts, HTTP 5xx, transfers cut short or stalled mid-body),
seeded per request. Each demo planet's light curve is served under several MAST names.

Downloads run one job per batch of stars. Every fault costs one attempt of
``shardflow.exoplanets.mast.download_lightcurve`` for its star; a job whose attempts for a star
are all spent fails, and the rule's ``retries:`` starts the batch again (files already in the
cache are not fetched again). So a star's entry in its batch record must show exactly one
attempt more than the faults the batch's last job met for it, and the file in the cache must be
the served file byte for byte (the features step then reads what a quiet MAST would have
given). A name MAST does not know is recorded as ``no_data``, not a failure.
"""

from __future__ import annotations

import json
import shutil
from collections import Counter

import faults_report
import pandas as pd
import pytest
from faults_harness import MAST_RATE, SEED, injected, run, shim_env
from workdir import make_workdir

FAULT = "MAST transient failures"
pytestmark = pytest.mark.slow  # minutes of real snakemake runs: a CI step of its own
NAME = "exoplanets"
COPIES = 3
UNKNOWN = "TIC 404"
BATCH_SIZE = 20


def test_transient_mast_failures_are_all_recovered_by_retries(labs, tmp_path):
    lab = labs[NAME]
    demo = lab.snapshots / "reference"
    catalog = pd.read_csv(demo / "resources/demo/exoplanets/catalog.csv")
    single = catalog["star_id"] == catalog["target_id"]  # one file per star
    good = catalog[single & (catalog["kind"] == "planet")]

    archive = tmp_path / "mast"
    archive.mkdir()
    index, rows = {}, []
    for row in good.to_dict("records"):
        for copy in range(COPIES):
            target = f"{row['target_id']}-{copy}"
            obs_id = f"tess2018263035959-s0003-{len(index):016d}-0123-s"
            filename = f"{obs_id}_lc.fits"
            shutil.copy(demo / "resources/demo/exoplanets/lightcurves" / row["path"], archive / filename)
            index[target] = {"obs_id": obs_id, "filename": filename}
            rows.append({**row, "target_id": target, "star_id": target})
    (archive / "index.json").write_text(json.dumps(index))
    rows.append({**good.iloc[0].to_dict(), "target_id": UNKNOWN, "star_id": UNKNOWN})
    pd.DataFrame(rows).to_csv(tmp_path / "catalog.csv", index=False)

    config = {
        "pipelines": [NAME],
        "exoplanets": {
            "catalog": str(tmp_path / "catalog.csv"),
            "lightcurves": {"source": "mast"},
            "batch_size": BATCH_SIZE,
            "mast": {"cache_dir": "resources/mast", "retries": 5, "backoff_s": 0.01},
        },
    }
    workdir = make_workdir(tmp_path / "workdir", config)

    log = tmp_path / "faults.jsonl"
    env = shim_env(log, mast_archive=archive, mast_rate=MAST_RATE, seed=SEED)
    targets = [*index, UNKNOWN]
    batch_of = {target: i // BATCH_SIZE for i, target in enumerate(targets)}  # one star per row
    wanted = [f"resources/mast/records/batch_{b:04d}.json" for b in sorted(set(batch_of.values()))]
    with faults_report.timed(FAULT):
        result = run(workdir, "--cores", "2", *wanted, env=env)
    events = injected(log)
    target_of = {entry["filename"]: target for target, entry in index.items()}
    faults, jobs = Counter(), Counter()
    last_job_faults: Counter = Counter()  # faults met by each target in its batch's last job
    for event in events:
        target = event.get("target") or target_of[event["file"]]
        if event["event"] == "mast_job":  # a batch's job starts with the search of its first star
            jobs[batch_of[target]] += 1
            for other in targets:
                if batch_of[other] == batch_of[target]:
                    last_job_faults[other] = 0
        else:
            faults[target] += 1
            last_job_faults[target] += 1
    kinds = Counter(e["event"] for e in events if e["event"] != "mast_job")
    faults_report.note(
        f"MAST faults injected at rate {MAST_RATE} per search or HTTP request: "
        + ", ".join(f"{kind} {n}" for kind, n in sorted(kinds.items()))
        + f"; download jobs rerun by the rule's retries: {sum(jobs.values()) - len(jobs)}"
    )
    faults_report.add(FAULT, "faults recovered by retries / injected", NAME, 0, sum(faults.values()))
    faults_report.add(FAULT, "targets downloaded intact / targets", NAME, 0, len(index))
    assert result.returncode == 0, result.stdout[-4000:]
    assert faults, f"no fault was injected at rate {MAST_RATE}"

    batches = {b: json.loads((workdir / path).read_text()) for b, path in enumerate(wanted)}
    records = {t: batches[batch_of[t]]["stars"][t] for t in targets}
    for target, record in records.items():
        assert record["attempts"] == 1 + last_job_faults[target], (target, record, last_job_faults[target])
    faults_report.add(FAULT, "faults recovered by retries / injected", NAME, sum(faults.values()))
    assert records[UNKNOWN]["status"] == "no_data"

    intact = 0
    for target, entry in index.items():
        assert records[target]["status"] == "ok"
        downloaded = workdir / "resources/mast" / "mastDownload/TESS" / entry["obs_id"] / entry["filename"]
        assert records[target]["paths"] == [str(downloaded.resolve())]
        assert downloaded.read_bytes() == (archive / entry["filename"]).read_bytes()
        intact += 1
    faults_report.add(FAULT, "targets downloaded intact / targets", NAME, intact)
