"""Accuracy of the pipeline on the demo truth (:func:`.demo.write_demo`), and checks of the
geometry against calculations that do not use SPICE's frames.

Targets (issue 5): spacecraft potential within 1 V in sunlight and within 10 % in shadow;
surface potential within 15 % where |U| > 50 V; spacecraft position within 1 km of the
generating orbit; the DE440 Sun direction within 0.01 deg of astropy's.

* Position: the demo's analytic orbit (J2000) is rotated into the Moon's body-fixed frame by
  :func:`iau_moon_matrix`, the IAU 2009 formulas evaluated here in numpy (not SPICE's
  ``IAU_MOON`` frame), and compared with the position the pipeline derived (SPK + PCK through
  SPICE), rebuilt from its latitude, longitude and altitude.
* Sun: DE440 (:func:`.geometry.sun_position` in J2000) against astropy's built-in ephemeris
  (``get_body_barycentric``, ERFA epv00 and the Moon series of ERFA moon98), Moon to Sun.
"""

from __future__ import annotations

import numpy as np
import polars as pl

from .demo import ENERGIES_EV
from .kernels import (
    MOON_NUT_PREC_ANGLES,
    MOON_NUT_PREC_DEC,
    MOON_NUT_PREC_PM,
    MOON_NUT_PREC_RA,
    MOON_PM,
    MOON_POLE_DEC,
    MOON_POLE_RA,
    MOON_RADIUS_KM,
)

SUNLIT_TOLERANCE_V = 1.0
SHADOW_TOLERANCE = 0.10
SURFACE_TOLERANCE = 0.15
SURFACE_MIN_V = 50.0
POSITION_TOLERANCE_KM = 1.0
SUN_TOLERANCE_DEG = 0.01


def iau_moon_matrix(et: np.ndarray) -> np.ndarray:
    """(n, 3, 3) rotation from J2000 to the Moon's IAU 2009 body-fixed frame at each ET:
    R = Rz(W) Rx(90 deg - delta0) Rz(90 deg + alpha0) (Archinal et al. 2011, eq. 1)."""
    d = np.asarray(et, dtype=float) / 86400.0
    t = d / 36525.0
    angles = np.radians(np.array([e0 + e1 * t for e0, e1 in MOON_NUT_PREC_ANGLES]))  # (13, n)
    ra = MOON_POLE_RA[0] + MOON_POLE_RA[1] * t + np.asarray(MOON_NUT_PREC_RA) @ np.sin(angles)
    dec = MOON_POLE_DEC[0] + MOON_POLE_DEC[1] * t + np.asarray(MOON_NUT_PREC_DEC) @ np.cos(angles)
    w = MOON_PM[0] + MOON_PM[1] * d + MOON_PM[2] * d * d + np.asarray(MOON_NUT_PREC_PM) @ np.sin(angles)

    def rz(a):
        c, s, z, o = np.cos(a), np.sin(a), np.zeros_like(a), np.ones_like(a)
        return np.stack([np.stack([c, s, z], -1), np.stack([-s, c, z], -1), np.stack([z, z, o], -1)], -2)

    def rx(a):
        c, s, z, o = np.cos(a), np.sin(a), np.zeros_like(a), np.ones_like(a)
        return np.stack([np.stack([o, z, z], -1), np.stack([z, c, s], -1), np.stack([z, -s, c], -1)], -2)

    return rz(np.radians(w)) @ rx(np.radians(90.0 - dec)) @ rz(np.radians(90.0 + ra))


def position_errors_km(table: pl.DataFrame, truth: pl.DataFrame) -> np.ndarray:
    """Distance (km) between the pipeline's position of each spectrum (from lat, lon, alt) and
    the generating orbit rotated by :func:`iau_moon_matrix`."""
    joined = table.filter(pl.col("status") == "ok").join(truth, on=["source_file", "spec_no"], suffix="_true")
    lat, lon = np.radians(joined["lat_deg"].to_numpy()), np.radians(joined["lon_deg"].to_numpy())
    r = MOON_RADIUS_KM + joined["alt_km"].to_numpy()
    pipeline = np.column_stack([r * np.cos(lat) * np.cos(lon), r * np.cos(lat) * np.sin(lon), r * np.sin(lat)])
    j2000 = joined.select("x_j2000_km", "y_j2000_km", "z_j2000_km").to_numpy()
    expected = np.einsum("nij,nj->ni", iau_moon_matrix(joined["et"].to_numpy()), j2000)
    return np.linalg.norm(pipeline - expected, axis=1)


def sun_direction_errors_deg(et: np.ndarray) -> np.ndarray:
    """Angle (deg) between the Moon-to-Sun direction from DE440 (kernels loaded) and from
    astropy's built-in ephemeris, at each ET (TDB)."""
    from astropy.coordinates import get_body_barycentric
    from astropy.time import Time

    from .geometry import sun_position

    t = Time(2451545.0, np.asarray(et, dtype=float) / 86400.0, format="jd", scale="tdb")
    astropy_dir = (get_body_barycentric("sun", t) - get_body_barycentric("moon", t)).xyz.to("km").value.T
    spice_dir = sun_position(et, "J2000")
    norms = np.linalg.norm(astropy_dir, axis=1) * np.linalg.norm(spice_dir, axis=1)
    cos = np.einsum("ij,ij->i", astropy_dir, spice_dir) / norms
    return np.degrees(np.arccos(np.clip(cos, -1.0, 1.0)))


def _relative(frame: pl.DataFrame, column: str) -> np.ndarray:
    """|fitted / true - 1| of ``column`` against ``{column}_true``."""
    return (frame[column] / frame[f"{column}_true"] - 1.0).abs().to_numpy()


def _summary(errors: np.ndarray, tolerance: float) -> dict:
    errors = np.asarray(errors, dtype=float)
    if errors.size == 0:
        return {"n": 0}
    return {
        "n": int(errors.size),
        "fraction_within": float(np.mean(errors <= tolerance)),
        "median": float(np.median(errors)),
        "p95": float(np.percentile(errors, 95)),
        "max": float(errors.max()),
    }


def demo_accuracy(table: pl.DataFrame, truth: pl.DataFrame) -> dict:
    """Errors of the month tables (concatenated) against the truth, per target, plus how the
    statuses match the truth (malformed spectra reported, loss cones found where the field
    line reaches the Moon, ``closes_below_range`` where the true cone closes below the lowest
    channel, and its bound below the true U)."""
    joined = table.join(truth, on=["source_file", "spec_no"], how="inner", suffix="_true")
    fitted = joined.filter(pl.col("sc_status") == "ok")
    sunlit = fitted.filter(~pl.col("shadow"))
    shadow = fitted.filter(pl.col("shadow"))
    surface = joined.filter(
        (pl.col("surface_status") == "ok") & (pl.col("surface_potential_v_true").abs() > SURFACE_MIN_V)
    )
    bounded = joined.filter(pl.col("surface_status") == "closes_below_range")
    ok = joined.filter(pl.col("status") == "ok")
    connected = ok.filter(pl.col("connected") & (pl.col("sc_status") == "ok"))
    eligible = connected.filter(pl.col("surface_potential_v_true").abs() > SURFACE_MIN_V)
    found = pl.col("surface_status").is_in(["ok", "closes_below_range"])
    # the true cone closes at E = U_sc - U: below the demo's lowest energy channel?
    closes_below_true = (pl.col("surface_potential_v_true") < 0) & (
        pl.col("sc_potential_v_true") - pl.col("surface_potential_v_true") < float(ENERGIES_EV[0])
    )
    return {
        "spectra": {
            "truth": truth.height,
            "table": table.height,
            "sc_status": dict(joined.group_by("sc_status").len().sort("sc_status").iter_rows()),
            "surface_status": dict(joined.group_by("surface_status").len().sort("surface_status").iter_rows()),
        },
        "sc_potential_sunlit_abs_error_v": _summary(
            (sunlit["sc_potential_v"] - sunlit["sc_potential_v_true"]).abs().to_numpy(), SUNLIT_TOLERANCE_V
        ),
        "sc_potential_shadow_rel_error": _summary(_relative(shadow, "sc_potential_v"), SHADOW_TOLERANCE),
        "surface_potential_rel_error_abs_u_over_50v": _summary(
            _relative(surface, "surface_potential_v"), SURFACE_TOLERANCE
        ),
        "loss_cone_found_where_connected_and_abs_u_over_50v": float(eligible.select(found.mean()).item())
        if eligible.height
        else None,
        "loss_cone_found_where_not_connected": float(ok.filter(~pl.col("connected")).select(found.mean()).item()),
        "closes_below_range": {
            "n": bounded.height,
            "bound_holds": float((bounded["surface_potential_v_true"] > bounded["surface_potential_v"]).mean())
            if bounded.height
            else None,
            "truly_closing_below": float(bounded.select(closes_below_true.mean()).item()) if bounded.height else None,
            "ok_truly_closing_below": joined.filter((pl.col("surface_status") == "ok") & closes_below_true).height,
        },
        "density_rel_error": _summary(_relative(fitted, "density_cm3"), 0.1),
        "temperature_rel_error": _summary(_relative(fitted, "temperature_ev"), 0.1),
        "malformed_reported": sorted(
            joined.filter(pl.col("status") == "malformed").select("source_file", "spec_no").rows()
        )
        == sorted(truth.filter(pl.col("expected_status") == "malformed").select("source_file", "spec_no").rows()),
        "position_error_km": _summary(position_errors_km(table, truth), POSITION_TOLERANCE_KM),
    }
