"""Figures of the chips pipeline (matplotlib, Agg backend, PNG)."""

from __future__ import annotations

import json
from collections.abc import Mapping

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from .metrics import Settings  # noqa: E402
from .sweeps import charge_neutrality_point, resistance_ohm, split_legs  # noqa: E402
from .transients import light_segments, relaxation_fits  # noqa: E402


def _metric(metrics: pd.DataFrame, name: str) -> pd.DataFrame:
    return metrics.loc[metrics["metric_name"] == name, ["run_id", "chip_number", "value_float"]]


def illuminated(manifest: pd.DataFrame) -> pd.Series:
    """True for runs taken under light: LED voltage > 0, or a ``light`` setting that is true
    (a described format's metadata); False otherwise."""
    light = manifest["settings"].map(lambda text: json.loads(text).get("light") is True)
    return (manifest["led_voltage_v"].fillna(0) > 0) | light


def cnp_points(manifest: pd.DataFrame, metrics: pd.DataFrame) -> pd.DataFrame:
    """The points of the CNP-against-time plot: the first leg's CNP of every IVg run with a
    value (NaN rows, where no CNP lies in the swept range, are left out), with its start
    ``time``, ``lit`` (:func:`illuminated`) and ``good`` (no flag), in time order."""
    rows = metrics[(metrics["metric_name"] == "cnp_fwd_v") & (metrics["leg"] == 1)]
    ivg = manifest[manifest["proc"] == "IVg"]
    cnp = rows[["run_id", "chip_number", "value_float", "flags"]].merge(
        ivg[["run_id", "start_time_utc"]].assign(lit=illuminated(ivg)), on="run_id"
    )
    cnp["time"] = pd.to_datetime(cnp["start_time_utc"])
    cnp["good"] = cnp["flags"] == ""
    return cnp[cnp["value_float"].notna()].sort_values(["time", "run_id"], ignore_index=True)


def cnp_vs_time(manifest: pd.DataFrame, metrics: pd.DataFrame, path) -> None:
    """Charge-neutrality point of the first leg of every IVg run against its start time
    (:func:`cnp_points`), one colour per chip; illuminated runs as open markers. Values with
    any flag are grey crosses, never joined to the good ones."""
    cnp = cnp_points(manifest, metrics)
    good = cnp["good"]
    fig, ax = plt.subplots(figsize=(9, 4.5))
    for i, (chip, runs) in enumerate(cnp[good].groupby("chip_number")):
        colour = f"C{i % 10}"
        lit = runs["lit"]
        ax.plot(runs.loc[~lit, "time"], runs.loc[~lit, "value_float"], "o-", ms=4, color=colour, label=f"chip {chip}")
        ax.plot(runs.loc[lit, "time"], runs.loc[lit, "value_float"], "o", ms=6, mfc="none", color=colour)
    if (~good).any():
        flagged = cnp[~good]
        ax.plot(flagged["time"], flagged["value_float"], "x", ms=6, color="0.5", label="flagged (see flags column)")
    ax.set(
        xlabel="start time (UTC)",
        ylabel="charge-neutrality point, first leg (V)",
        title="CNP drift per chip (filled: dark, open: illuminated, grey x: flagged)",
    )
    if len(cnp):
        ax.legend(fontsize=7, ncol=2)
    fig.autofmt_xdate()
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def photoresponse(metrics: pd.DataFrame, path) -> None:
    """Photoresponse (A) of every It run, grouped by chip."""
    photo = _metric(metrics, "photoresponse_a")
    chips = sorted(photo["chip_number"].unique())
    fig, ax = plt.subplots(figsize=(7, 4))
    rng = np.random.default_rng(0)
    for i, chip in enumerate(chips):
        values = photo.loc[photo["chip_number"] == chip, "value_float"].to_numpy() * 1e6
        ax.scatter(i + rng.uniform(-0.15, 0.15, values.size), values, s=14, color=f"C{i % 10}")
    ax.axhline(0, color="k", lw=0.6)
    ax.set_xticks(range(len(chips)), [f"chip {c}" for c in chips], rotation=45)
    ax.set(ylabel="photoresponse (uA)", title="Current change on illumination, per It run")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def example_fits(
    sweep: tuple[dict, Mapping] | None, transient: tuple[dict, Mapping] | None, path, settings: Settings
) -> None:
    """Left: resistance of an IVg sweep's forward leg with its refined charge-neutrality point.
    Right: an It run with the stretched-exponential fit of each dark segment.

    Each run is (manifest row, data), the data a mapping of the staged columns (vg_v and i_a,
    or t_s, i_a and vl_v) to 1-D arrays in SI units, as :func:`.staging.read_partition` gives."""
    fig, (left, right) = plt.subplots(1, 2, figsize=(12, 4.2))
    if sweep is not None:
        meta, data = sweep
        vg, r = np.asarray(data["vg_v"]), resistance_ohm("IVg", meta["vds_v"], np.asarray(data["i_a"]))
        forward = split_legs(vg)[0]
        cnp = charge_neutrality_point(vg[forward], r[forward], **settings.cnp_options())
        left.plot(vg[forward], r[forward] / 1e3, ".", ms=3, color="0.4")
        if np.isfinite(cnp.cnp_v):
            left.axvline(cnp.cnp_v, color="tab:red", label=f"CNP {cnp.cnp_v:.2f} V {','.join(cnp.flags)}")
        left.set(xlabel="gate voltage (V)", ylabel="resistance (kohm)", title=f"IVg {meta['run_id']}")
        left.legend()
    if transient is not None:
        meta, data = transient
        t, i, vl = (np.asarray(data[c]) for c in ("t_s", "i_a", "vl_v"))
        right.plot(t, i * 1e6, ".", ms=2, color="0.5")
        for start, stop, lit in light_segments(vl, settings.light_threshold_v):
            if lit:
                right.axvspan(t[start], t[stop - 1], color="gold", alpha=0.3)
        for seg in relaxation_fits(t, i, vl, **settings.relaxation_options()):
            if seg.fit is not None:
                f, span = seg.fit, slice(seg.start, seg.stop)
                model = f.i_inf_a + f.amplitude_a * np.exp(-(((t[span] - t[seg.start]) / f.tau_s) ** f.beta))
                right.plot(t[span], model * 1e6, "-", color="tab:red", label=f"tau {f.tau_s:.0f} s, beta {f.beta:.2f}")
        right.set(xlabel="time (s)", ylabel="current (uA)", title=f"It {meta['run_id']} (yellow: light on)")
        right.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
