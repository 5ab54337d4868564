"""Described formats: how a lab's run files are laid out and where their metadata come from.

A lab's raw folder holds one folder per measurement day. Each *format* (a mapping, from the
config's ``chips.formats`` or from ``formats.yaml`` in the raw folder) says which files of
which day folders it takes and how to read them:

``name``
    a label (required), written into each run's settings as ``format``.
``folder``
    the day folders' names as a :func:`datetime.datetime.strptime` form, literal text
    allowed: ``"%Y-%m-%d"`` (the default), ``"ehewins_%d%m%Y"``, ``"run %d.%m.%y"``. The day
    parsed from the folder's name is the run's date.
``files``
    a glob over the file names inside such a folder (default ``"*.csv"``).
``reader``
    ``run_file`` (default: the instrument CSV with its ``#`` metadata block,
    :func:`.runfiles.read_run`), ``table`` (delimited text), ``spreadsheet`` (``.xlsx`` through
    openpyxl, ``.xls`` through xlrd, both by ``pandas.read_excel``) or ``ignore`` (files that
    are known not to be runs, such as a README: neither staged nor reported).
``proc``
    the procedure, ``IVg``, ``VVg`` or ``It``, unless the metadata give it.
``table``
    for ``table`` and ``spreadsheet``: ``delimiter`` (``","`` by default, ``whitespace`` for
    any run of spaces and tabs, or any other string), ``header`` (true: the first table line
    names the columns; false: no header line), ``comment`` (lines starting with it are
    skipped), ``skip_rows`` (lines, or spreadsheet rows, before the table), ``sheet``
    (spreadsheet: name or 0-based index, default the first).
``columns``
    canonical column (``vg_v``, ``i_a``, ``vds_v``, ``t_s``, ``vl_v``: see
    :data:`.runfiles.DATA_COLUMNS`) -> ``{name: <header name>}`` or ``{position: <1-based
    column number>}``, with ``unit`` (default the canonical unit: V, A or s) from which values
    are scaled (``uA`` -> A); a unit of another kind than the column's is an error.
``metadata``
    where the run's metadata come from, merged in this order (later wins): the file's own
    ``#`` block (``run_file`` only), ``constants`` (mapping of setting -> value, e.g.
    ``vds_v: 0.01``, ``chip_number: 1``), ``index`` (a sidecar CSV in the day folder with a
    ``file`` column and one column per setting, ``Name (unit)`` headers allowed), and
    ``pattern`` (a regular expression searched in the file's path relative to the raw folder,
    whose named groups are settings, e.g. ``CVD(?P<chip_number>\\d)F-.*-(?P<light>Dark|Light)``)
    with ``values`` mapping a group's text to a value (``light: {Dark: false, Light: true}``)
    and ``units`` giving a group's unit (``vds: mV`` reads ``50`` as 0.05 V).
    Names normalise as the ``#`` block's do (:mod:`.runfiles`: ``chip`` -> ``chip_number``,
    ``V_DS (V)`` -> ``vds_v``...). Without a start time the run starts at 00:00 UTC of the
    folder's day and gets the setting ``time_of_day_known: false`` (its consecutive pairs are
    flagged ``unknown_start_time``).
``light_from_steps``
    It runs only, for a table without a light column: the light state is found from abrupt
    steps of the current (:func:`.lightsteps.light_from_steps`); the switch times found are
    kept in the run's settings (``light_switches_s``).

A file of a day folder that no format takes, or that its format cannot read, is a staging
error naming the file and the reason. Errors in a description itself are
:class:`FormatError`, naming where the description came from.
"""

from __future__ import annotations

import fnmatch
import os
import re
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from types import MappingProxyType

import numpy as np

from .runfiles import (
    DATA_COLUMNS,
    PROCEDURES,
    RunFile,
    RunFileError,
    _procedure,
    _setting,
    _start_time_utc,
    _unit,
    read_run,
    read_text,
    split_table,
)

#: File name of a raw folder's own format descriptions (used when chips.formats is empty).
FORMATS_FILE = "formats.yaml"
READERS = ("run_file", "table", "spreadsheet", "ignore")
#: Base-unit suffix of each canonical column (the part after the last ``_``).
_COLUMN_UNITS = {name: name.rsplit("_", 1)[1] for cols in DATA_COLUMNS.values() for name in cols}
_FORMAT_KEYS = {"name", "folder", "files", "reader", "proc", "table", "columns", "metadata", "light_from_steps"}
_TABLE_KEYS = {"delimiter", "header", "comment", "skip_rows", "sheet"}
_METADATA_KEYS = {"constants", "index", "pattern", "values", "units"}


class FormatError(ValueError):
    """A format description is invalid; the message names its source and what is wrong."""


@dataclass(frozen=True)
class Format:
    """One validated format description (keys in the module docstring)."""

    name: str
    folder: str = "%Y-%m-%d"
    files: str = "*.csv"
    reader: str = "run_file"
    proc: str | None = None
    table: dict = field(default_factory=dict)
    columns: dict = field(default_factory=dict)
    metadata: dict = field(default_factory=dict)
    light_from_steps: bool = False

    def folder_date(self, name: str) -> str | None:
        """The ISO date (``YYYY-MM-DD``) of a day folder's name, or None if it does not fit."""
        try:
            return datetime.strptime(name, self.folder).date().isoformat()
        except ValueError:
            return None

    def takes(self, folder_name: str, file_name: str) -> bool:
        """Whether this format reads ``file_name`` of the day folder ``folder_name``."""
        return self.folder_date(folder_name) is not None and fnmatch.fnmatchcase(file_name, self.files)

    def as_dict(self) -> dict:
        """The description as plain data (what :func:`parse_formats` takes back)."""
        return {k: getattr(self, k) for k in sorted(_FORMAT_KEYS)}


#: The format a raw folder without descriptions is read with: the instrument CSVs.
DEFAULT_FORMAT = Format(name="run_file")


def _check_keys(source: str, where: str, given: dict, allowed: set) -> None:
    unknown = sorted(set(given) - allowed)
    if unknown:
        raise FormatError(
            f"{source}: {where}: unknown key(s) {', '.join(unknown)}; allowed: {', '.join(sorted(allowed))}"
        )


def _column_spec(source: str, where: str, canonical: str, spec) -> dict:
    if not isinstance(spec, dict) or len({"name", "position"} & set(spec)) != 1:
        raise FormatError(f"{source}: {where}: column {canonical!r} needs exactly one of name or position")
    _check_keys(source, f"{where}: column {canonical!r}", spec, {"name", "position", "unit"})
    if "position" in spec and not (isinstance(spec["position"], int) and spec["position"] >= 1):
        raise FormatError(f"{source}: {where}: column {canonical!r}: position counts from 1")
    unit = str(spec.get("unit", _COLUMN_UNITS[canonical].upper() if canonical != "t_s" else "s"))
    if _unit(unit)[0] != _COLUMN_UNITS[canonical]:
        raise FormatError(f"{source}: {where}: column {canonical!r} is in {unit!r}, not a unit of {canonical}")
    return {**spec, "unit": unit}


def parse_formats(descriptions: list, source: str) -> list[Format]:
    """Validate format descriptions (plain mappings, e.g. from YAML) into :class:`Format`s.

    ``source`` names where they came from (the config key or the file) for the messages.
    Raises :class:`FormatError` for an unknown key, reader or procedure, a bad ``folder``
    form, a column without a name or position or with a unit of the wrong kind, a pattern
    that is not a regular expression, or a table/spreadsheet format that lacks a column its
    procedure needs.
    """
    if not isinstance(descriptions, list) or not descriptions:
        raise FormatError(f"{source}: expected a non-empty list of format descriptions")
    formats = []
    for number, d in enumerate(descriptions, start=1):
        where = f"format {number}"
        if not isinstance(d, dict) or not d.get("name"):
            raise FormatError(f"{source}: {where}: a mapping with a name is required")
        where = f"format {d['name']!r}"
        _check_keys(source, where, d, _FORMAT_KEYS)
        reader = d.get("reader", "run_file")
        if reader not in READERS:
            raise FormatError(f"{source}: {where}: reader {reader!r} is not one of {', '.join(READERS)}")
        proc = d.get("proc")
        if proc is not None and proc not in PROCEDURES:
            raise FormatError(f"{source}: {where}: proc {proc!r} is not one of {', '.join(PROCEDURES)}")
        folder = str(d.get("folder", "%Y-%m-%d"))
        if "%" not in folder:
            raise FormatError(f"{source}: {where}: folder {folder!r} has no strftime field (%Y, %m, %d...)")
        table = dict(d.get("table") or {})
        _check_keys(source, f"{where}: table", table, _TABLE_KEYS)
        metadata = dict(d.get("metadata") or {})
        _check_keys(source, f"{where}: metadata", metadata, _METADATA_KEYS)
        if "pattern" in metadata:
            try:
                re.compile(metadata["pattern"])
            except re.error as exc:
                raise FormatError(f"{source}: {where}: metadata pattern is not a regular expression: {exc}") from None
        columns = d.get("columns") or {}
        unknown = sorted(set(columns) - set(_COLUMN_UNITS))
        if unknown:
            raise FormatError(
                f"{source}: {where}: unknown column(s) {', '.join(unknown)}; known: {', '.join(sorted(_COLUMN_UNITS))}"
            )
        columns = {c: _column_spec(source, where, c, spec) for c, spec in columns.items()}
        light = bool(d.get("light_from_steps", False))
        if reader in ("table", "spreadsheet") and proc is not None:
            needed = [c for c in DATA_COLUMNS[proc] if c not in columns and not (light and c == "vl_v")]
            if needed:
                raise FormatError(f"{source}: {where}: {proc} needs the column(s) {', '.join(needed)}")
        if light and proc not in (None, "It"):
            raise FormatError(f"{source}: {where}: light_from_steps applies to It runs only")
        formats.append(
            Format(
                name=str(d["name"]),
                folder=folder,
                files=str(d.get("files", "*.csv")),
                reader=reader,
                proc=proc,
                table=table,
                columns=columns,
                metadata=metadata,
                light_from_steps=light,
            )
        )
    return formats


def load_formats(descriptions: list | None, raw_dir: str | os.PathLike) -> tuple[list[Format], str | None]:
    """The formats a raw folder is read with, and the descriptions file they came from.

    ``descriptions`` (the config's ``chips.formats``) win when not empty; otherwise
    ``{raw_dir}/formats.yaml`` when it exists (a list, or a mapping with a ``formats`` list);
    otherwise the instrument CSVs alone (:data:`DEFAULT_FORMAT`).
    """
    if descriptions:
        return parse_formats(list(descriptions), "config chips.formats"), None
    path = Path(raw_dir) / FORMATS_FILE
    if not path.is_file():
        return [DEFAULT_FORMAT], None
    import yaml

    try:
        loaded = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise FormatError(f"{path}: cannot read the format descriptions: {exc}") from None
    if isinstance(loaded, dict):
        loaded = loaded.get("formats")
    return parse_formats(loaded, str(path)), str(path)


def day_folders(formats: list[Format], raw_dir: str | os.PathLike) -> dict[str, str]:
    """ISO date -> day folder name, for every folder of ``raw_dir`` whose name a format's
    ``folder`` form parses. Two folders of one day are an error (their runs would mix)."""
    raw_dir = Path(raw_dir)
    days: dict[str, str] = {}
    if not raw_dir.is_dir():
        return days
    for entry in sorted(os.listdir(raw_dir)):
        if not (raw_dir / entry).is_dir():
            continue
        dates = {f.folder_date(entry) for f in formats} - {None}
        if len(dates) > 1:
            raise FormatError(f"{raw_dir / entry}: the formats read different days from this folder name: {dates}")
        if dates:
            date = dates.pop()
            if date in days:
                raise FormatError(f"{raw_dir}: folders {days[date]!r} and {entry!r} are both the day {date}")
            days[date] = entry
    return days


def index_files(formats: list[Format]) -> set[str]:
    """Names of the sidecar index files the formats read (taken, not reported as unmatched)."""
    return {f.metadata["index"] for f in formats if "index" in f.metadata}


def _setting_value(path: Path, key: str, value) -> tuple[str, object]:
    """A metadata setting normalised as a ``#`` block line ``key: value`` would be."""
    text = str(value).strip()
    if isinstance(value, bool) or text.lower() in ("true", "false"):
        text = text.capitalize()  # what the '#' block writes for a boolean
    match = re.match(r"^(.*?)\s*\(([^()]*)\)\s*$", key)
    if match:  # an index header "V_DS (V)": the unit goes with the value
        key, text = match.group(1), f"{text} {match.group(2)}"
    name, parsed = _setting(path, 0, key, text)
    if name == "proc":
        parsed = _procedure(path, 0, str(value))
    elif name == "start_time_utc":
        parsed = _start_time_utc(path, f" ({key})", str(value))
    return name, parsed


def _index_rows(path: Path, index_path: Path) -> dict:
    """The sidecar index row of ``path`` (by its ``file`` column), as raw (header, text) pairs."""
    import csv

    try:
        with index_path.open(encoding="utf-8-sig", newline="") as handle:
            rows = list(csv.DictReader(handle))
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise RunFileError(f"{path}: cannot read the index {index_path.name}: {exc}") from None
    matches = [row for row in rows if (row.get("file") or "").strip() == path.name]
    if len(matches) != 1:
        found = "no row" if not matches else f"{len(matches)} rows"
        raise RunFileError(f"{path}: the index {index_path.name} has {found} for this file (column 'file')")
    return {k.strip(): v.strip() for k, v in matches[0].items() if k and k.strip() != "file" and v and v.strip()}


def describe_metadata(fmt: Format, path: Path, raw_dir: Path, date: str, base: dict | None = None) -> dict:
    """The run's metadata from ``base`` (the ``#`` block), constants, index and path pattern."""
    meta = dict(base or {})
    sources: list[tuple[str, object]] = list((fmt.metadata.get("constants") or {}).items())
    if "index" in fmt.metadata:
        sources += list(_index_rows(path, path.parent / fmt.metadata["index"]).items())
    if "pattern" in fmt.metadata:
        relative = path.relative_to(raw_dir).as_posix()
        match = re.search(fmt.metadata["pattern"], relative)
        if match is None:
            raise RunFileError(f"{path}: the path {relative!r} does not match the format's pattern")
        values, units = fmt.metadata.get("values") or {}, fmt.metadata.get("units") or {}
        for group, text in match.groupdict().items():
            if text is not None:
                value = values.get(group, {}).get(text, text)
                sources.append((group, f"{value} {units[group]}" if group in units else value))
    for key, value in sources:
        name, parsed = _setting_value(path, str(key), value)
        meta[name] = parsed
    if fmt.proc and "proc" not in meta:
        meta["proc"] = fmt.proc
    if "start_time_utc" not in meta:
        meta["start_time_utc"] = f"{date}T00:00:00Z"
        meta["time_of_day_known"] = False
    missing = [label for key, label in (("chip_number", "chip number"), ("proc", "procedure")) if key not in meta]
    if missing:
        raise RunFileError(f"{path}: format {fmt.name!r} gives no {' and no '.join(missing)} for this file")
    return meta


def _text_table(fmt: Format, path: Path) -> tuple[list[str] | None, np.ndarray]:
    """(header names or None, rows x columns float array) of a delimited text file."""
    return split_table(
        path,
        read_text(path, "the file"),
        delimiter=fmt.table.get("delimiter", ","),
        header=fmt.table.get("header", True),
        comment=fmt.table.get("comment"),
        skip_rows=int(fmt.table.get("skip_rows", 0)),
    )


def _sheet_table(fmt: Format, path: Path) -> tuple[list[str] | None, np.ndarray]:
    """(header names or None, rows x columns float array) of a spreadsheet's sheet."""
    import pandas as pd

    has_header = fmt.table.get("header", True)
    try:
        frame = pd.read_excel(
            path,
            sheet_name=fmt.table.get("sheet", 0),
            header=0 if has_header else None,
            skiprows=int(fmt.table.get("skip_rows", 0)),
        )
    except Exception as exc:  # noqa: BLE001 -- openpyxl/xlrd raise many types for a damaged file
        raise RunFileError(f"{path}: cannot read the spreadsheet: {type(exc).__name__}: {exc}") from None
    frame = frame.dropna(how="all")
    header = [str(c).strip() for c in frame.columns] if has_header else None
    try:
        table = frame.to_numpy(dtype=float)
    except (TypeError, ValueError):
        for col in frame.columns:
            bad = pd.to_numeric(frame[col], errors="coerce").isna() & frame[col].notna()
            if bad.any():
                row = int(np.flatnonzero(bad.to_numpy())[0])
                raise RunFileError(f"{path}: column {col!r}, data row {row + 1}: non-numeric cell") from None
        raise
    if not len(table):
        raise RunFileError(f"{path}: the sheet has no rows")
    return header, table


def _pick_columns(fmt: Format, path: Path, header, table: np.ndarray, proc: str) -> dict[str, np.ndarray]:
    """The canonical columns of ``proc`` from the table, scaled to SI, read-only."""
    wanted = [c for c in DATA_COLUMNS[proc] if not (fmt.light_from_steps and c == "vl_v")]
    columns = {}
    for name in wanted:
        spec = fmt.columns.get(name)
        if spec is None:
            raise RunFileError(f"{path}: format {fmt.name!r} has no column {name!r}, which {proc} needs")
        if "position" in spec:
            i = spec["position"] - 1
            if i >= table.shape[1]:
                raise RunFileError(
                    f"{path}: column {spec['position']} ({name}) is missing; the table has {table.shape[1]}"
                )
        else:
            if header is None or spec["name"] not in header:
                raise RunFileError(f"{path}: no column {spec['name']!r} ({name}); the table has {header}")
            i = header.index(spec["name"])
        values = table[:, i]
        if not np.isfinite(values).all():
            row = int(np.flatnonzero(~np.isfinite(values))[0])
            raise RunFileError(f"{path}: column {name!r}, data row {row + 1}: non-finite value")
        _, multiplier, divisor = _unit(spec["unit"])
        column = values * multiplier / divisor
        column.flags.writeable = False
        columns[name] = column
    return columns


def read_described(fmt: Format, path: str | os.PathLike, raw_dir: str | os.PathLike, date: str) -> RunFile:
    """Read one file of the day ``date`` with its format into a :class:`.runfiles.RunFile`.

    Raises :class:`.runfiles.RunFileError` (message starting with the path) when the file
    cannot be read with the description or its metadata lack the chip number or procedure.
    """
    path, raw_dir = Path(path), Path(raw_dir)
    if fmt.reader == "run_file":
        run = read_run(path)
        if not fmt.metadata:
            return run
        meta = describe_metadata(fmt, path, raw_dir, date, base=run.meta)
        return RunFile(meta=meta, data=run.data)
    meta = describe_metadata(fmt, path, raw_dir, date)
    header, table = (_sheet_table if fmt.reader == "spreadsheet" else _text_table)(fmt, path)
    data = _pick_columns(fmt, path, header, table, meta["proc"])
    if meta["proc"] == "It" and fmt.light_from_steps:
        from .lightsteps import light_from_steps

        vl, switches = light_from_steps(data["t_s"], data["i_a"])
        vl.flags.writeable = False
        data["vl_v"] = vl
        meta["light_switches_s"] = [round(float(s), 6) for s in switches]
    meta["format"] = fmt.name
    ordered = {key: meta.pop(key) for key in ("chip_number", "proc", "start_time_utc")}
    if not isinstance(ordered["chip_number"], int):
        raise RunFileError(f"{path}: chip number {ordered['chip_number']!r} is not an integer")
    return RunFile(meta={**ordered, **meta}, data=MappingProxyType(data))
