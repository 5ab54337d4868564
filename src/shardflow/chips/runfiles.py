"""Readers of the device lab's measurement files: instrument run CSVs and plain transfer curves.

Instrument run files
--------------------
The measurement software writes one CSV per run into one folder per date
(``{raw_dir}/{YYYY-MM-DD}/{name}.csv``), laid out as PyMeasure's ``Results`` files are: a header
of ``#`` lines, sections ``#Procedure:``, ``#Parameters:``, ``#Metadata:`` and ``#Data:``, one
setting per line as ``#<TAB>Name: value unit``, then a comma-separated table whose first line
names the columns as ``Name (unit)``::

    #Procedure: <demo_lab.procedures.IVg>
    #Parameters:
    #	Chip group name: Demo
    #	Chip number: 7
    #	Drain-Source voltage: 0.1 V
    #	VG start: -30 V
    #	VG end: 30 V
    #	VG step: 0.2 V
    #	Sweep: forward-backward
    #	Laser wavelength: 455 nm
    #	Laser voltage: 0 V
    #Metadata:
    #	Start time: 1741079553.412
    #Data:
    Vg (V),I (A)
    -30.00,1.234567e-04

The procedure is the last dotted name inside ``<...>`` (a bare ``IVg`` is accepted too) and must
be one of :data:`PROCEDURES`. Header lines without a value (section titles) or without a colon
are skipped.

Metadata keys (:attr:`RunFile.meta`) are normalised as follows:

* the name becomes snake_case (lower case, every run of other characters ``_``) and known
  spellings map to one name (:data:`_ALIASES`): ``Drain-Source voltage``/``VDS`` -> ``vds``,
  ``Drain current``/``Ids`` -> ``ids``, ``Laser wavelength`` -> ``wavelength``,
  ``Laser voltage``/``LED voltage``/``VL`` -> ``led_voltage``, ``Gate voltage`` -> ``vg``,
  ``Chip group name`` -> ``chip_group``;
* ``True``/``False`` become booleans; ``number [unit]`` becomes a float in the base unit, the
  key gets the unit's suffix (:data:`_UNITS`: ``5 uA`` -> ``ids_a = 5e-06``, ``455 nm`` ->
  ``wavelength_nm``, ``0.2 s`` -> ``_s``); a unitless number keeps its key unless the key has a
  known unit (:data:`_DEFAULT_UNITS`), which a number in another unit contradicts (an error);
  anything else stays a string;
* three keys are required: ``chip_number`` (an integer), ``proc`` and ``start_time_utc``. The
  start time is written as Unix seconds (what ``time.time()`` gives) or ISO 8601 (without an
  offset it is taken as UTC) and normalised to ``YYYY-MM-DDTHH:MM:SSZ``, rounded down to the
  second.

The table must hold the columns of :data:`DATA_COLUMNS` for the procedure (other columns are
ignored); column names normalise like metadata, so ``Vg (V)`` is ``vg_v`` and ``I (uA)`` is
``i_a`` in amperes. Every cell must be a finite number and every line must end with a newline:
a last line without one means the writer stopped mid-row. The table becomes
:attr:`RunFile.data`, a read-only mapping of column name to float64 numpy array (no pandas,
so that a staging job does not pay for importing it).

Plain transfer curves
---------------------
:func:`read_transfer_curve` reads a CSV with a one-line header and no metadata, such as a
Keithley 4200 export (``SourceI,DrainI,GateV`` in A, A, V), through a column mapping from the
canonical IVg columns to the file's column names; the caller supplies the metadata the file
lacks.

Errors are :class:`RunFileError`, whose message starts with the file path and gives the line
number wherever one applies. Reading a demo file takes about 0.4-0.6 ms (medians over 12,090
files: IVg 0.37 ms, VVg 0.46 ms, It 0.58 ms): the header is parsed line by line in Python, the
table by ``numpy.loadtxt``'s C parser, and only a table that fails that fast path is scanned
again line by line to say where and what is wrong.
"""

from __future__ import annotations

import hashlib
import io
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from types import MappingProxyType

import numpy as np

#: Measurement procedures: transfer curve at fixed V_DS, V_DS at fixed drain current, current
#: against time under switched illumination.
PROCEDURES = ("IVg", "VVg", "It")

#: Canonical table columns per procedure, in this order: gate voltage (V), drain current (A),
#: drain-source voltage (V), time since the run started (s), light-source voltage (V).
DATA_COLUMNS = {"IVg": ("vg_v", "i_a"), "VVg": ("vg_v", "vds_v", "t_s"), "It": ("t_s", "i_a", "vl_v")}

#: Canonical IVg column -> column name in a Keithley 4200 transfer-curve export.
TRANSFER_CURVE_COLUMNS = {"vg_v": "GateV", "i_a": "DrainI"}

#: Unit as written -> (key suffix, multiplier, divisor) to the base unit; dividing by an exact
#: power of ten keeps decimal values exact (``5 uA`` -> ``5 / 1e6 == 5e-06``).
_UNITS = {
    "V": ("v", 1, 1),
    "mV": ("v", 1, 1e3),
    "uV": ("v", 1, 1e6),
    "µV": ("v", 1, 1e6),
    "A": ("a", 1, 1),
    "mA": ("a", 1, 1e3),
    "uA": ("a", 1, 1e6),
    "µA": ("a", 1, 1e6),
    "nA": ("a", 1, 1e9),
    "pA": ("a", 1, 1e12),
    "s": ("s", 1, 1),
    "ms": ("s", 1, 1e3),
    "min": ("s", 60, 1),
    "h": ("s", 3600, 1),
    "Hz": ("hz", 1, 1),
    "kHz": ("hz", 1e3, 1),
    "nm": ("nm", 1, 1),
    "um": ("um", 1, 1),
    "µm": ("um", 1, 1),
    "W": ("w", 1, 1),
    "mW": ("w", 1, 1e3),
    "uW": ("w", 1, 1e6),
    "µW": ("w", 1, 1e6),
    "ohm": ("ohm", 1, 1),
    "Ohm": ("ohm", 1, 1),
    "Ω": ("ohm", 1, 1),
    "kohm": ("ohm", 1e3, 1),
    "kΩ": ("ohm", 1e3, 1),
}

#: snake_case header name -> canonical key (before the unit suffix).
_ALIASES = {
    "procedure": "proc",
    "chip": "chip_number",
    "chip_group_name": "chip_group",
    "start_time": "start_time_utc",
    "drain_source_voltage": "vds",
    "ds_voltage": "vds",
    "v_ds": "vds",
    "vsd": "vds",
    "v_sd": "vds",
    "drain_current": "ids",
    "laser_wavelength": "wavelength",
    "led_wavelength": "wavelength",
    "laser_voltage": "led_voltage",
    "vl": "led_voltage",
    "gate_voltage": "vg",
    "sweep_mode": "sweep",
}

#: Canonical key -> the unit suffix its value must have (a unitless number gets it).
_DEFAULT_UNITS = {
    "vds": "v",
    "ids": "a",
    "vg": "v",
    "wavelength": "nm",
    "led_voltage": "v",
    "vg_start": "v",
    "vg_end": "v",
    "vg_step": "v",
    "step_time": "s",
    "sampling_time": "s",
}

_NON_WORD = re.compile(r"[^0-9a-z]+")
_COLUMN_LABEL = re.compile(r"^(.*?)\s*\(([^()]*)\)\s*$")
_UNSAFE_ID = re.compile(r"[^A-Za-z0-9._-]")
_REQUIRED_META = (("chip_number", "Chip number"), ("proc", "Procedure"), ("start_time_utc", "Start time"))


class RunFileError(ValueError):
    """A run file cannot be used; the message starts with the file path and says what is wrong."""


@dataclass(frozen=True, eq=False)
class RunFile:
    """One measurement run.

    ``meta``: ``chip_number`` (int), ``proc`` (one of :data:`PROCEDURES`), ``start_time_utc``
    (``YYYY-MM-DDTHH:MM:SSZ``) and every other header setting under its normalised key (see the
    module docstring), e.g. ``vds_v``, ``ids_a``, ``wavelength_nm``, ``led_voltage_v``,
    ``vg_step_v``, ``sweep``, ``chip_group``.
    ``data``: read-only mapping (:class:`types.MappingProxyType`) of column name to a read-only
    1-D float64 numpy array, the columns :data:`DATA_COLUMNS` ``[proc]`` in that order, in SI
    units, all of :attr:`n_points` rows in file order (``run.data["vg_v"]``; ``dict(run.data)``
    is what ``pyarrow.table`` or ``pandas.DataFrame`` take).
    """

    meta: dict
    data: Mapping[str, np.ndarray]

    @property
    def n_points(self) -> int:
        """Number of table rows (samples) of the run."""
        return len(next(iter(self.data.values())))


def _snake(name: str) -> str:
    """``'Drain-Source voltage'`` -> ``'drain_source_voltage'``."""
    return _NON_WORD.sub("_", name.lower()).strip("_")


def _unit(unit: str) -> tuple[str, float, float]:
    """(key suffix, multiplier, divisor) to the base unit of a unit as written; an unknown unit
    keeps the value and becomes the suffix in snake_case (``degC`` -> ``degc``)."""
    return _UNITS.get(unit) or (_snake(unit), 1, 1)


def _key(base: str, suffix: str) -> str:
    """``base_suffix``, or ``base`` when the unit leaves no suffix (``%``)."""
    return f"{base}_{suffix}" if suffix else base


def _setting(path: Path, lineno: int, name: str, text: str) -> tuple[str, object]:
    """Normalised (key, value) of one header setting ``name: text`` (see the module docstring)."""
    base = _snake(name)
    base = _ALIASES.get(base, base)
    if base in ("proc", "start_time_utc", "chip_group", "sweep"):
        return base, text
    if text in ("True", "False"):
        return base, text == "True"
    parts = text.split()
    try:
        number = float(parts[0]) if len(parts) <= 2 else None
    except ValueError:
        number = None
    if base == "chip_number":
        if number is None or len(parts) != 1 or not number.is_integer():
            raise RunFileError(f"{path}, line {lineno}: chip number {text!r} is not an integer")
        return base, int(number)
    expected = _DEFAULT_UNITS.get(base)
    if number is None:
        if expected:
            raise RunFileError(f"{path}, line {lineno}: {name!r} = {text!r} is not a number with a unit")
        return base, text
    if len(parts) == 1:
        return (f"{base}_{expected}" if expected else base), number
    suffix, multiplier, divisor = _unit(parts[1])
    if expected and suffix != expected:
        raise RunFileError(f"{path}, line {lineno}: {name!r} is in {parts[1]!r}, expected a unit of {expected!r}")
    return _key(base, suffix), number * multiplier / divisor


def _start_time_utc(path: Path, where: str, text: str) -> str:
    """``YYYY-MM-DDTHH:MM:SSZ`` from Unix seconds or ISO 8601 (naive = UTC), rounded down to the second."""
    try:
        try:
            moment = datetime.fromtimestamp(float(text) // 1, tz=UTC)
        except ValueError:
            moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
            if moment.tzinfo is None:
                moment = moment.replace(tzinfo=UTC)
    except (ValueError, OverflowError, OSError) as exc:
        raise RunFileError(f"{path}{where}: start time {text!r} is neither Unix seconds nor ISO 8601 ({exc})") from None
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _procedure(path: Path, lineno: int, text: str) -> str:
    """``'<demo_lab.procedures.IVg>'`` or ``'IVg'`` -> ``'IVg'``; anything else not in PROCEDURES is an error."""
    proc = text.strip().strip("<>").rsplit(".", 1)[-1].strip()
    if proc not in PROCEDURES:
        raise RunFileError(
            f"{path}, line {lineno}: unknown procedure {text!r}; expected one of {', '.join(PROCEDURES)}"
        )
    return proc


def _column_keys(path: Path, lineno: int, header: str) -> list[tuple[str, float, float]]:
    """(canonical key, multiplier, divisor to the base unit) of each ``Name (unit)`` in the table's header line."""
    keys = []
    for label in header.split(","):
        match = _COLUMN_LABEL.match(label.strip())
        if match:
            suffix, multiplier, divisor = _unit(match.group(2).strip())
            keys.append((_key(_snake(match.group(1)), suffix), multiplier, divisor))
        else:
            keys.append((_snake(label), 1, 1))
    names = [key for key, _, _ in keys]
    duplicated = sorted({key for key in names if names.count(key) > 1})
    if duplicated:
        raise RunFileError(f"{path}, line {lineno}: duplicated column(s) {', '.join(duplicated)} in {header!r}")
    return keys


def _diagnose(path: Path, body: str, first_line: int, labels: list[str]) -> str:
    """Where and what is wrong with a table (no trailing newline) that the fast parser refused."""
    for offset, line in enumerate(body.split("\n")):
        lineno = first_line + offset
        fields = line.split(",")
        if len(fields) != len(labels):
            return (
                f"{path}, line {lineno}: {len(fields)} field(s), the table has {len(labels)} columns "
                f"({line!r}; a row cut short or a stray line)"
            )
        for label, field in zip(labels, fields):
            try:
                value = float(field)
            except ValueError:
                return f"{path}, line {lineno}, column {label!r}: non-numeric cell {field!r}"
            if not np.isfinite(value):
                return f"{path}, line {lineno}, column {label!r}: non-finite value {field!r}"
    return f"{path}, line {first_line}: the table cannot be parsed"


def _parse_table(path: Path, body: str, first_line: int, labels: list[str], *, need_newline: bool) -> np.ndarray:
    """Rows x columns float64 array of a comma-separated table starting on file line ``first_line``.

    Blank lines at the end are dropped. Fast path ``numpy.loadtxt`` (C parser); its result is
    accepted only if it has one row per line and every value is finite, otherwise
    :func:`_diagnose` names the line. With ``need_newline`` a last line without a newline is
    reported as truncation.
    """
    ends_with_newline = body.endswith("\n")
    body = body.rstrip("\n")  # blank lines after the last row are harmless
    if not body.strip():
        raise RunFileError(f"{path}, line {first_line}: the table has no rows (file truncated after its header?)")
    n_lines = body.count("\n") + 1
    if need_newline and not ends_with_newline:
        last = body.rsplit("\n", 1)[-1]
        raise RunFileError(
            f"{path}, line {first_line + n_lines - 1}: truncated: the file ends mid-row ({last!r} has no newline)"
        )
    try:
        table = np.loadtxt(io.StringIO(body), delimiter=",", comments=None, ndmin=2, dtype=np.float64)
    except ValueError:
        raise RunFileError(_diagnose(path, body, first_line, labels)) from None
    if table.shape != (n_lines, len(labels)) or not np.isfinite(table).all():
        raise RunFileError(_diagnose(path, body, first_line, labels))
    return table


def split_table(
    path: Path,
    text: str,
    *,
    delimiter: str = ",",
    header: bool = True,
    comment: str | None = None,
    skip_rows: int = 0,
    finite: bool = False,
) -> tuple[list[str] | None, np.ndarray]:
    """(header names or None, rows x columns float64 array) of a delimited text table: the
    described tables of :mod:`.formats` and :func:`read_transfer_curve`.

    ``delimiter`` is any string or ``"whitespace"`` (runs of blanks); the first ``skip_rows``
    lines, blank lines and lines starting with ``comment`` are skipped; with ``header`` the
    first line left is the column names. A row of another width, a cell that is not a number
    (named by line and column) and a table without rows are :class:`RunFileError`, and so is
    a ``nan`` or ``inf`` cell with ``finite``; otherwise values are taken as written.
    """
    split = (lambda line: line.split()) if delimiter == "whitespace" else (lambda line: line.split(delimiter))
    names, rows, width = None, [], None
    for lineno, line in enumerate(text.split("\n"), start=1):
        if lineno <= skip_rows or not line.strip():
            continue
        if comment and line.lstrip().startswith(comment):
            continue
        fields = [f.strip() for f in split(line.rstrip("\r"))]
        if header and names is None:
            names, width = fields, len(fields)
            continue
        if width is None:
            width = len(fields)
        if len(fields) != width:
            raise RunFileError(f"{path}, line {lineno}: {len(fields)} field(s), the table has {width}")
        try:
            values = [float(f) for f in fields]
        except ValueError:
            i = next(i for i, f in enumerate(fields) if not _is_float(f))
            raise RunFileError(
                f"{path}, line {lineno}, column {_name(names, i)}: non-numeric cell {fields[i]!r}"
            ) from None
        if finite and not np.isfinite(values).all():
            i = int(np.flatnonzero(~np.isfinite(values))[0])
            raise RunFileError(f"{path}, line {lineno}, column {_name(names, i)}: non-finite value {fields[i]!r}")
        rows.append(values)
    if not rows:
        raise RunFileError(f"{path}: the table has no rows")
    return names, np.asarray(rows, dtype=float)


def _name(names: list[str] | None, i: int) -> str:
    """Column ``i`` of a table as an error message names it: its header name, else its position."""
    return repr(names[i]) if names else str(i + 1)


def _is_float(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _columns(
    path: Path, lineno: int, table: np.ndarray, keys: list[tuple[str, float, float]], wanted, labels
) -> Mapping[str, np.ndarray]:
    """The ``wanted`` canonical columns of ``table``, scaled to the base units, as a read-only
    mapping of read-only contiguous float64 arrays (:attr:`RunFile.data`); a missing one is an error."""
    index = {key: i for i, (key, _, _) in enumerate(keys)}
    missing = [name for name in wanted if name not in index]
    if missing:
        raise RunFileError(
            f"{path}, line {lineno}: missing column(s) {', '.join(missing)}; the table has {', '.join(labels)}"
        )
    columns = {}
    for name in wanted:
        i = index[name]
        _, multiplier, divisor = keys[i]
        column = table[:, i] * multiplier / divisor if (multiplier, divisor) != (1, 1) else table[:, i].copy()
        column.flags.writeable = False
        columns[name] = column
    return MappingProxyType(columns)


def read_text(path: Path, what: str) -> str:
    """The file's text (UTF-8, a byte-order mark dropped), else a :class:`RunFileError` that names
    the file and ``what`` it was read as."""
    try:
        return path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise RunFileError(f"{path}: cannot read {what} as UTF-8 text: {exc}") from None


def read_run(path: str | os.PathLike) -> RunFile:
    """Read one instrument run CSV (format in the module docstring) into a :class:`RunFile`.

    Raises :class:`RunFileError` when the file cannot be read as text, a required metadata line
    (procedure, chip number, start time) is missing or invalid, the procedure is unknown, a
    column of :data:`DATA_COLUMNS` is missing, a cell is not a finite number, a row has the wrong
    number of fields, or the file ends mid-row (truncated).
    """
    path = Path(path)
    text = read_text(path, "the run file")

    meta: dict = {}
    seen: dict[str, int] = {}
    pos, lineno = 0, 1
    while text.startswith("#", pos):
        end = text.find("\n", pos)
        if end < 0:
            raise RunFileError(f"{path}, line {lineno}: truncated: the file ends inside its header")
        name, colon, value = text[pos + 1 : end].partition(":")
        value = value.strip()
        if colon and value:
            key, parsed = _setting(path, lineno, name.strip(), value)
            if key == "proc":
                parsed = _procedure(path, lineno, value)
            elif key == "start_time_utc":
                parsed = _start_time_utc(path, f", line {lineno}", value)
            if key in seen:
                raise RunFileError(f"{path}, line {lineno}: {name.strip()!r} repeats line {seen[key]}")
            seen[key] = lineno
            meta[key] = parsed
        pos, lineno = end + 1, lineno + 1

    missing = [label for key, label in _REQUIRED_META if key not in meta]
    if missing:
        raise RunFileError(f"{path}: missing metadata {', '.join(repr(m) for m in missing)} in the '#' header")
    end = text.find("\n", pos)
    if end < 0:
        raise RunFileError(f"{path}, line {lineno}: truncated: no complete table header after the metadata")
    header = text[pos:end]
    labels = [label.strip() for label in header.split(",")]
    keys = _column_keys(path, lineno, header)
    table = _parse_table(path, text[end + 1 :], lineno + 1, labels, need_newline=True)
    proc = meta["proc"]
    data = _columns(path, lineno, table, keys, DATA_COLUMNS[proc], labels)
    ordered = {key: meta.pop(key) for key, _ in _REQUIRED_META}
    return RunFile(meta={**ordered, **meta}, data=data)


def read_transfer_curve(
    path: str | os.PathLike,
    *,
    chip_number: int,
    start_time_utc: str,
    vds_v: float,
    columns: dict[str, str] = TRANSFER_CURVE_COLUMNS,
) -> RunFile:
    """Read a plain transfer-curve CSV (one header line, no metadata) as an IVg :class:`RunFile`.

    ``columns`` maps the canonical columns ``vg_v`` (gate voltage, V) and ``i_a`` (drain current,
    A) to the file's column names; the default fits a Keithley 4200 export (``SourceI, DrainI,
    GateV``). Values are taken as they are, in V and A, sign included; rows stay in file order
    (a single sweep leg unless the file says otherwise). ``start_time_utc`` accepts what a run
    file's start time does (Unix seconds or ISO 8601) and is normalised the same way; ``meta``
    is ``chip_number``, ``proc = 'IVg'``, ``start_time_utc`` and ``vds_v``.
    """
    path = Path(path)
    labels, table = split_table(path, read_text(path, "the transfer curve"), finite=True)
    unknown = sorted(set(columns) - set(DATA_COLUMNS["IVg"]))
    if unknown:
        raise ValueError(f"columns maps unknown canonical column(s) {', '.join(unknown)}")
    absent = [f"{file_name!r} ({canonical})" for canonical, file_name in columns.items() if file_name not in labels]
    if absent:
        raise RunFileError(f"{path}, line 1: no column {', '.join(absent)}; the file has {', '.join(labels)}")
    canonical_of = {file_name: canonical for canonical, file_name in columns.items()}
    keys = [(canonical_of.get(label, label), 1, 1) for label in labels]
    data = _columns(path, 1, table, keys, DATA_COLUMNS["IVg"], labels)
    meta = {
        "chip_number": int(chip_number),
        "proc": "IVg",
        "start_time_utc": _start_time_utc(path, " (start_time_utc argument)", str(start_time_utc)),
        "vds_v": float(vds_v),
    }
    return RunFile(meta=meta, data=data)


def run_id(date: str, filename: str) -> str:
    """Stable id of the run file ``{date}/{filename}``, safe as a path component.

    ``'{date}_{stem}'``, where ``stem`` is the file name without a ``.csv`` suffix (any case):
    ``run_id('2025-03-04', 'chip07_IVg_003.csv') == '2025-03-04_chip07_IVg_003'``. If the
    result holds characters other than letters, digits, ``.``, ``_`` and ``-`` (so never ``/``
    or ``=``), each becomes ``_`` and the first 8 hex digits of the BLAKE2b hash of
    ``'{date}/{filename}'`` are appended after a ``-``, keeping distinct files distinct.
    """
    stem = filename[:-4] if filename.lower().endswith(".csv") else filename
    readable = f"{date}_{stem}"
    safe = _UNSAFE_ID.sub("_", readable)
    if safe == readable:
        return readable
    digest = hashlib.blake2b(f"{date}/{filename}".encode(), digest_size=4).hexdigest()
    return f"{safe}-{digest}"
