"""Device metrics of one (chip, procedure) group of graphene-FET runs, as a long table.

:func:`extract_group` takes the runs of one group, each as (manifest row, mapping of the
reader's canonical column names to numpy arrays), and returns a polars frame with one row per
metric, the columns :data:`METRIC_COLUMNS` followed by :data:`EXTRA_COLUMNS`
(:data:`METRIC_SCHEMA`; polars and numpy only, so a metrics job never imports pandas). Read
with pandas, apply :data:`PANDAS_DTYPES` to get the nullable dtypes of the last two columns:

========================  ========  ========  ============================================
column                    polars    pandas    meaning
========================  ========  ========  ============================================
run_id                    String    object    run the metric belongs to (the later run of
                                              a pair)
chip_number               Int64     int64     from the manifest row
proc                      String    object    from the manifest row
metric_name               String    object    see the table below
value_float               Float64   float64   value in ``unit``; NaN for flagged/skipped
                                              rows
unit                      String    object    "V", "ohm", "A", "s", "cm^2/(V*s)", "1"
                                              (dimensionless) or "" (no value)
flags                     String    object    comma-separated flag names, sorted; "" when
                                              none
extraction_version        String    object    :data:`EXTRACTION_VERSION`
segment                   Int64     Int64     dark-segment number (from 1) for ``relax_*``
                                              rows, null (<NA>) otherwise
pair_previous_run_id      String    string    earlier run of a ``pair_*`` row, null (<NA>)
                                              otherwise
leg                       Int64     Int64     sweep-leg number (from 1, file order) of
                                              ``cnp_*``, ``hysteresis_v``, mobility and
                                              ``pair_*`` rows, null (<NA>) otherwise
========================  ========  ========  ============================================

Metrics (the methods are documented in :mod:`.sweeps` and :mod:`.transients`):

======================================  =============  ====================================
metric_name                             unit           procedures, definition
======================================  =============  ====================================
cnp_fwd_v, cnp_bwd_v                    V              IVg, VVg: charge-neutrality point
                                                       of each forward (odd ``leg``) /
                                                       backward (even ``leg``) leg
hysteresis_v                            V              cnp_bwd_v(leg 2k) - cnp_fwd_v(leg
                                                       2k - 1), on the backward leg 2k
r_max_ohm                               ohm            largest resistance of the run
modulation_ratio                        1              R_max / R_min over the run
mobility_hole_cm2_vs,                   cm^2/(V*s)     field-effect mobility of the
mobility_electron_cm2_vs                               first leg, Vg < / > its cnp_fwd_v
photoresponse_a                         A              It: mean over light-on steps of
                                                       I(end of light) - I(end of dark)
photoresponse_rel                       1              It: mean over steps of that change
                                                       / I(end of dark)
relax_tau_s, relax_beta,                s, 1, 1        It: stretched-exponential fit of
relax_r_squared                                        each dark segment after light-off
pair_cnp_shift_v                        V              IVg, VVg: CNP of leg ``leg`` of
                                                       the run - that of the same leg of
                                                       the previous run
pair_max_abs_di_a                       A              IVg: max |I(run) - I(previous)| on
                                                       the common Vg range of that leg
pair_max_abs_dvds_v                     V              VVg: the same for V_DS
pair_skipped                            ""             a consecutive pair with no metric
extraction_failed                       ""             a run that could not be processed
======================================  =============  ====================================

Flags (read the column as ``table["flags"]``: in pandas, ``table.flags`` is an attribute):

* CNP rows (cnp_*, hysteresis_v and pair_cnp_shift_v carry those of both legs or runs):
  ``cnp_at_edge``, ``weak_modulation``, ``implausible_vg``, ``cnp_unrefined``
  (:func:`.sweeps.charge_neutrality_point`; a CNP beyond the leg's swept range is NaN with
  ``cnp_at_edge``, and ``implausible_vg`` is judged against the run's swept gate range);
  ``no_backward_leg`` (one-way sweep: one cnp_bwd_v and one hysteresis_v row, NaN, leg <NA>);
  ``short_leg`` (NaN: a leg of fewer than 5 samples). r_max_ohm and modulation_ratio:
  ``weak_modulation`` (whole run).
* mobility rows: ``no_geometry`` (NaN: width_um, length_um, c_g_f_cm2 not all given and
  positive; the rows are kept so that a missing geometry is visible, not silent),
  ``branch_too_short``.
* photoresponse rows: ``no_light_step`` (NaN), ``zero_dark_current``.
* relax rows: ``poor_fit`` (R^2 < 0.9), ``short_segment`` (segment < 3 tau),
  ``fit_at_bound``, ``compressed_exponential`` (beta > 1); NaN with ``too_few_points``,
  ``flat_segment``, ``unordered_time``, or
  ``no_dark_segment`` (one row per relax metric, segment <NA>, when no light-off happened).
* pair rows: ``insufficient_overlap`` (common Vg range < 1 V), ``run_failed`` (either run of
  the pair failed), ``unknown_start_time``, ``vds_differs`` / ``ids_differs`` (the two runs
  used different V_DS or drain current).

Consecutive pairs: the sweep runs of each (chip_number, proc) are ordered by
``start_time_utc`` (then run_id; runs without a parseable time last), and every consecutive
pair gives either its pair metrics or one ``pair_skipped`` row, on the later run's run_id
with the earlier run's id in ``pair_previous_run_id``: n runs give n - 1 pairs. A run whose
settings say ``time_of_day_known: false`` (a described format that gave only the day) counts
as having no start time. Like legs are
compared: every leg number that both runs have gives its own pair rows (``leg``), so a
forward leg is compared with a forward leg and a backward leg with a backward leg.

Failures: a run whose data cannot be processed gives one ``extraction_failed`` row with the
reason in ``flags``: ``missing_column:<name>``, ``non_numeric:<name>``,
``missing_setting:<key>``, ``unequal_column_lengths`` (the needed columns are not 1-D arrays
of one length), ``all_nan``, ``too_few_points``, ``no_gate_sweep`` (Vg never changes),
``short_first_leg``, ``unknown_proc:<proc>``, or ``unexpected_error:<exception type>`` as a
last resort so that one run never stops its group.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

import numpy as np
import polars as pl

from .sweeps import (
    MIN_LEG_POINTS,
    charge_neutrality_point,
    field_effect_mobility,
    max_abs_difference,
    resistance_ohm,
    split_legs,
)
from .transients import MIN_FIT_POINTS, photoresponse, relaxation_fits

#: Version of the extraction methods, written on every row; bump it when a method changes.
EXTRACTION_VERSION = "chips-metrics-2"

#: The long-format contract: one row per metric.
METRIC_COLUMNS = (
    "run_id",
    "chip_number",
    "proc",
    "metric_name",
    "value_float",
    "unit",
    "flags",
    "extraction_version",
)
#: Columns after METRIC_COLUMNS: the dark segment of relax_* rows, the earlier run of pair_*
#: rows, the sweep leg of cnp, hysteresis, mobility and pair rows.
EXTRA_COLUMNS = ("segment", "pair_previous_run_id", "leg")
#: polars types of METRIC_COLUMNS then EXTRA_COLUMNS (every polars column is nullable).
METRIC_SCHEMA = pl.Schema(
    {
        "run_id": pl.String,
        "chip_number": pl.Int64,
        "proc": pl.String,
        "metric_name": pl.String,
        "value_float": pl.Float64,
        "unit": pl.String,
        "flags": pl.String,
        "extraction_version": pl.String,
        "segment": pl.Int64,
        "pair_previous_run_id": pl.String,
        "leg": pl.Int64,
    }
)
#: pandas dtypes (``DataFrame.astype``) that a table read with pandas needs to match the
#: contract: parquet files written by polars carry no pandas metadata, so pandas reads a
#: segment column with nulls as float64 and the previous run ids as object.
PANDAS_DTYPES = {"segment": "Int64", "pair_previous_run_id": "string", "leg": "Int64"}

#: Unit of every metric name.
METRIC_UNITS = {
    "cnp_fwd_v": "V",
    "cnp_bwd_v": "V",
    "hysteresis_v": "V",
    "r_max_ohm": "ohm",
    "modulation_ratio": "1",
    "mobility_hole_cm2_vs": "cm^2/(V*s)",
    "mobility_electron_cm2_vs": "cm^2/(V*s)",
    "photoresponse_a": "A",
    "photoresponse_rel": "1",
    "relax_tau_s": "s",
    "relax_beta": "1",
    "relax_r_squared": "1",
    "pair_cnp_shift_v": "V",
    "pair_max_abs_di_a": "A",
    "pair_max_abs_dvds_v": "V",
    "pair_skipped": "",
    "extraction_failed": "",
}

SWEEP_PROCS = ("IVg", "VVg")
#: Data columns each procedure needs (the reader's canonical names).
REQUIRED_COLUMNS = {"IVg": ("vg_v", "i_a"), "VVg": ("vg_v", "vds_v"), "It": ("t_s", "i_a", "vl_v")}
#: The manifest setting each sweep procedure needs: V_DS (V) for IVg, the fixed current (A) for VVg.
SWEEP_SETTING = {"IVg": "vds_v", "VVg": "ids_a"}
#: Metric of the consecutive-sweep difference: the measured quantity of each sweep procedure.
PAIR_DIFFERENCE = {"IVg": "pair_max_abs_di_a", "VVg": "pair_max_abs_dvds_v"}
#: Flag of a pair whose two runs used different settings.
PAIR_SETTING_FLAG = {"IVg": "vds_differs", "VVg": "ids_differs"}

_NAN = float("nan")
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class Settings:
    """Thresholds of the extraction (units in the names), from the config's ``chips.metrics``
    (``config/schema.yaml`` holds their defaults): ``Settings(**config["chips"]["metrics"])``.

    ``edge_steps``: samples from a
    leg's end within which a maximum is ``cnp_at_edge``; ``min_modulation``: R_max/R_min below
    this is ``weak_modulation``; ``peak_fraction``: CNP fit window (top fraction of the
    modulation); ``mobility_window_v``: span of the derivative window; ``min_overlap_v``: common
    Vg range a pair needs; ``light_threshold_v``: light on where VL is above it;
    ``tail_fraction``, ``min_tail``: segment-end samples averaged for the photoresponse;
    ``min_r_squared``: below it a relaxation fit is ``poor_fit``; ``min_taus``: a dark segment
    shorter than this many tau is ``short_segment``.
    """

    edge_steps: int
    min_modulation: float
    peak_fraction: float
    mobility_window_v: float
    min_overlap_v: float
    light_threshold_v: float
    tail_fraction: float
    min_tail: int
    min_r_squared: float
    min_taus: float

    def cnp_options(self) -> dict:
        """Keyword arguments of :func:`.sweeps.charge_neutrality_point`."""
        return dict(edge_steps=self.edge_steps, min_modulation=self.min_modulation, peak_fraction=self.peak_fraction)

    def photoresponse_options(self) -> dict:
        """Keyword arguments of :func:`.transients.photoresponse`."""
        return dict(threshold_v=self.light_threshold_v, tail_fraction=self.tail_fraction, min_tail=self.min_tail)

    def relaxation_options(self) -> dict:
        """Keyword arguments of :func:`.transients.relaxation_fits`."""
        return dict(threshold_v=self.light_threshold_v, min_r_squared=self.min_r_squared, min_taus=self.min_taus)


class _RunFailure(Exception):
    """A run's data cannot be processed; ``args[0]`` is the comma-separated reason."""


@dataclass(frozen=True)
class _Leg:
    """What the consecutive-pair comparison needs from one sweep leg."""

    vg: np.ndarray  # gate voltage (V)
    measured: np.ndarray  # current (A, IVg) or V_DS (V, VVg)
    cnp_v: float
    cnp_flags: tuple[str, ...]


@dataclass(frozen=True)
class _SweepSummary:
    """What the consecutive-pair comparison needs from one sweep run: its legs by number."""

    legs: dict[int, _Leg]
    setting: float  # V_DS (V) or fixed current (A)


def _join(flags) -> str:
    """Flag names as the flags column holds them: unique, sorted, comma-separated."""
    return ",".join(sorted(set(flags)))


def _setting(meta: Mapping, key: str) -> float:
    """A finite, non-zero numeric setting from the manifest row, else a failure."""
    try:
        value = float(meta.get(key))
    except (TypeError, ValueError):
        raise _RunFailure(f"missing_setting:{key}") from None
    if not np.isfinite(value) or value == 0:
        raise _RunFailure(f"missing_setting:{key}")
    return value


def _arrays(data: Mapping, columns: Sequence[str], min_points: int) -> np.ndarray:
    """The named columns as rows of a float array, samples with any non-finite value dropped."""
    missing = [c for c in columns if c not in data]
    if missing:
        raise _RunFailure(",".join(f"missing_column:{c}" for c in missing))
    rows = []
    for c in columns:
        try:
            rows.append(np.asarray(data[c], dtype=float))
        except (TypeError, ValueError):
            raise _RunFailure(f"non_numeric:{c}") from None
    if rows[0].ndim != 1 or any(row.shape != rows[0].shape for row in rows):
        raise _RunFailure("unequal_column_lengths")
    block = np.stack(rows)
    finite = np.isfinite(block).all(axis=0)
    count = int(np.count_nonzero(finite))
    if count == 0:
        raise _RunFailure("all_nan")
    if count < min_points:
        raise _RunFailure("too_few_points")
    return block[:, finite] if count < len(finite) else block


def _geometry_scale(geometry: Mapping | None) -> dict | None:
    """width_um, length_um, c_g_f_cm2 when all are given, finite and positive, else None."""
    if not geometry:
        return None
    try:
        values = {k: float(geometry[k]) for k in ("width_um", "length_um", "c_g_f_cm2")}
    except (KeyError, TypeError, ValueError):
        return None
    return values if all(np.isfinite(v) and v > 0 for v in values.values()) else None


def _sweep_run(meta: Mapping, data: Mapping, geometry: dict | None, s: Settings):
    """Metric rows (name, value, flags, segment, leg) of one IVg/VVg run, and its pair summary."""
    proc = meta["proc"]
    setting = _setting(meta, SWEEP_SETTING[proc])
    vg, measured = _arrays(data, REQUIRED_COLUMNS[proc], MIN_LEG_POINTS)
    r = resistance_ohm(proc, setting, measured)
    ok = np.isfinite(r) & (r > 0)
    if np.count_nonzero(ok) < MIN_LEG_POINTS:
        raise _RunFailure("too_few_points")
    if not ok.all():
        vg, measured, r = vg[ok], measured[ok], r[ok]
    if np.ptp(vg) == 0:
        raise _RunFailure("no_gate_sweep")
    legs = split_legs(vg)
    if legs[0].stop - legs[0].start < MIN_LEG_POINTS:
        raise _RunFailure("short_first_leg")

    swept = (float(np.min(vg)), float(np.max(vg)))
    cnp_options = dict(swept_range_v=swept, **s.cnp_options())
    rows = []
    summaries: dict[int, _Leg] = {}
    for number, leg in enumerate(legs, start=1):
        name = "cnp_fwd_v" if number % 2 else "cnp_bwd_v"
        if leg.stop - leg.start < MIN_LEG_POINTS:
            rows.append((name, _NAN, ("short_leg",), number))
            continue
        cnp = charge_neutrality_point(vg[leg], r[leg], **cnp_options)
        rows.append((name, cnp.cnp_v, cnp.flags, number))
        summaries[number] = _Leg(vg[leg], measured[leg], cnp.cnp_v, cnp.flags)
    for number in range(2, len(legs) + 1, 2):
        fwd, bwd = summaries.get(number - 1), summaries.get(number)
        if fwd is None or bwd is None:
            rows.append(("hysteresis_v", _NAN, ("short_leg",), number))
        else:
            rows.append(("hysteresis_v", bwd.cnp_v - fwd.cnp_v, fwd.cnp_flags + bwd.cnp_flags, number))
    if len(legs) == 1:
        rows += [(name, _NAN, ("no_backward_leg",), None) for name in ("cnp_bwd_v", "hysteresis_v")]
    r_max, r_min = float(np.max(r)), float(np.min(r))
    weak = ("weak_modulation",) if r_max < s.min_modulation * r_min else ()
    rows += [("r_max_ohm", r_max, weak, None), ("modulation_ratio", r_max / r_min, weak, None)]

    mobility_names = ("mobility_hole_cm2_vs", "mobility_electron_cm2_vs")
    first = summaries[1]
    if geometry is None:
        rows += [(name, _NAN, ("no_geometry",), 1) for name in mobility_names]
    elif np.isnan(first.cnp_v):
        rows += [(name, _NAN, ("no_cnp",), 1) for name in mobility_names]
    else:
        hole, electron = field_effect_mobility(
            first.vg, 1.0 / r[legs[0]], first.cnp_v, window_v=s.mobility_window_v, **geometry
        )
        pairs = zip(mobility_names, (hole, electron))
        rows += [(name, branch.mobility_cm2_vs, branch.flags, 1) for name, branch in pairs]
    rows = [(name, value, flags, None, leg) for name, value, flags, leg in rows]
    return rows, _SweepSummary(summaries, setting)


def _transient_run(data: Mapping, s: Settings):
    """Metric rows (name, value, flags, segment, leg) of one It run."""
    t, i, vl = _arrays(data, REQUIRED_COLUMNS["It"], MIN_FIT_POINTS)
    steps = photoresponse(i, vl, **s.photoresponse_options())
    if steps.delta_a.size == 0:
        rows = [(name, _NAN, ("no_light_step",), None, None) for name in ("photoresponse_a", "photoresponse_rel")]
    else:
        nonzero = steps.dark_a != 0
        rel_flags = () if nonzero.all() else ("zero_dark_current",)
        rel = float(np.mean(steps.delta_a[nonzero] / steps.dark_a[nonzero])) if nonzero.any() else _NAN
        rows = [
            ("photoresponse_a", float(np.mean(steps.delta_a)), (), None, None),
            ("photoresponse_rel", rel, rel_flags, None, None),
        ]

    fits = relaxation_fits(t, i, vl, **s.relaxation_options())
    relax_names = ("relax_tau_s", "relax_beta", "relax_r_squared")
    if not fits:
        rows += [(name, _NAN, ("no_dark_segment",), None, None) for name in relax_names]
    for seg in fits:
        fit = seg.fit
        values = (_NAN, _NAN, _NAN) if fit is None else (fit.tau_s, fit.beta, fit.r_squared)
        rows += [(name, value, seg.flags, seg.segment, None) for name, value in zip(relax_names, values)]
    return rows


def _start_time(value) -> datetime | None:
    """A start time given as ISO 8601 text (without an offset: UTC) as an aware UTC datetime;
    None when it is missing or not ISO 8601."""
    try:
        moment = datetime.fromisoformat(value)
    except (TypeError, ValueError):
        return None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _pair_rows(chain: list[tuple[dict, datetime | None, _SweepSummary | None]], s: Settings):
    """Rows of every consecutive pair of one (chip, proc) chain of sweep runs."""

    def order(entry):
        meta, time, _ = entry
        return (time is None, time or _EPOCH, str(meta["run_id"]))

    chain = sorted(chain, key=order)
    rows = []  # (meta, previous run_id, name, value, flags, leg)
    for (prev_meta, prev_time, prev), (meta, time, cur) in zip(chain[:-1], chain[1:]):
        base = ("unknown_start_time",) if prev_time is None or time is None else ()
        key = (meta, prev_meta["run_id"])
        if prev is None or cur is None:
            rows.append((*key, "pair_skipped", _NAN, base + ("run_failed",), None))
            continue
        proc = meta["proc"]
        same = abs(cur.setting - prev.setting) <= 1e-6 * abs(prev.setting)
        differs = () if same else (PAIR_SETTING_FLAG[proc],)
        for number in sorted(set(prev.legs) & set(cur.legs)):
            a, b = prev.legs[number], cur.legs[number]
            diff, _ = max_abs_difference(a.vg, a.measured, b.vg, b.measured, min_overlap_v=s.min_overlap_v)
            if np.isnan(diff):
                rows.append((*key, "pair_skipped", _NAN, base + ("insufficient_overlap",), number))
                continue
            rows.append((*key, "pair_cnp_shift_v", b.cnp_v - a.cnp_v, base + a.cnp_flags + b.cnp_flags, number))
            rows.append((*key, PAIR_DIFFERENCE[proc], diff, base + differs, number))
    return rows


def extract_group(
    runs: list[tuple[dict, Mapping]],
    geometry: dict | None,
    settings: Settings,
) -> pl.DataFrame:
    """Long table of the metrics of one (chip, procedure) group of runs.

    Parameters
    ----------
    runs : (manifest row, data) per run. The manifest row has run_id (str), chip_number (int),
        proc ('IVg', 'VVg' or 'It'), start_time_utc (ISO 8601 text; without an offset, UTC)
        and the run's settings (vds_v in V for IVg, ids_a in A for VVg; None or NaN when
        absent). The data maps the reader's canonical column names (IVg: vg_v, i_a; VVg:
        vg_v, vds_v; It: t_s, i_a, vl_v) to 1-D arrays of one length in SI units, in file
        order: :func:`.staging.read_partition` or :attr:`.runfiles.RunFile.data` (a pandas
        DataFrame works too).
    geometry : optional width_um, length_um (um) and c_g_f_cm2 (F/cm^2) of the chip, for the
        field-effect mobility; without all three, the mobility rows are NaN with ``no_geometry``.
    settings : thresholds (:class:`Settings`, from the config's ``chips.metrics``).

    Returns
    -------
    polars DataFrame with :data:`METRIC_SCHEMA` (:data:`METRIC_COLUMNS` then
    :data:`EXTRA_COLUMNS`), sorted by run_id, metric_name, segment, leg, pair_previous_run_id. Bad
    runs and pairs become flagged rows; this function does not raise for bad data.
    """
    s = settings
    geom = _geometry_scale(geometry)
    records = []  # (meta, metric_name, value, flags, segment, previous run_id, leg)
    chains: dict[tuple, list] = {}
    for meta, data in runs:
        proc = meta.get("proc")
        summary = None
        try:
            if proc in SWEEP_PROCS:
                rows, summary = _sweep_run(meta, data, geom, s)
            elif proc == "It":
                rows = _transient_run(data, s)
            else:
                raise _RunFailure(f"unknown_proc:{proc}")
        except _RunFailure as failure:
            rows = [("extraction_failed", _NAN, (failure.args[0],), None, None)]
        except Exception as error:  # noqa: BLE001 -- one run must never stop its group
            rows = [("extraction_failed", _NAN, (f"unexpected_error:{type(error).__name__}",), None, None)]
        records += [(meta, name, value, flags, segment, None, leg) for name, value, flags, segment, leg in rows]
        if proc in SWEEP_PROCS:
            chain = chains.setdefault((meta.get("chip_number"), proc), [])
            known = meta.get("time_of_day_known", True) is not False  # False: a day folder's date only
            chain.append((meta, _start_time(meta.get("start_time_utc")) if known else None, summary))
    for chain in chains.values():
        records += [
            (meta, name, value, flags, None, previous, leg)
            for meta, previous, name, value, flags, leg in _pair_rows(chain, s)
        ]

    records.sort(key=lambda r: (str(r[0]["run_id"]), r[1], r[4] or 0, r[6] or 0, str(r[5] or "")))
    return pl.DataFrame(
        [
            (
                meta["run_id"],
                meta.get("chip_number"),
                meta.get("proc"),
                name,
                float(value),
                METRIC_UNITS[name],
                _join(flags),
                EXTRACTION_VERSION,
                segment,
                previous,
                leg,
            )
            for meta, name, value, flags, segment, previous, leg in records
        ],
        schema=METRIC_SCHEMA,
        orient="row",
    )
