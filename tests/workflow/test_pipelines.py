"""What every pipeline must do, run by the real snakemake on its tiny demo (the registry,
tests/pipelines.py): a full run makes every output and a rerun has nothing to do, its target
runs while the other pipelines' inputs do not exist, ``--cores 1`` gives the tables of
``--cores 2``, a SIGKILL mid-run and a plain rerun give the uninterrupted tables and keep the
finished shards, and an input with no shard stops the run before any job, naming the key and
the folder."""

from __future__ import annotations

import pytest
import yaml
from pipelines import ABSENT, PIPELINES, isolated_config
from workdir import kill_after_first_jobs, make_workdir, run_snakemake, tables_equal

NAMES = list(PIPELINES)


@pytest.mark.parametrize("name", NAMES)
def test_a_full_run_makes_every_output_and_a_rerun_has_nothing_to_do(reference, name):
    pipeline, workdir = PIPELINES[name], reference(name)
    for path in pipeline.outputs:
        assert (workdir / path).stat().st_size > 0, path
    for glob in pipeline.shards:
        assert list(workdir.glob(glob)), f"no shard output {glob}"
    again = run_snakemake(workdir, "--dry-run", name)
    assert "Nothing to be done" in again.stdout + again.stderr


@pytest.mark.parametrize("name", NAMES)
def test_the_target_runs_while_the_other_pipelines_inputs_do_not_exist(reference, name):
    workdir = reference(name)
    config = yaml.safe_load((workdir / "test.yaml").read_text())
    others = [p for other, p in PIPELINES.items() if other != name]
    for other in others:
        section, key = other.input_key.split(".", 1)
        assert config[section][key] == other.input_path(f"{ABSENT}/{other.name}")
        assert not (workdir / config[section][key]).exists()
        assert not (workdir / "results" / other.name).exists()
    assert all((workdir / path).exists() for path in PIPELINES[name].outputs)


@pytest.mark.parametrize("name", NAMES)
def test_one_core_and_two_cores_give_identical_tables(reference, name, tmp_path):
    pipeline = PIPELINES[name]
    workdir = make_workdir(tmp_path / "one_core", isolated_config(name))
    run_snakemake(workdir, "--cores", "1", *pipeline.targets)
    tables_equal(pipeline.results(workdir), pipeline.results(reference(name)))


@pytest.mark.parametrize("name", NAMES)
def test_kill_then_plain_rerun_gives_the_uninterrupted_tables_and_keeps_finished_shards(reference, name, tmp_path):
    pipeline = PIPELINES[name]
    expected = pipeline.results(reference(name))
    n_shards = len(list(reference(name).glob(pipeline.shard_output.format("*"))))
    workdir = make_workdir(tmp_path / "killed", isolated_config(name))
    done = kill_after_first_jobs(workdir, pipeline.shard_logs)
    finished = {
        path: (workdir / path).stat().st_mtime_ns for path in (pipeline.shard_output.format(shard) for shard in done)
    }
    assert 1 <= len(finished) < n_shards

    rerun = run_snakemake(workdir, "--cores", "1", *pipeline.targets)  # a plain rerun: no --unlock needed
    assert "stale lock" in rerun.stderr
    for path, mtime in finished.items():
        assert (workdir / path).stat().st_mtime_ns == mtime, f"{path} was computed again"
    assert (rerun.stdout + rerun.stderr).count(f"rule {pipeline.shard_rule}:") == n_shards - len(finished)
    tables_equal(pipeline.results(workdir), expected)


@pytest.mark.parametrize("name", NAMES)
def test_an_input_without_shards_stops_the_run_before_any_job_naming_the_key_and_the_folder(name, tmp_path):
    pipeline = PIPELINES[name]
    folder = tmp_path / "input"
    folder.mkdir()
    pipeline.write_empty_input(folder)
    config = pipeline.config
    config[name] = config[name] | pipeline.input_section(str(folder))
    workdir = make_workdir(tmp_path / "wf", config)
    result = run_snakemake(workdir, "--cores", "2", name, check=False, timeout=300)
    log = result.stdout + result.stderr
    assert result.returncode != 0
    assert f"{pipeline.input_key} = {pipeline.input_path(str(folder))!r}: " in log, log[-3000:]
    assert "; expected " in log
    assert not (workdir / "results").exists() and not (workdir / "resources").exists()
