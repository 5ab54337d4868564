"""Accuracy of the extractors against the truth of a generated lab (``demo.write_demo_lab``).

Targets (issue 3): the charge-neutrality point within 0.1 V of the truth for sweeps with
modulation R_max/R_min above 2; tau within 10 % and beta within 0.05 for relaxation segments
longer than 3 tau.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pandas as pd

from .metrics import REQUIRED_COLUMNS, SWEEP_SETTING, Settings
from .runfiles import read_run
from .sweeps import charge_neutrality_point, resistance_ohm, split_legs
from .transients import relaxation_fits


def demo_accuracy(raw_dir: str | os.PathLike, truth: pd.DataFrame, settings: Settings) -> dict:
    """CNP errors (V) of every leg (all cycles) of every readable sweep with modulation above 2, and tau
    and beta errors of every dark segment longer than 3 true tau, as fractions within the
    targets and worst cases; the extractors use the thresholds ``settings``."""
    raw_dir = Path(raw_dir)
    cnp_err, relax = [], []
    for row in truth[truth["kind"] == "ok"].itertuples():
        run = read_run(raw_dir / row.date / row.filename)
        if row.proc in SWEEP_SETTING:
            vg, measured = (np.asarray(run.data[c], dtype=float) for c in REQUIRED_COLUMNS[row.proc])
            r = resistance_ohm(row.proc, run.meta[SWEEP_SETTING[row.proc]], measured)
            for number, leg in enumerate(split_legs(vg), start=1):
                true = row.v_cnp_fwd_v if number % 2 else row.v_cnp_bwd_v
                cnp = charge_neutrality_point(vg[leg], r[leg], **settings.cnp_options())
                if cnp.r_max_ohm / cnp.r_min_ohm > 2:
                    cnp_err.append(cnp.cnp_v - true)
        else:
            t, i, vl = (np.asarray(run.data[c], dtype=float) for c in ("t_s", "i_a", "vl_v"))
            for seg in relaxation_fits(t, i, vl, **settings.relaxation_options()):
                if seg.fit is not None and t[seg.stop - 1] - t[seg.start] > 3 * row.tau_s:
                    relax.append((seg.fit.tau_s / row.tau_s - 1, seg.fit.beta - row.beta))
    cnp_err = np.abs(np.asarray(cnp_err))
    tau_err = np.abs(np.array([e[0] for e in relax]))
    beta_err = np.abs(np.array([e[1] for e in relax]))
    return {
        "cnp_legs": int(cnp_err.size),
        "cnp_within_0.1_v": float(np.mean(cnp_err <= 0.1)),
        "cnp_worst_v": float(cnp_err.max()),
        "relaxation_segments_longer_than_3_tau": int(tau_err.size),
        "tau_within_10_percent": float(np.mean(tau_err <= 0.1)),
        "beta_within_0.05": float(np.mean(beta_err <= 0.05)),
        "tau_worst_relative": float(tau_err.max()),
        "beta_worst": float(beta_err.max()),
    }
