"""Figures of the exoplanet pipeline (matplotlib, Agg backend, PNG)."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

LABEL_COLOURS = {"planet": "tab:blue", "eclipsing_binary": "tab:red", "no_transit": "tab:grey"}


def _colour(label) -> str:
    return LABEL_COLOURS.get(label, "tab:purple")


def period_recovery(features: pd.DataFrame, path) -> None:
    """Recovered TLS period against the catalog period (log-log), with the 1:1, 2:1 and
    1:2 lines on which aliases fall."""
    ok = features[(features["status"] == "ok") & features["input_period"].notna()]
    fig, ax = plt.subplots(figsize=(6, 5))
    for label, group in ok.groupby(ok.get("label", pd.Series("target", index=ok.index))):
        ax.scatter(group["input_period"], group["tls_period"], s=18, color=_colour(label), label=str(label))
    if len(ok):
        lo, hi = ok["input_period"].min() / 1.5, ok["input_period"].max() * 1.5
        x = np.geomspace(lo, hi, 10)
        for factor, style in ((1.0, "-"), (2.0, ":"), (0.5, ":")):
            ax.plot(x, factor * x, "k" + style, lw=0.8)
    ax.set(
        xscale="log",
        yscale="log",
        xlabel="catalog period (d)",
        ylabel="TLS period (d)",
        title="Recovered versus catalog period (dotted: 2x and 1/2 aliases)",
    )
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def sde_by_label(features: pd.DataFrame, path, threshold: float = 9.0) -> None:
    """TLS SDE of each target grouped by catalog label, with the detection threshold."""
    ok = features[features["status"] == "ok"]
    labels = sorted(ok["label"].dropna().unique()) if "label" in ok else []
    fig, ax = plt.subplots(figsize=(6, 4))
    rng = np.random.default_rng(0)
    for i, label in enumerate(labels):
        sde = ok.loc[ok["label"] == label, "tls_sde"].to_numpy()
        ax.scatter(i + rng.uniform(-0.15, 0.15, sde.size), sde, s=14, color=_colour(label))
        ax.boxplot(sde, positions=[i], widths=0.5, showfliers=False)
    ax.axhline(threshold, color="k", ls="--", lw=0.8)
    ax.set_xticks(range(len(labels)), labels)
    ax.set(ylabel="TLS SDE", yscale="log", title=f"Signal detection efficiency by label (dashed: SDE {threshold:g})")
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def diagnostics(top: pd.DataFrame, series: pd.DataFrame, path) -> None:
    """One row per signal of ``top`` (feature-table rows): TLS periodogram, folded and binned
    transit, odd and even transits, from ``series`` (the diagnostic table of
    ``diagnostics.diagnostic_table``). Times are drawn in hours from mid-transit."""
    n = max(len(top), 1)
    fig, axes = plt.subplots(n, 3, figsize=(13, 3.2 * n), squeeze=False)
    for row, f in zip(axes, top.to_dict("records")):
        own = series[series["target_id"] == f["target_id"]]
        panel = {name: part for name, part in own.groupby("panel")}
        pg = panel.get("periodogram", own.iloc[:0])
        row[0].plot(pg["x"], pg["y"], "k-", lw=0.6)
        row[0].axvline(f["tls_period"], color="tab:red", alpha=0.4, lw=3)
        row[0].set(
            xlabel="period (d)",
            ylabel="SDE",
            title=f"{f['target_id']}: P = {f['tls_period']:.5f} d, SDE {f['tls_sde']:.1f}",
        )
        fold = panel.get("fold", own.iloc[:0])
        row[1].plot(24 * fold["x"], fold["y"], "o", ms=3, color="tab:blue")
        row[1].set(
            xlabel="hours from mid-transit",
            ylabel="binned flux",
            title=f"depth {f['tls_depth']:.0f} ppm, SNR {f['tls_snr']:.1f}",
        )
        for name, colour in (("odd", "tab:orange"), ("even", "tab:green")):
            part = panel.get(name, own.iloc[:0])
            row[2].plot(24 * part["x"], part["y"], "o-", ms=3, lw=0.8, color=colour, label=name)
        row[2].set(
            xlabel="hours from mid-transit",
            ylabel="binned flux",
            title=f"odd-even {f['odd_even_depth_diff']:.0f} ppm, TLS {f['tls_odd_even']:.1f} sigma",
        )
        row[2].legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
