"""Deterministic demo lab: graphene-FET run files over many days, in the instrument's CSV format, with truth.

:func:`write_demo_lab` writes ``raw_dir/{date}/chip{NN}_{proc}_{KKK}.csv`` files in the format
:func:`shardflow.chips.runfiles.read_run` reads (module docstring there) and returns one truth
row per run (:data:`TRUTH_COLUMNS`).

Device model (Drude conduction with a residual carrier density; Kim et al., Appl. Phys. Lett.
94, 062107 (2009); Meric et al., Nat. Nanotechnol. 3, 654 (2008))::

    n(Vg) = sqrt(n0^2 + (C_g (Vg - V_cnp) / e)^2)           carriers, cm^-2
    R(Vg) = R_c + (L / W) / (e mu n(Vg))                      ohm
    IVg:  I    = V_DS / R(Vg)       (V_DS 0.05-0.2 V, a chip setting)
    VVg:  V_DS = I_DS R(Vg)         (I_DS 1-10 uA, a chip setting)

with ``e`` the elementary charge (C), ``C_g`` the gate capacitance per area (F/cm^2: 3.84e-8
for 90 nm SiO2, 1.15e-8 for 300 nm, ``eps0 * 3.9 / t``), ``mu`` in cm^2/(V s), ``W, L`` in um.
The drain current is smallest, and V_DS at fixed current largest, exactly at ``V_cnp``.

Per chip (``numpy.random.default_rng([seed, chip, 2**32 - 1])``): W 10-50 um, L 5-50 um
(whole um), oxide 90 or 300 nm, mu 500-5000 and n0 1e11-1e12 (log-uniform), R_c 200-2000 ohm,
hysteresis 0.5-3 V, the CNP's starting value (-4..8 V), trend and random-walk size, and the
settings V_DS, I_DS, Vg step (0.2, 0.25 or 0.5 V), step time and the It gate voltage.

Per measurement day ``d`` (its index in ``dates``; ``default_rng([seed, chip, d, 2**32 - 1])``):
whether the chip is measured (probability 0.9) and the CNP's drift, a mean-reverting random
walk (Ornstein-Uhlenbeck, step 0.5-1 V/day, relaxation 20 days) plus a saturating trend of up
to +-4 V (time scale 10-40 days); the day's CNP is kept within -12..15 V so every sweep leg's CNP
lies at least 10 V inside the -30..30 V window.

Per run (``default_rng([seed, chip, d, k])``, ``k`` the run's index that day; the procedure
cycles ``PROCEDURES[(k + chip + d) % 3]``):

* IVg and VVg sweep forward then backward, -30 -> 30 -> -30 V: ``1 + 60 / step`` forward
  points ending at +30 V, then the backward points from ``30 - step`` down to -30 V (the turning
  point is not repeated). The forward CNP is the day's value plus run-to-run jitter (0.1 V rms)
  and, for the quarter of runs taken under light (``Laser voltage`` > 0), a shift of -1 to -5 V;
  the backward CNP is lower by the chip's hysteresis (x 0.9-1.1 per run), so ``hysteresis_v =
  v_cnp_bwd_v - v_cnp_fwd_v`` (the sign of the ``hysteresis_v`` metric) is negative. Gaussian
  noise of 0.1-0.5 % of the signal. VVg has a time column
  (step time plus up to 20 ms per point). One sweep in five (decided by a stream of its own,
  ``default_rng([seed, chip, d, k, 1])``, so that no other file changes) repeats the cycle:
  2 or 3 forward-backward cycles one after the other (turning points not repeated; the
  ``Cycles`` setting and the truth's ``sweep_cycles`` say how many), every forward leg at the
  run's forward CNP and every backward leg at its backward CNP, with fresh noise from that
  stream.
* It runs at fixed Vg and V_DS, sampled every 1 s (three runs in four) or 0.5 s: dark 60 s, then
  1-3 times light 60 s followed by dark, 180 s between lights and ``max(180 s, 3.5 tau)`` (in
  10 s steps) after the last, so every It run has a dark segment longer than 3 tau. The dark
  current is ``i_inf_a = V_DS / R(Vg)``; while the light is on the current is ``i_inf_a +
  photoresponse_a`` (a step at the first lit sample; photoresponse 3-15 % of the dark current,
  negative in 70 % of runs); at the first dark sample after light (``t_off``) a fast component
  has gone and the rest relaxes as a stretched exponential (Kohlrausch)::

      I(t) = i_inf_a + amplitude_a exp(-((t - t_off) / tau_s) ** beta)

  with ``amplitude_a`` = 0.5-0.9 x photoresponse_a, tau 10-200 s (log-uniform), beta 0.4-1.0.
  Gaussian noise of 0.02-0.05 % of the dark current per sample, as a source-measure unit
  gives at microamperes with about a second of integration.
  The first dark segment is flat at ``i_inf_a``. Noise 0.1-0.3 % of the dark current. The
  ``VL (V)`` column is the LED voltage while lit and 0 in the dark.

About one run in 60 is broken after simulation (its truth still describes the run):
``truncated`` cuts the file inside a table row, ``missing_metadata`` drops the procedure or
the chip-number line, ``non_numeric`` puts ``ERR``, ``--``, ``OVFL`` or an empty cell in one
table row.

Randomness comes only from the streams above, so a file depends on ``seed``, its chip, its
date's index and its run index (plus ``n_chips * runs_per_chip_day``, which spaces the start
times), never on the wall clock; the same inputs give byte-identical files.
"""

from __future__ import annotations

import math
import os
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import numpy as np
import pandas as pd

from shardflow.chips.runfiles import PROCEDURES, run_id
from shardflow.io import replace_atomically

E_CHARGE = 1.602176634e-19  # elementary charge, C
#: SiO2 gate-oxide thickness (nm) -> gate capacitance per area (F/cm^2), eps0 * 3.9 / t.
OXIDE_C_G = {90: 3.84e-8, 300: 1.15e-8}
BROKEN_KINDS = ("truncated", "missing_metadata", "non_numeric")
BROKEN_FRACTION = 1.0 / 60.0
MEASURED_FRACTION = 0.9
MULTI_CYCLE_FRACTION = 0.2
VG_START_V, VG_END_V = -30.0, 30.0
CNP_LIMITS_V = (-12.0, 15.0)
CNP_RELAXATION_DAYS = 20.0
LED_WAVELENGTHS_NM = (365, 385, 455, 505, 565, 660)
DAY_START_UTC = timedelta(hours=8)  # first run of a day; runs are spaced over 12 hours at most
#: Last seed word of the chip and chip-day streams. numpy's SeedSequence ignores trailing zero
#: words ([s, c] seeds like [s, c, 0, 0]), so the chip stream cannot be a bare [seed, chip]
#: without coinciding with run 0 of day 0; run indices stay below this value.
_STREAM = 2**32 - 1

#: Truth columns. Units: voltages V, mobility cm^2/(V s), n0 cm^-2, resistance ohm, W and L um,
#: c_g F/cm^2, times s, currents A. IVg/VVg columns are empty (NaN/NA) for It rows and the It
#: columns for IVg/VVg rows; ``segments`` counts all dark segments of an It run, the first
#: (before any light, flat) included.
TRUTH_COLUMNS = [
    "run_id",
    "date",
    "filename",
    "chip_number",
    "proc",
    "start_time_utc",
    "kind",
    "width_um",
    "length_um",
    "c_g_f_cm2",
    "v_cnp_fwd_v",
    "v_cnp_bwd_v",
    "hysteresis_v",
    "mobility_cm2_vs",
    "n0_cm2",
    "r_contact_ohm",
    "illuminated",
    "sweep_cycles",
    "tau_s",
    "beta",
    "i_inf_a",
    "amplitude_a",
    "segments",
    "photoresponse_a",
]


def device_resistance_ohm(
    vg_v: np.ndarray,
    v_cnp_v: float,
    *,
    mobility_cm2_vs: float,
    n0_cm2: float,
    r_contact_ohm: float,
    width_um: float,
    length_um: float,
    c_g_f_cm2: float,
) -> np.ndarray:
    """Two-terminal resistance (ohm) of a graphene channel at gate voltage ``vg_v`` (V).

    ``R = R_c + (L / W) / (e mu sqrt(n0^2 + (C_g (Vg - V_cnp) / e)^2))`` (module docstring).
    """
    n_cm2 = np.sqrt(n0_cm2**2 + (c_g_f_cm2 * (np.asarray(vg_v) - v_cnp_v) / E_CHARGE) ** 2)
    return r_contact_ohm + (length_um / width_um) / (E_CHARGE * mobility_cm2_vs * n_cm2)


def relaxation_current_a(
    t_since_off_s: np.ndarray, i_inf_a: float, amplitude_a: float, tau_s: float, beta: float
) -> np.ndarray:
    """Dark-current relaxation after the light turns off: ``i_inf + A exp(-(t / tau)^beta)`` (A).

    A stretched exponential (Kohlrausch); ``t_since_off_s`` counts from the first dark sample.
    """
    return i_inf_a + amplitude_a * np.exp(-((np.asarray(t_since_off_s) / tau_s) ** beta))


def demo_dates(start: str, n_days: int) -> list[str]:
    """``n_days`` consecutive calendar dates from ``start``, as ``'YYYY-MM-DD'`` strings."""
    first = date.fromisoformat(start)
    return [(first + timedelta(days=i)).isoformat() for i in range(n_days)]


def _log_uniform(rng: np.random.Generator, low: float, high: float) -> float:
    return float(np.exp(rng.uniform(np.log(low), np.log(high))))


def _chip(seed: int, chip: int) -> dict:
    """Chip properties and instrument settings, from the chip's own random stream."""
    rng = np.random.default_rng([seed, chip, _STREAM])
    oxide = int(rng.choice(list(OXIDE_C_G)))
    return {
        "width_um": float(rng.integers(10, 51)),
        "length_um": float(rng.integers(5, 51)),
        "c_g_f_cm2": OXIDE_C_G[oxide],
        "mobility_cm2_vs": _log_uniform(rng, 500.0, 5000.0),
        "n0_cm2": _log_uniform(rng, 1e11, 1e12),
        "r_contact_ohm": rng.uniform(200.0, 2000.0),
        "hysteresis_v": rng.uniform(0.5, 3.0),
        "cnp_start_v": rng.uniform(-4.0, 8.0),
        "trend_v": rng.uniform(-4.0, 4.0),
        "trend_days": rng.uniform(10.0, 40.0),
        "walk_v": rng.uniform(0.5, 1.0),
        "vds_v": float(rng.choice([0.05, 0.1, 0.2])),
        "ids_ua": float(rng.choice([1.0, 2.0, 5.0, 10.0])),
        "vg_step_v": float(rng.choice([0.2, 0.25, 0.5])),
        "step_time_s": float(rng.choice([0.1, 0.2, 0.3])),
        "vg_it_v": float(rng.choice([-10.0, 0.0, 10.0])),
    }


def _days(seed: int, chip: int, props: dict, n_days: int) -> tuple[np.ndarray, np.ndarray]:
    """(measured?, CNP in V) of the chip on each measurement day, from the chip-day streams."""
    measured = np.empty(n_days, dtype=bool)
    cnp = np.empty(n_days)
    walk, keep = 0.0, math.exp(-1.0 / CNP_RELAXATION_DAYS)
    for day in range(n_days):
        rng = np.random.default_rng([seed, chip, day, _STREAM])
        measured[day] = rng.random() < MEASURED_FRACTION
        walk = walk * keep + props["walk_v"] * rng.standard_normal()
        trend = props["trend_v"] * (1.0 - math.exp(-day / props["trend_days"]))
        cnp[day] = np.clip(props["cnp_start_v"] + trend + walk, *CNP_LIMITS_V)
    return measured, cnp


def _resistance(props: dict, vg_v: np.ndarray, v_cnp_v: float) -> np.ndarray:
    return device_resistance_ohm(
        vg_v,
        v_cnp_v,
        **{k: props[k] for k in ("mobility_cm2_vs", "n0_cm2", "r_contact_ohm", "width_um", "length_um", "c_g_f_cm2")},
    )


def _light(rng: np.random.Generator, on: bool) -> tuple[int, float]:
    """(LED wavelength nm, LED voltage V; 0 V when off)."""
    wavelength = int(rng.choice(LED_WAVELENGTHS_NM))
    return wavelength, round(float(rng.uniform(2.5, 4.5)), 1) if on else 0.0


def _sweep(
    rng: np.random.Generator, proc: str, props: dict, cnp_day: float, cycles_rng: np.random.Generator
) -> tuple[list, list, str, np.ndarray, dict]:
    """An IVg or VVg sweep of one or more forward-backward cycles: header settings, column
    labels, row format, table, truth. ``cycles_rng`` decides the cycles and draws the noise of
    the repeated ones, so that ``rng`` draws what a one-cycle sweep always drew."""
    step = props["vg_step_v"]
    n_fwd = int(round((VG_END_V - VG_START_V) / step)) + 1
    forward = np.round(np.linspace(VG_START_V, VG_END_V, n_fwd), 6)
    vg = np.concatenate([forward, forward[-2::-1]])
    illuminated = bool(rng.random() < 0.25)
    wavelength, led_v = _light(rng, illuminated)
    shift = -rng.uniform(1.0, 5.0) if illuminated else 0.0
    cnp_fwd = cnp_day + shift + 0.1 * rng.standard_normal()
    hysteresis = props["hysteresis_v"] * rng.uniform(0.9, 1.1)
    cnp_bwd = cnp_fwd - hysteresis
    resistance = np.concatenate([_resistance(props, vg[:n_fwd], cnp_fwd), _resistance(props, vg[n_fwd:], cnp_bwd)])
    noise = rng.uniform(0.001, 0.005) * rng.standard_normal(vg.size)
    settings = [
        ("VG start", f"{VG_START_V:g} V"),
        ("VG end", f"{VG_END_V:g} V"),
        ("VG step", f"{step:g} V"),
        ("Step time", f"{props['step_time_s']:g} s"),
        ("Sweep", "forward-backward"),
        ("Laser wavelength", f"{wavelength} nm"),
        ("Laser voltage", f"{led_v:g} V"),
    ]
    if proc == "IVg":
        settings.insert(0, ("Drain-Source voltage", f"{props['vds_v']:g} V"))
        table = np.column_stack([vg, props["vds_v"] / resistance * (1.0 + noise)])
        labels, row = ["Vg (V)", "I (A)"], "%.2f,%.6e\n"
    else:
        settings.insert(0, ("Drain current", f"{props['ids_ua']:g} uA"))
        dt = props["step_time_s"] + rng.uniform(0.0, 0.02, vg.size)
        t = np.concatenate([[0.0], np.cumsum(dt[:-1])])
        table = np.column_stack([vg, props["ids_ua"] / 1e6 * resistance * (1.0 + noise), t])
        labels, row = ["Vg (V)", "VDS (V)", "t (s)"], "%.2f,%.6e,%.3f\n"
    cycles = int(cycles_rng.integers(2, 4)) if cycles_rng.random() < MULTI_CYCLE_FRACTION else 1
    if cycles > 1:
        settings.append(("Cycles", str(cycles)))
        repeat = np.concatenate([vg[1:]] * (cycles - 1))
        cnp_of = np.concatenate([np.where(np.arange(vg.size) < n_fwd, cnp_fwd, cnp_bwd)[1:]] * (cycles - 1))
        r_more = _resistance(props, repeat, cnp_of)
        noise_more = cycles_rng.uniform(0.001, 0.005) * cycles_rng.standard_normal(repeat.size)
        if proc == "IVg":
            more = np.column_stack([repeat, props["vds_v"] / r_more * (1.0 + noise_more)])
        else:
            t_more = table[-1, 2] + np.cumsum(props["step_time_s"] + cycles_rng.uniform(0.0, 0.02, repeat.size))
            more = np.column_stack([repeat, props["ids_ua"] / 1e6 * r_more * (1.0 + noise_more), t_more])
        table = np.vstack([table, more])
    truth = {
        "v_cnp_fwd_v": cnp_fwd,
        "v_cnp_bwd_v": cnp_bwd,
        "hysteresis_v": cnp_bwd - cnp_fwd,
        "mobility_cm2_vs": props["mobility_cm2_vs"],
        "n0_cm2": props["n0_cm2"],
        "r_contact_ohm": props["r_contact_ohm"],
        "illuminated": illuminated,
        "sweep_cycles": cycles,
    }
    return settings, labels, row, table, truth


def _it(rng: np.random.Generator, props: dict, cnp_day: float) -> tuple[list, list, str, np.ndarray, dict]:
    """An It run under switched light: header settings, column labels, row format, table, truth."""
    dt = 1.0 if rng.random() < 0.75 else 0.5
    n_light = int(rng.integers(1, 4))
    tau = _log_uniform(rng, 10.0, 200.0)
    beta = rng.uniform(0.4, 1.0)
    wavelength, led_v = _light(rng, True)
    last_dark = max(180.0, 10.0 * math.ceil(3.5 * tau / 10.0))
    durations = [60.0] + [60.0, 180.0] * (n_light - 1) + [60.0, last_dark]
    edges = np.cumsum(durations)  # segment j covers [edges[j-1], edges[j]); odd j are lit
    t = np.arange(int(round(edges[-1] / dt))) * dt
    segment = np.searchsorted(edges, t, side="right")
    lit = segment % 2 == 1
    i_inf = props["vds_v"] / float(_resistance(props, props["vg_it_v"], cnp_day))
    photoresponse = (-1.0 if rng.random() < 0.7 else 1.0) * rng.uniform(0.03, 0.15) * i_inf
    amplitude = rng.uniform(0.5, 0.9) * photoresponse
    since_off = t - np.concatenate([[0.0], edges])[segment]
    current = np.where(
        lit,
        i_inf + photoresponse,
        np.where(segment == 0, i_inf, relaxation_current_a(since_off, i_inf, amplitude, tau, beta)),
    )
    current = current + rng.uniform(0.0002, 0.0005) * i_inf * rng.standard_normal(t.size)
    settings = [
        ("Drain-Source voltage", f"{props['vds_v']:g} V"),
        ("Gate voltage", f"{props['vg_it_v']:g} V"),
        ("Laser wavelength", f"{wavelength} nm"),
        ("Laser voltage", f"{led_v:g} V"),
        ("Sampling time", f"{dt:g} s"),
    ]
    table = np.column_stack([t, current, np.where(lit, led_v, 0.0)])
    truth = {
        "tau_s": tau,
        "beta": beta,
        "i_inf_a": i_inf,
        "amplitude_a": amplitude,
        "segments": n_light + 1,
        "photoresponse_a": photoresponse,
    }
    return settings, ["t (s)", "I (A)", "VL (V)"], "%.3f,%.6e,%.2f\n", table, truth


def _break(text: str, kind: str, rng: np.random.Generator) -> str:
    """The file text made broken in the way ``kind`` names (module docstring)."""
    lines = text.split("\n")
    first_row = next(i for i, line in enumerate(lines) if not line.startswith("#")) + 1
    n_rows = len(lines) - 1 - first_row
    row = first_row + int(rng.integers(n_rows // 3, (9 * n_rows) // 10))
    if kind == "truncated":
        offset = sum(len(line) + 1 for line in lines[:row])
        return text[: offset + int(rng.integers(1, len(lines[row])))]
    if kind == "missing_metadata":
        prefix = "#Procedure:" if rng.random() < 0.5 else "#\tChip number:"
        return "\n".join(line for line in lines if not line.startswith(prefix))
    cells = lines[row].split(",")
    cells[int(rng.integers(len(cells)))] = str(rng.choice(["ERR", "--", "OVFL", ""]))
    lines[row] = ",".join(cells)
    return "\n".join(lines)


def _file_text(
    proc: str, chip: int, start_unix_s: float, settings: list, labels: list, row: str, table: np.ndarray
) -> str:
    """The run file: PyMeasure-style ``#`` header, column line, rows formatted by ``row``."""
    header = [
        f"#Procedure: <demo_lab.procedures.{proc}>",
        "#Parameters:",
        "#\tChip group name: Demo",
        f"#\tChip number: {chip}",
        *(f"#\t{name}: {value}" for name, value in settings),
        "#Metadata:",
        f"#\tStart time: {start_unix_s:.3f}",
        "#Data:",
        ",".join(labels),
        "",
    ]
    return "\n".join(header) + (row * table.shape[0]) % tuple(table.ravel())


def write_demo_lab(
    raw_dir: str | os.PathLike, *, n_chips: int, dates: list[str], runs_per_chip_day: int, seed: int
) -> pd.DataFrame:
    """Write ``raw_dir/{date}/chip{NN}_{proc}_{KKK}.csv`` for every run; return the truth table.

    Chips are numbered 1..``n_chips``; each is measured on about 90 % of ``dates`` (strictly
    increasing ``'YYYY-MM-DD'`` strings), ``runs_per_chip_day`` runs a day, ``KKK`` the run's
    1-based number that day. Start times: 08:00 UTC plus the run's slot (chips in order, then
    runs) times ``min(1200 s, 12 h / (n_chips * runs_per_chip_day))``, plus up to half a slot.
    About ``n_chips * len(dates) * runs_per_chip_day * 0.9`` runs, a third of each procedure.
    Files are written atomically; the truth (:data:`TRUTH_COLUMNS`, module docstring for the
    model, rows sorted by ``run_id``) is returned, not written.
    """
    if n_chips < 1 or runs_per_chip_day < 1 or seed < 0:
        raise ValueError("n_chips and runs_per_chip_day must be positive and seed non-negative")
    try:
        days = [date.fromisoformat(d) for d in dates]
    except (TypeError, ValueError):
        days = []
    if [d.isoformat() for d in days] != list(dates) or any(b <= a for a, b in zip(days, days[1:])):
        raise ValueError(f"dates must be strictly increasing 'YYYY-MM-DD' strings, got {dates!r}")
    raw_dir = Path(raw_dir)
    slot_s = min(1200.0, 43200.0 / (n_chips * runs_per_chip_day))
    width = max(2, len(str(n_chips)))
    chips = {chip: _chip(seed, chip) for chip in range(1, n_chips + 1)}
    schedule = {chip: _days(seed, chip, props, len(dates)) for chip, props in chips.items()}
    rows = []
    for day_index, (day, day_date) in enumerate(zip(dates, days)):
        day_start = datetime.combine(day_date, datetime.min.time(), tzinfo=UTC) + DAY_START_UTC
        for chip, props in chips.items():
            measured, cnp = schedule[chip]
            if not measured[day_index]:
                continue
            for k in range(runs_per_chip_day):
                rng = np.random.default_rng([seed, chip, day_index, k])
                u = rng.random()
                kind = BROKEN_KINDS[int(u / BROKEN_FRACTION * 3)] if u < BROKEN_FRACTION else "ok"
                proc = PROCEDURES[(k + chip + day_index) % 3]
                slot = (chip - 1) * runs_per_chip_day + k
                start_s = round(day_start.timestamp() + (slot + rng.uniform(0.0, 0.5)) * slot_s, 3)
                if proc == "It":
                    settings, labels, row, table, truth = _it(rng, props, cnp[day_index])
                else:
                    cycles_rng = np.random.default_rng([seed, chip, day_index, k, 1])
                    settings, labels, row, table, truth = _sweep(rng, proc, props, cnp[day_index], cycles_rng)
                text = _file_text(proc, chip, start_s, settings, labels, row, table)
                if kind != "ok":
                    text = _break(text, kind, rng)
                filename = f"chip{chip:0{width}d}_{proc}_{k + 1:03d}.csv"
                data = text.encode()
                replace_atomically(raw_dir / day / filename, lambda tmp, data=data: tmp.write_bytes(data))
                rows.append(
                    {
                        "run_id": run_id(day, filename),
                        "date": day,
                        "filename": filename,
                        "chip_number": chip,
                        "proc": proc,
                        "start_time_utc": datetime.fromtimestamp(start_s // 1, tz=UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
                        "kind": kind,
                        "width_um": props["width_um"],
                        "length_um": props["length_um"],
                        "c_g_f_cm2": props["c_g_f_cm2"],
                        **truth,
                    }
                )
    truth = pd.DataFrame(rows, columns=TRUTH_COLUMNS)
    truth["segments"] = truth["segments"].astype("Int64")
    truth["sweep_cycles"] = truth["sweep_cycles"].astype("Int64")
    truth["illuminated"] = truth["illuminated"].astype("boolean")
    return truth.sort_values("run_id", ignore_index=True)
