"""Figures of the lunar pipeline (matplotlib, Agg backend, PNG) and the latitude-longitude
binning behind the maps."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import polars as pl  # noqa: E402


def binned_map(table: pl.DataFrame, lat_bin_deg: float, lon_bin_deg: float) -> tuple[np.ndarray, ...]:
    """Median surface potential (V) of the spectra with ``surface_status`` ok in bins of the
    spacecraft's latitude and east longitude. Returns (lat edges, lon edges, median (lat, lon),
    count (lat, lon)); bins without spectra hold NaN and 0."""
    lat_edges = np.arange(-90.0, 90.0 + lat_bin_deg / 2, lat_bin_deg)
    lon_edges = np.arange(-180.0, 180.0 + lon_bin_deg / 2, lon_bin_deg)
    ok = table.filter(pl.col("surface_status") == "ok")
    lat_i = np.clip(np.digitize(ok["lat_deg"].to_numpy(), lat_edges) - 1, 0, len(lat_edges) - 2)
    lon_i = np.clip(np.digitize(ok["lon_deg"].to_numpy(), lon_edges) - 1, 0, len(lon_edges) - 2)
    cells = (
        pl.DataFrame({"i": lat_i, "j": lon_i, "u": ok["surface_potential_v"].to_numpy()})
        .group_by("i", "j")
        .agg(pl.col("u").median().alias("median"), pl.len().alias("n"))
    )
    median = np.full((len(lat_edges) - 1, len(lon_edges) - 1), np.nan)
    count = np.zeros(median.shape, dtype=np.int64)
    i, j = cells["i"].to_numpy(), cells["j"].to_numpy()
    median[i, j] = cells["median"].to_numpy()
    count[i, j] = cells["n"].to_numpy()
    return lat_edges, lon_edges, median, count


def surface_map(table: pl.DataFrame, month: str, path, lat_bin_deg: float, lon_bin_deg: float) -> None:
    """Map of the binned median surface potential of one month (symmetric-log colour scale)."""
    lat_edges, lon_edges, median, count = binned_map(table, lat_bin_deg, lon_bin_deg)
    fig, ax = plt.subplots(figsize=(10, 5))
    norm = matplotlib.colors.SymLogNorm(linthresh=10.0, vmin=-1000.0, vmax=1000.0)
    mesh = ax.pcolormesh(lon_edges, lat_edges, median, cmap="RdBu_r", norm=norm, shading="flat")
    fig.colorbar(mesh, ax=ax, label="median surface potential (V)")
    n_ok = int(count.sum())
    ax.set(
        xlabel="east longitude (deg)",
        ylabel="latitude (deg)",
        xlim=(-180, 180),
        ylim=(-90, 90),
        title=f"Lunar surface potential {month}: {n_ok} spectra with a loss cone, "
        f"{lat_bin_deg:g} x {lon_bin_deg:g} deg bins",
    )
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def time_series(table: pl.DataFrame, path) -> None:
    """Spacecraft potential (sunlit and shadowed) and surface potential against time."""
    fig, (top, bottom) = plt.subplots(2, 1, figsize=(11, 6.5), sharex=True)
    sc = table.filter(pl.col("sc_status") == "ok")
    for shadow, colour, label in ((False, "tab:orange", "sunlit"), (True, "tab:blue", "shadow")):
        part = sc.filter(pl.col("shadow") == shadow)
        top.plot(part["time_utc"].to_numpy(), part["sc_potential_v"].to_numpy(), ".", ms=2, color=colour, label=label)
    top.set_yscale("symlog", linthresh=10.0)
    top.set(ylabel="spacecraft potential (V)", title="Spacecraft and surface potential per spectrum")
    top.legend(markerscale=4, fontsize=8)
    surface = table.filter(pl.col("surface_status") == "ok")
    bottom.plot(surface["time_utc"].to_numpy(), surface["surface_potential_v"].to_numpy(), ".", ms=2, color="0.3")
    bottom.set_yscale("symlog", linthresh=10.0)
    bottom.set(xlabel="time (UTC)", ylabel="surface potential (V)")
    fig.autofmt_xdate()
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
