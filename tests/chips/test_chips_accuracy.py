"""The accuracy targets of issue 3 on the default demo lab (8 chips, 10 days)."""

import pytest

from shardflow.chips.demo import demo_dates, write_demo_lab
from shardflow.chips.evaluation import demo_accuracy
from shardflow.chips.metrics import Settings
from shardflow.config import schema_defaults

S = Settings(**schema_defaults()["chips"]["metrics"])


@pytest.fixture(scope="module")
def accuracy(tmp_path_factory):
    raw = tmp_path_factory.mktemp("lab")
    truth = write_demo_lab(raw, n_chips=8, dates=demo_dates("2025-03-03", 10), runs_per_chip_day=4, seed=20250303)
    return demo_accuracy(raw, truth, S)


def test_charge_neutrality_point_within_0_1_v_where_modulation_exceeds_2(accuracy):
    assert accuracy["cnp_legs"] > 300
    assert accuracy["cnp_within_0.1_v"] == 1.0, accuracy


def test_relaxation_tau_within_10_percent_and_beta_within_0_05_on_long_segments(accuracy):
    assert accuracy["relaxation_segments_longer_than_3_tau"] > 100
    assert accuracy["tau_within_10_percent"] == 1.0, accuracy
    assert accuracy["beta_within_0.05"] == 1.0, accuracy
