"""What a pipeline says when its input yields no shard.

Every pipeline finds its shards by looking at a configured folder or file (date folders, date
files, ER files of the requested months, catalog rows). When that look finds nothing, the run
stops before any job with one message naming the config key, the path, what is there, and the
layout the pipeline expects; these helpers write that message the same way for every pipeline.
"""

from __future__ import annotations

import os


def folder_contents(path: str | os.PathLike, limit: int = 5) -> str:
    """A short description of what ``path`` holds: "it does not exist", "it is empty", or the
    number of entries and the first ``limit`` names in sorted order (folders marked with /)."""
    if not os.path.exists(path):
        return "it does not exist"
    if not os.path.isdir(path):
        return "it is a file, not a folder"
    names = sorted(os.listdir(path))
    if not names:
        return "it is empty"
    shown = [n + "/" if os.path.isdir(os.path.join(path, n)) else n for n in names[:limit]]
    more = f", ... ({len(names) - limit} more)" if len(names) > limit else ""
    return f"it holds {len(names)} entries ({', '.join(shown)}{more})"


def no_shards_message(key: str, path: str | os.PathLike, found: str, expected: str) -> str:
    """The one-line error of a pipeline with nothing to do: ``key = 'path': found; expected ...``."""
    return f"{key} = {str(path)!r}: {found}; expected {expected}"
