"""A job that crashes in the middle of writing a shard's parquet file leaves nothing that a later
run would trust, and a plain rerun redoes that shard and gives the reference tables.

The shim (``shim/sitecustomize.py``) lets the write finish, cuts the file to half its bytes
(what the disk holds when the writer dies mid-way) and then either ends the job with
``os._exit`` while snakemake lives on (mode ``job``: a crashed or OOM-killed job) or SIGKILLs the
whole process group from inside the write (mode ``node``: a power cut or a lost node, so nobody
cleans up). Each pipeline names, in its fault cases (faults_pipelines.py), shard writes to crash in: atomic writes
(a temporary file renamed into place) and in-place writes inside a directory output.

Trusted output means a file at an output path with no incomplete marker. After the crash, the
shard's output must be absent or marked incomplete, and the half-written file must be gone,
inside an output marked incomplete, or a temporary file that no rule declares (reported as a
stray temp file: it is garbage, never read).
"""

from __future__ import annotations

import faults_report
import pytest
from faults_harness import incomplete_outputs, injected, kill_group, run, shim_env, start, stray_temp_files
from faults_pipelines import FAULT_CASES

FAULT = "crash mid-write"
pytestmark = pytest.mark.slow  # minutes of real snakemake runs: a CI step of its own
CASES = [
    pytest.param(name, case, mode, id=f"{name}-{cases.crash_writes[case][0].rsplit('/', 1)[-1]}-{mode}")
    for name, cases in FAULT_CASES.items()
    for case in range(len(cases.crash_writes))
    for mode in ("job", "node")
]


def inside(path: str, outputs: set[str]) -> bool:
    """Whether ``path`` is one of ``outputs`` or lies in one of them (a directory output)."""
    return any(path == out or path.startswith(out.rstrip("/") + "/") for out in outputs)


@pytest.mark.parametrize("name, case, mode", CASES)
def test_a_crash_mid_write_leaves_no_trusted_output_and_a_rerun_redoes_the_shard(labs, name, case, mode, tmp_path):
    lab = labs[name]
    output, pattern, what = FAULT_CASES[name].crash_writes[case]
    with faults_report.timed(FAULT):
        faults_report.add(FAULT, "crashes leaving no trusted output / crashes", name, 0, 1)
        lab.restore("reference")
        for path in (output, *lab.pipeline.targets):  # the shard and what needs it: its job runs
            (lab.workdir / path).unlink()
        log = tmp_path / "faults.jsonl"
        proc = start(
            lab.workdir,
            *lab.tables_args(),
            env=shim_env(log, crash_write=pattern, crash_mode=mode),
            output=tmp_path / "crashed.log",
        )
        proc.wait(timeout=300)
        kill_group(proc)
        crashes = [f for f in injected(log) if f["event"] == "crash_mid_write"]
        assert len(crashes) == 1, f"expected one crash writing {what}, got {crashes}"
        partial = crashes[0]["path"]
        if mode == "job":
            assert proc.returncode != 0 and "Error in rule" in (tmp_path / "crashed.log").read_text()
        else:
            assert proc.returncode == -9

        marked = incomplete_outputs(lab.workdir)
        assert not (lab.workdir / output).exists() or output in marked, f"{output} is trusted after the crash"
        left = (lab.workdir / partial).exists()
        left_marked = left and inside(partial, marked)
        is_temp = ".tmp-" in partial.rsplit("/", 1)[-1]
        assert not left or left_marked or is_temp, f"the half-written {partial} is left where a rerun would trust it"

        rerun = run(lab.workdir, *lab.tables_args())
        assert rerun.returncode == 0, rerun.stdout[-4000:]
        assert output in rerun.stdout, f"the rerun did not redo {output}"
        lab.assert_reference_results()
        faults_report.add(FAULT, "crashes leaving no trusted output / crashes", name, 1)
        faults_report.add(FAULT, "half-written files left inside outputs marked incomplete", name, int(left_marked))
        faults_report.add(FAULT, "stray temp files left (untrusted, ignored)", name, len(stray_temp_files(lab.workdir)))
