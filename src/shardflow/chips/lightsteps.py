"""Light state of a current time series whose light was switched by hand (no light column).

Method (:func:`light_from_steps`): the sample-to-sample changes ``d = diff(i)`` (A) of a
photocurrent series are noise except where the light switched, where the current jumps. The
noise scale is the median absolute deviation of ``d`` times 1.4826 (the standard deviation of
Gaussian noise). A change larger than ``k`` (default 8) noise scales is a candidate step;
candidates on consecutive samples are one step (their changes add up: a switch between two
samples can spread over two). Steps smaller than ``min_fraction`` (default 0.25) of the
largest step are dropped (a drift or a partial cover, not a switch). The run is taken to
start in the dark; the first step switches the light on and fixes the sign of "on" (graphene's
photoresponse can be negative), and each later step of the opposite sign to the step before it
toggles the state; a step of the same sign as the previous one is not a switch.

Limits: a run that starts under light is read inverted; switches closer together than two
samples, or steps within ``k`` noise scales (weak light, heavy filters), are missed; a fast
relaxation that jumps more than the switch itself would be taken for one. The switch time is
the time of the first sample after the step (known to one sampling interval).
"""

from __future__ import annotations

import numpy as np


def light_from_steps(
    t: np.ndarray, i: np.ndarray, *, k: float = 8.0, min_fraction: float = 0.25
) -> tuple[np.ndarray, np.ndarray]:
    """Light state (1.0 on, 0.0 off, one value per sample) and the switch times (s).

    Parameters
    ----------
    t : time (s), increasing; i : current (A); both finite, one value per sample.
    k : candidate threshold in noise scales; min_fraction : smallest step kept, as a fraction
        of the largest.
    """
    d = np.diff(i)
    state = np.zeros(len(i))
    if d.size < 2:
        return state, np.empty(0)
    scale = 1.4826 * float(np.median(np.abs(d - np.median(d))))
    big = np.flatnonzero(np.abs(d) > k * scale) if scale > 0 else np.flatnonzero(d != 0)
    steps = []  # (index of the first sample after the step, total change)
    for index in big:
        if steps and index == steps[-1][2] + 1:
            first, change, _ = steps[-1]
            steps[-1] = (first, change + d[index], index)
        else:
            steps.append((index + 1, d[index], index))
    if not steps:
        return state, np.empty(0)
    largest = max(abs(change) for _, change, _ in steps)
    switches, last_sign = [], 0.0
    for first, change, _ in steps:
        if abs(change) < min_fraction * largest or np.sign(change) == last_sign:
            continue
        switches.append(first)
        last_sign = np.sign(change)
    bounds = [*switches, len(i)]
    for number, (start, stop) in enumerate(zip(bounds[:-1], bounds[1:])):
        state[start:stop] = 1.0 if number % 2 == 0 else 0.0
    return state, np.asarray([t[s] for s in switches], dtype=float)
