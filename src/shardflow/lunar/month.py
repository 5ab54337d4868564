"""One month of ER 3D files to one table: read, geometry, spacecraft and surface potentials.

:func:`process_month` reads the month's files (a file that cannot be read becomes one error
row; a malformed row or spectrum becomes an error row and, for a spectrum, a row of the table
with ``status = malformed``), computes the geometry of every spectrum with the kernels loaded
once, then, in blocks of :data:`BLOCK` spectra (independent of each other, so the results do
not depend on the number of threads), the incident spectrum, the kappa fit, the spacecraft
potential (sunlit or shadowed branch from the geometry), the kappa fit again without the
channels at or below a positive spacecraft potential where there are any, and the loss-cone
fit. Output columns: :data:`MONTH_SCHEMA` (units and sources in docs/lunar.md).

Statuses of a spectrum:

* ``status``: ``ok``; ``malformed`` (not assembled; ``reason`` names the file and lines);
  ``wrong_day`` (well formed, but its time is not on the day of its file's name, so it may not
  belong to this month: not processed; ``reason`` names the file, the line, the time and the day);
* ``sc_status``: ``ok``; ``poor_fit`` (kappa deviance per degree of freedom above
  ``max_deviance``; values kept); ``too_few_counts`` (fewer than ``min_channels`` channels or
  ``min_counts`` counts);
  ``no_current_balance`` (no root of the current balance); ``no_trajectory`` (the kernels do not
  cover its time, so neither geometry nor the sunlit/shadow branch is known);
* ``surface_status``: ``ok``; ``closes_below_range`` (a loss cone, but it closes below the
  lowest usable energy, so U is not measured: ``surface_potential_v`` holds the lower bound
  -E_low that the data give, U > -E_low; the field ratio is kept; :mod:`.losscone`);
  ``no_loss_cone`` (delta chi-square below the detection threshold); ``no_field`` (magnetic
  field missing or out of range); ``no_sc_potential``.
"""

from __future__ import annotations

import os
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np
import polars as pl

from . import charging
from .er3d import ER3DFileError, Spectra, read_er3d
from .geometry import ephemeris_time, spacecraft_geometry
from .instrument import THETA_DEG
from .kappa import fit_kappa, temperature_ev, to_ambient
from .kernels import load_kernels
from .losscone import fit_loss_cone
from .pitch import channel_geometry, incident_view

BLOCK = 2048

MONTH_SCHEMA = pl.Schema(
    {
        "source_file": pl.String,
        "line": pl.Int64,
        "spec_no": pl.Int64,
        "time_utc": pl.Datetime("ms"),
        "et": pl.Float64,
        "lat_deg": pl.Float64,
        "lon_deg": pl.Float64,
        "alt_km": pl.Float64,
        "sza_deg": pl.Float64,
        "shadow": pl.Boolean,
        "b_nt": pl.Float64,
        "density_cm3": pl.Float64,
        "temperature_ev": pl.Float64,
        "kappa": pl.Float64,
        "sc_potential_v": pl.Float64,
        "kappa_deviance": pl.Float64,
        "kappa_channels": pl.Int64,
        "surface_potential_v": pl.Float64,
        "field_ratio": pl.Float64,
        "losscone_chi2_red": pl.Float64,
        "losscone_delta_chi2": pl.Float64,
        "status": pl.String,
        "sc_status": pl.String,
        "surface_status": pl.String,
        "reason": pl.String,
    }
)
ERROR_SCHEMA = pl.Schema({"source_file": pl.String, "line": pl.Int64, "reason": pl.String})


@dataclass(frozen=True)
class FitSettings:
    """Settings of the fits, from the config (``config/schema.yaml`` holds their defaults).

    ``max_deviance``: kappa deviance per degree of freedom above which sc_status is poor_fit;
    ``min_channels``, ``min_counts``: a kappa fit on fewer channels or counts is too_few_counts;
    ``min_delta_chi2``: loss-cone chi-square gain below which surface_status is no_loss_cone;
    ``see_peak_yield``, ``see_peak_energy_ev`` (eV): the spacecraft's Sternglass constants.
    """

    max_deviance: float
    min_channels: int
    min_counts: float
    min_delta_chi2: float
    see_peak_yield: float
    see_peak_energy_ev: float

    @classmethod
    def from_config(cls, lunar: dict) -> FitSettings:
        """The settings from the config's ``lunar`` section (its ``fit`` and ``spacecraft`` keys)."""
        fit, spacecraft = lunar["fit"], lunar["spacecraft"]
        return cls(
            max_deviance=fit["max_kappa_deviance"],
            min_channels=fit["min_channels"],
            min_counts=fit["min_counts"],
            min_delta_chi2=fit["min_losscone_delta_chi2"],
            see_peak_yield=spacecraft["see_peak_yield"],
            see_peak_energy_ev=spacecraft["see_peak_energy_ev"],
        )


def read_month(paths: list[str], threads: int = 1) -> tuple[Spectra, list[dict], list[dict]]:
    """Read ``paths`` (in name order) with ``threads`` readers. Returns the complete spectra,
    the spectra not taken (dicts: source_file, line, spec_no, time_unix, reason, status) and the
    error rows (dicts: source_file, line (None for a whole file), reason): every malformed row,
    every malformed spectrum that has none (a missing row...), one row per file with spectra
    not on its day (:attr:`.er3d.ER3DFile.day_error`) and every file that could not be read."""
    paths = sorted(paths, key=lambda p: (os.path.basename(p), p))

    def read(path):
        try:
            return read_er3d(path)
        except ER3DFileError as err:
            return err

    with ThreadPoolExecutor(max_workers=max(1, threads)) as pool:
        results = list(pool.map(read, paths))
    parts, malformed, errors = [], [], []
    for path, result in zip(paths, results, strict=True):
        name = os.path.basename(path)
        if isinstance(result, ER3DFileError):
            errors.append({"source_file": name, "line": None, "reason": str(result)})
            continue
        parts.append(result.spectra)
        malformed += [
            {
                "source_file": name,
                "line": m.line,
                "spec_no": m.spec_no,
                "time_unix": m.time_unix,
                "reason": m.reason,
                "status": m.status,
            }
            for m in result.malformed
        ]
        errors += [{"source_file": name, "line": line, "reason": reason} for line, reason in result.line_errors]
        errors += [
            {"source_file": name, "line": m.line, "reason": m.reason}
            for m in result.malformed
            if not m.row_error and m.status == "malformed"
        ]
        if result.day_error:
            errors.append({"source_file": name, "line": result.day_error[0], "reason": result.day_error[1]})
    return Spectra.concatenate(parts), malformed, errors


def fit_block(
    spectra: Spectra,
    shadow: np.ndarray,
    covered: np.ndarray,
    settings: FitSettings,
    theta_deg: np.ndarray = THETA_DEG,
    timings: dict | None = None,
) -> dict[str, np.ndarray]:
    """The fits of a block of spectra (arrays of :class:`.er3d.Spectra`), given each one's
    shadow flag and trajectory coverage: a dict of per-spectrum columns of :data:`MONTH_SCHEMA`."""
    clock = time.perf_counter()
    timings = {} if timings is None else timings

    def lap(name):
        nonlocal clock
        now = time.perf_counter()
        timings[name] = timings.get(name, 0.0) + now - clock
        clock = now

    energy = spectra.energy_ev
    geometry = channel_geometry(spectra.b_nt, spectra.phi_deg, spectra.flux, theta_deg)
    view = incident_view(energy, spectra.flux, geometry, theta_deg)
    use = np.isfinite(view.flux) & (view.exposure > 0)
    lap("incident_s")
    fit = fit_kappa(energy, view.counts, view.exposure, use)
    lap("kappa_fit_s")
    see = (settings.see_peak_yield, settings.see_peak_energy_ev)
    potential = np.where(
        shadow,
        charging.shadow_potential(fit.density_cm3, fit.w_ev, fit.kappa, *see),
        charging.sunlit_potential(fit.density_cm3, fit.w_ev, fit.kappa),
    )
    lap("sc_potential_s")
    # Channels at or below a positive potential hold the spacecraft's photoelectrons: refit
    # without them the spectra that used any.
    below = use & (energy <= np.maximum(potential, 0.0)[:, None])
    redo = below.any(axis=1)
    if redo.any():
        refit = fit_kappa(energy[redo], view.counts[redo], view.exposure[redo], use[redo] & ~below[redo])
        for name in ("density_cm3", "w_ev", "kappa", "deviance_per_dof", "n_channels", "counts"):
            getattr(fit, name)[redo] = getattr(refit, name)
        potential[redo] = charging.sunlit_potential(refit.density_cm3, refit.w_ev, refit.kappa)
    lap("kappa_fit_s")
    potential = np.where(covered, potential, np.nan)
    density, w = to_ambient(fit.density_cm3, fit.w_ev, fit.kappa, potential)

    enough = (fit.n_channels >= settings.min_channels) & (fit.counts >= settings.min_counts)
    sc_status = np.select(
        [~covered, ~enough, ~np.isfinite(potential), fit.deviance_per_dof > settings.max_deviance],
        ["no_trajectory", "too_few_counts", "no_current_balance", "poor_fit"],
        "ok",
    )
    potential = np.where(enough, potential, np.nan)

    cone = fit_loss_cone(
        energy,
        spectra.flux,
        view.flux,
        np.where(np.isfinite(potential), potential, 0.0),
        geometry,
        theta_deg,
        settings.min_delta_chi2,
    )
    surface_status = np.select(
        [~geometry.field_ok, ~np.isfinite(potential), ~cone.measured, cone.closes_below_range],
        ["no_field", "no_sc_potential", "no_loss_cone", "closes_below_range"],
        "ok",
    )
    lap("losscone_fit_s")
    measured = surface_status == "ok"
    bounded = surface_status == "closes_below_range"
    return {
        "b_nt": np.linalg.norm(spectra.b_nt, axis=2).mean(axis=1),
        "density_cm3": np.where(np.isfinite(potential), density, np.nan),
        "temperature_ev": np.where(np.isfinite(potential), temperature_ev(w, fit.kappa), np.nan),
        "kappa": fit.kappa,
        "sc_potential_v": potential,
        "kappa_deviance": fit.deviance_per_dof,
        "kappa_channels": fit.n_channels.astype(np.int64),
        "surface_potential_v": np.select([measured, bounded], [cone.potential_v, cone.potential_bound_v], np.nan),
        "field_ratio": np.where(measured | bounded, cone.field_ratio, np.nan),
        "losscone_chi2_red": np.where(geometry.field_ok, cone.chi2_red, np.nan),
        "losscone_delta_chi2": np.where(geometry.field_ok, cone.delta_chi2, np.nan),
        "sc_status": sc_status.astype(object),
        "surface_status": surface_status.astype(object),
    }


def _block(spectra: Spectra, start: int, stop: int) -> Spectra:
    return Spectra(*(getattr(spectra, f)[start:stop] for f in Spectra.__dataclass_fields__))


def process_month(
    paths: list[str],
    kernels: list[str],
    settings: FitSettings,
    threads: int = 1,
    theta_deg: np.ndarray = THETA_DEG,
) -> tuple[pl.DataFrame, pl.DataFrame, dict]:
    """The month table (:data:`MONTH_SCHEMA`, rows ordered by file and line), the error table
    (:data:`ERROR_SCHEMA`) and the seconds spent per stage (summed over threads)."""
    timings = {}
    start = time.perf_counter()
    spectra, malformed, errors = read_month(paths, threads)
    timings["read_s"] = time.perf_counter() - start

    start = time.perf_counter()
    load_kernels(kernels)
    et = ephemeris_time(spectra.time_unix)
    geo = spacecraft_geometry(et)
    timings["geometry_s"] = time.perf_counter() - start

    bounds = [(a, min(a + BLOCK, len(spectra))) for a in range(0, len(spectra), BLOCK)]
    block_timings = [dict() for _ in bounds]
    with ThreadPoolExecutor(max_workers=max(1, threads)) as pool:
        blocks = list(
            pool.map(
                lambda i: fit_block(
                    _block(spectra, *bounds[i]),
                    geo.shadow[slice(*bounds[i])],
                    geo.covered[slice(*bounds[i])],
                    settings,
                    theta_deg,
                    block_timings[i],
                ),
                range(len(bounds)),
            )
        )
    for t in block_timings:
        for name, seconds in t.items():
            timings[name] = timings.get(name, 0.0) + seconds
    columns = {
        name: np.concatenate([b[name] for b in blocks]) if blocks else np.zeros(0)
        for name in (
            "b_nt",
            "density_cm3",
            "temperature_ev",
            "kappa",
            "sc_potential_v",
            "kappa_deviance",
            "kappa_channels",
            "surface_potential_v",
            "field_ratio",
            "losscone_chi2_red",
            "losscone_delta_chi2",
            "sc_status",
            "surface_status",
        )
    }

    good = (
        pl.DataFrame(schema=MONTH_SCHEMA)
        if not len(spectra)
        else pl.DataFrame(
            {
                "source_file": spectra.source_file.astype(str),
                "line": spectra.line,
                "spec_no": spectra.spec_no,
                "time_utc": (spectra.time_unix * 1000.0).round().astype(np.int64),
                "et": et,
                "lat_deg": geo.lat_deg,
                "lon_deg": geo.lon_deg,
                "alt_km": geo.alt_km,
                "sza_deg": geo.sza_deg,
                "shadow": pl.Series(geo.shadow).set(pl.Series(~geo.covered), None),
                **columns,
                "status": ["ok"] * len(spectra),
                "reason": [None] * len(spectra),
            },
            schema_overrides={
                "time_utc": pl.Int64,
                "reason": pl.String,
                "sc_status": pl.String,
                "surface_status": pl.String,
            },
        )
    )
    good = good.with_columns(pl.col("time_utc").cast(pl.Datetime("ms")))
    bad = pl.DataFrame(
        {
            "source_file": [m["source_file"] for m in malformed],
            "line": [m["line"] for m in malformed],
            "spec_no": [m["spec_no"] for m in malformed],
            "time_utc": [
                None if not np.isfinite(m["time_unix"]) else int(round(m["time_unix"] * 1000)) for m in malformed
            ],
            "status": [m["status"] for m in malformed],
            "reason": [m["reason"] for m in malformed],
        },
        schema_overrides={
            "source_file": pl.String,
            "line": pl.Int64,
            "spec_no": pl.Int64,
            "time_utc": pl.Int64,
            "status": pl.String,
            "reason": pl.String,
        },
    )
    bad = bad.with_columns(pl.col("time_utc").cast(pl.Datetime("ms")))
    table = (
        pl.concat([good, bad], how="diagonal_relaxed")
        .select([pl.col(name).cast(dtype) for name, dtype in MONTH_SCHEMA.items()])
        .sort("source_file", "line")
    )
    errors = pl.DataFrame(errors, schema=ERROR_SCHEMA).sort("source_file", "line", nulls_last=False)
    return table, errors, timings
