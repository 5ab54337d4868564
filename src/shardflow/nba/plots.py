"""Figures of the nba pipeline (matplotlib, Agg backend, PNG), from polars frames."""

from __future__ import annotations

import math

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import polars as pl  # noqa: E402

from .features import FEATURES  # noqa: E402


def feature_distributions(features: pl.DataFrame, path) -> None:
    """One histogram per feature of the merged feature store (booleans as 0/1), with the
    feature's unit and the fraction of null values."""
    n_cols = 6
    n_rows = math.ceil(len(FEATURES) / n_cols)
    fig, axes = plt.subplots(n_rows, n_cols, figsize=(2.6 * n_cols, 2.0 * n_rows))
    for ax, (name, (unit, _)) in zip(axes.flat, FEATURES.items(), strict=False):
        column = features.get_column(name).cast(pl.Float64)
        values = column.drop_nulls().to_numpy()
        ax.hist(values, bins=30, color="C0")
        ax.set_title(f"{name}\n[{unit}] null {column.null_count() / max(len(column), 1):.0%}", fontsize=7)
        ax.tick_params(labelsize=6)
    for ax in list(axes.flat)[len(FEATURES) :]:
        ax.axis("off")
    fig.suptitle(f"{len(features)} feature vectors, {features['game_date'].n_unique()} dates", fontsize=9)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


def form_player(summaries: pl.DataFrame, player_id: int | None) -> int:
    """``player_id``, or by default the player with the most games played (then the higher
    scoring average, then the lower id)."""
    if player_id is not None:
        return player_id
    ranking = (
        summaries.filter(~pl.col("dnp"))
        .group_by("player_id")
        .agg(pl.len().alias("games"), pl.col("pts").mean().alias("ppg"))
        .sort(["games", "ppg", "player_id"], descending=[True, True, False])
    )
    return int(ranking["player_id"][0])


def player_form(summaries: pl.DataFrame, features: pl.DataFrame, player_id: int, path) -> None:
    """One player's points per game against date, with the rolling averages the feature store
    held before each game (last 5, last 10, season) and his points lines."""
    games = summaries.filter(pl.col("player_id") == player_id).sort("game_date")
    vectors = features.filter(pl.col("player_id") == player_id).sort("game_date")
    if games.is_empty():
        raise ValueError(f"player {player_id} has no games in the summaries")
    played = games.filter(~pl.col("dnp"))
    fig, ax = plt.subplots(figsize=(10, 4.5))
    ax.plot(played["game_date"], played["pts"], "o", color="k", ms=4, label="points")
    for name, style in (("points_avg_last_5", "-"), ("points_avg_last_10", "--"), ("points_avg_season", ":")):
        ax.plot(vectors["game_date"], vectors[name], style, label=f"{name} (before the game)")
    lines = games.filter(pl.col("points_line").is_not_null())
    ax.plot(lines["game_date"], lines["points_line"], "x", color="C3", label="points line")
    for day in games.filter(pl.col("dnp"))["game_date"]:
        ax.axvline(day, color="0.85", lw=3, zorder=0)
    name = games["player_name"][-1]
    ax.set(
        xlabel="game date", ylabel="points", title=f"{name} ({player_id}): points and rolling form (grey: did not play)"
    )
    ax.legend(fontsize=7)
    fig.autofmt_xdate()
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
