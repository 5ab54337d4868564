"""Corrupt and truncated input files, in each pipeline's real format: every one is rejected with
a message naming the file, and the rest of the run completes with the reference results.

Damaged copies of a good input file (one per kind of damage in the pipeline's fault cases,
named after ``zz-fault-<kind>``) are added to the prepared inputs where the pipeline reads them,
and the final tables are built. The run must succeed, each damaged file must be named by an
error message (a failed row, a rejected file), and rows that mention a damaged file are the only
difference allowed from the reference tables.

A pipeline whose damaged input fails the shard it belongs to (``damaged_input_fails_shard``: an
nba date) meets the same test with that contract: the run fails, each damaged file is named by
the error of its failed shard, and every shard of the reference run is there, unchanged.
"""

from __future__ import annotations

import re

import faults_report
import pandas as pd
import pytest
from faults_harness import run
from faults_pipelines import FAULT_CASES
from pipelines import PIPELINES
from workdir import tables_equal

FAULT = "corrupt or truncated inputs"
pytestmark = pytest.mark.slow  # minutes of real snakemake runs: a CI step of its own


def without(tables: dict[str, pd.DataFrame], names: list[str]) -> dict[str, pd.DataFrame]:
    """The tables without rows that mention one of ``names`` in a text cell."""
    pattern = "|".join(map(re.escape, names))
    kept = {}
    for name, table in tables.items():
        text = table.select_dtypes(include=["object", "string"])
        mentions = text.apply(lambda column: column.astype("string").str.contains(pattern)).any(axis=1)
        kept[name] = table[~mentions.fillna(False)].reset_index(drop=True)
    return kept


@pytest.mark.parametrize("name", PIPELINES)
def test_damaged_inputs_are_rejected_by_name_and_the_rest_completes(labs, name):
    lab = labs[name]
    pipeline, cases = lab.pipeline, FAULT_CASES[name]
    with faults_report.timed(FAULT):
        lab.restore("base")
        good = cases.sample_input(lab.workdir).read_bytes()
        damaged = [
            cases.add_input(lab.workdir, f"zz-fault-{kind}", damage(good)) for kind, damage in cases.damages.items()
        ]
        faults_report.add(FAULT, "rejected with a message naming the file / tried", name, 0, len(damaged))

        result = run(lab.workdir, *lab.tables_args())
        if cases.damaged_input_fails_shard:
            assert result.returncode != 0 and "Error in rule" in result.stdout, result.stdout[-4000:]
        else:
            assert result.returncode == 0, result.stdout[-4000:]
        messages = cases.rejections(lab.workdir)
        named = {file_name: [m for m in messages if file_name in m] for file_name in damaged}
        faults_report.add(
            FAULT, "rejected with a message naming the file / tried", name, sum(bool(found) for found in named.values())
        )
        faults_report.note(f"{name}: {cases.input_format}, damaged as: {', '.join(cases.damages)}")
        assert all(named.values()), f"no message names {[k for k, found in named.items() if not found]}"
        if cases.damaged_input_fails_shard:
            for path, table in lab.reference_shards.items():
                pd.testing.assert_frame_equal(pipeline.read_shard(lab.workdir, path), table, obj=path)
        else:
            tables_equal(without(pipeline.read_tables(lab.workdir), damaged), without(lab.reference, damaged))
