"""The accuracy target of issue 2 on the full 60-target demo catalog, run in-process."""

import pytest

from shardflow.exoplanets.demo import write_demo
from shardflow.exoplanets.evaluation import recovery_summary
from shardflow.exoplanets.features import feature_table, target_features


@pytest.fixture(scope="module")
def demo_features(tmp_path_factory, settings):
    root = tmp_path_factory.mktemp("demo60")
    catalog = write_demo([f"DEMO-{i:04d}" for i in range(1, 61)], root / "catalog.csv", root / "lc", seed=20260101)
    rows = [target_features(r, lambda r=r: str(root / "lc" / r["path"]), settings) for r in catalog.to_dict("records")]
    return feature_table(rows, catalog)


def test_planets_with_snr_10_recover_their_period(demo_features):
    summary = recovery_summary(demo_features)
    assert summary["planets_above_snr"] >= 20
    assert summary["recovered_fraction"] >= 0.95, summary


def test_no_false_period_above_sde_9_for_non_transiting_stars(demo_features):
    summary = recovery_summary(demo_features)
    assert summary["non_transiting"] == 17
    assert summary["false_alarms_above_sde_9"] == 0, summary


def test_eclipsing_binaries_show_their_signatures(demo_features):
    ebs = demo_features[demo_features["label"] == "eclipsing_binary"].set_index("target_id")
    with_secondary = ebs[ebs["catalog_secondary_depth"] > 0]
    with_odd_even = ebs[ebs["catalog_odd_even_depth_diff"] > 0]
    assert len(with_secondary) >= 4 and len(with_odd_even) >= 4
    # a secondary eclipse is found where there is one, at a depth within 35 % of the truth
    found = with_secondary[with_secondary["period_match"] == "match"]
    assert len(found) >= 4
    assert (found["secondary_sigma"] > 5).all()
    assert ((found["secondary_depth"] / found["catalog_secondary_depth"]).between(0.65, 1.35)).all()
    # alternating depths: found at the true period as an odd/even difference
    at_period = with_odd_even[with_odd_even["period_match"] == "match"]
    assert len(at_period) >= 3
    assert (at_period["odd_even_sigma"] > 10).all()
    assert ((at_period["odd_even_depth_diff"] / at_period["catalog_odd_even_depth_diff"]).between(0.7, 1.3)).all()


def test_failed_samples_are_exactly_the_broken_files(demo_features):
    failed = demo_features[demo_features["status"] == "failed"]
    assert dict(zip(failed["target_id"], failed["category"])) == {
        "DEMO-0058": "unreadable",
        "DEMO-0059": "too_few_points",
        "DEMO-0060": "all_nan",
    }
