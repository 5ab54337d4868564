"""A malformed config (unknown key, wrong type, bad enum, out of range) in any pipeline's section
stops the run before anything is built, with a schema error that names the key.

Each pipeline's fault cases (faults_pipelines.py) list malformed configs of its section and the
text (Snakemake's rendering of the jsonschema error: ``'key' was unexpected``,
``On instance['section']['key']``) that must appear; the top-level keys are checked here.
"""

from __future__ import annotations

from pathlib import Path

import faults_report
import pytest
from faults_harness import start
from faults_pipelines import FAULT_CASES
from workdir import make_workdir

FAULT = "malformed config"
TOP_LEVEL = [
    ({"pipeline": ["chips"]}, ("'pipeline' was unexpected",)),
    ({"pipelines": ["chip"]}, ("On instance['pipelines'][0]",)),
    ({"pipelines": "chips"}, ("On instance['pipelines']",)),
]
CASES = [
    (f"{name}-{i}", name, config, expected)
    for name, cases in FAULT_CASES.items()
    for i, (config, expected) in enumerate(cases.bad_configs)
] + [(f"top-{i}", "all", config, expected) for i, (config, expected) in enumerate(TOP_LEVEL)]


@pytest.fixture(scope="module")
def runs(tmp_path_factory) -> dict[str, tuple[Path, str, int]]:
    """Every malformed config run at once (each fails in its first seconds): case id ->
    (workdir, output, exit status)."""
    with faults_report.timed(FAULT):
        started = {}
        for case, _, config, _ in CASES:
            workdir = make_workdir(tmp_path_factory.mktemp(f"config-{case}"), config)
            started[case] = (workdir, start(workdir, "--cores", "1", output=workdir / "snakemake.log"))
        for _, proc in started.values():
            proc.wait(timeout=300)
        return {
            case: (workdir, (workdir / "snakemake.log").read_text(), proc.returncode)
            for case, (workdir, proc) in started.items()
        }


@pytest.mark.parametrize("case, name, config, expected", CASES, ids=[c[0] for c in CASES])
def test_a_malformed_config_fails_fast_with_an_error_naming_the_key(runs, case, name, config, expected):
    faults_report.add(FAULT, "schema errors naming the key / tried", name, 0, 1)
    workdir, output, status = runs[case]
    assert status != 0
    assert "Error validating config file" in output, output[-3000:]
    missing = [text for text in expected if text not in output]
    assert not missing, f"the error does not say {missing}:\n{output[-3000:]}"
    assert not (workdir / "results").exists() and not (workdir / "resources").exists()
    faults_report.add(FAULT, "schema errors naming the key / tried", name, 1)
