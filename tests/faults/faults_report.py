"""The fault suite's measurements: tests add counts with :func:`add`, the session prints them as
one table (``tests/faults/conftest.py``) and, when ``SHARDFLOW_FAULTS_JSON`` names a file,
writes them there as JSON (``benchmarks/faults_summary.py`` does that).

Rows are (fault, measure); columns are the pipelines. A measure is a fraction "a/b" (counts
summed over tests) or a plain count.
"""

from __future__ import annotations

import json
import os
import time
from collections import defaultdict
from pathlib import Path

#: Table rows in print order: (fault, measure, kind) with kind "ratio" or "count".
ROWS = [
    ("kill -9 of the whole workflow", "kills survived / trials", "ratio"),
    ("kill -9 of the whole workflow", "kills that landed while snakemake ran / trials", "ratio"),
    ("kill -9 of the whole workflow", "finished shards kept at the kill", "count"),
    ("kill -9 of the whole workflow", "shards running at the kill, then rerun", "count"),
    ("kill -9 of the whole workflow", "finished shards recomputed (target 0)", "count"),
    ("kill -9 of the whole workflow", "running shards kept: output existed, Snakemake skipped its marker", "count"),
    ("kill -9 of the whole workflow", "stale locks cleared by the plain rerun", "count"),
    ("crash mid-write", "crashes leaving no trusted output / crashes", "ratio"),
    ("crash mid-write", "half-written files left inside outputs marked incomplete", "count"),
    ("crash mid-write", "stray temp files left (untrusted, ignored)", "count"),
    ("MAST transient failures", "faults recovered by retries / injected", "ratio"),
    ("MAST transient failures", "targets downloaded intact / targets", "ratio"),
    ("corrupt or truncated inputs", "rejected with a message naming the file / tried", "ratio"),
    ("second snakemake while one runs", "refused with the lock error / started", "ratio"),
    ("second snakemake while one runs", "first runs finished with the reference tables / runs", "ratio"),
    ("malformed config", "schema errors naming the key / tried", "ratio"),
]

_counts: dict[tuple[str, str], dict[str, list[int]]] = defaultdict(lambda: defaultdict(lambda: [0, 0]))
_seconds: dict[str, float] = defaultdict(float)
_notes: list[str] = []


def add(fault: str, measure: str, pipeline: str, value: int, out_of: int = 0) -> None:
    """Add ``value`` (and ``out_of`` for a ratio) to the cell (fault, measure) x pipeline."""
    assert any(row[:2] == (fault, measure) for row in ROWS), (fault, measure)
    cell = _counts[(fault, measure)][pipeline]
    cell[0] += value
    cell[1] += out_of


def note(text: str) -> None:
    """A line printed under the table (a setting, e.g. the injected fault rate)."""
    if text not in _notes:
        _notes.append(text)


class timed:
    """Context manager adding its wall time to the fault's total."""

    def __init__(self, fault: str):
        self.fault = fault

    def __enter__(self):
        self.start = time.monotonic()

    def __exit__(self, *exc):
        _seconds[self.fault] += time.monotonic() - self.start


def pipelines() -> list[str]:
    seen: list[str] = []
    for cells in _counts.values():
        seen += [p for p in cells if p not in seen]
    return seen


def cell(fault: str, measure: str, kind: str, pipeline: str) -> str:
    value = _counts.get((fault, measure), {}).get(pipeline)
    if value is None:
        return "-"
    return f"{value[0]}/{value[1]}" if kind == "ratio" else str(value[0])


def lines() -> list[str]:
    """The summary table as text lines (empty when nothing was measured)."""
    names = pipelines()
    if not names:
        return []
    header = ["fault", "measure", *names, "wall s"]
    rows = []
    last_fault = None
    for fault, measure, kind in ROWS:
        if (fault, measure) not in _counts:
            continue
        shown = fault if fault != last_fault else ""
        wall = f"{_seconds[fault]:.0f}" if shown and fault in _seconds else ""
        rows.append([shown, measure, *(cell(fault, measure, kind, p) for p in names), wall])
        last_fault = fault
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    fmt = lambda r: "  ".join(v.ljust(w) for v, w in zip(r, widths)).rstrip()  # noqa: E731
    return [fmt(header), fmt(["-" * w for w in widths]), *map(fmt, rows), *_notes]


def as_json() -> dict:
    return {
        "pipelines": pipelines(),
        "rows": [
            {"fault": fault, "measure": measure, **{p: cell(fault, measure, kind, p) for p in pipelines()}}
            for fault, measure, kind in ROWS
            if (fault, measure) in _counts
        ],
        "wall_s": {fault: round(s, 1) for fault, s in _seconds.items()},
        "notes": list(_notes),
    }


def write_json() -> Path | None:
    path = os.environ.get("SHARDFLOW_FAULTS_JSON")
    if not path or not pipelines():
        return None
    Path(path).write_text(json.dumps(as_json(), indent=2) + "\n")
    return Path(path)
