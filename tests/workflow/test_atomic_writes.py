"""shardflow.io.replace_atomically: the whole file or the old one, and no litter from a writer
that was killed before its rename."""

from __future__ import annotations

from pathlib import Path

import pytest

from shardflow.io import replace_atomically


def test_a_failed_write_keeps_the_old_file_and_leaves_no_temporary_file(tmp_path):
    path = tmp_path / "shard.parquet"
    path.write_text("old")

    def fail(tmp: Path) -> None:
        tmp.write_text("half")
        raise OSError("disk full")

    with pytest.raises(OSError, match="disk full"):
        replace_atomically(path, fail)
    assert path.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["shard.parquet"]


def test_the_temporary_file_of_a_killed_writer_is_removed_by_the_next_write(tmp_path):
    path = tmp_path / "shard.parquet"
    (tmp_path / ".shard.parquet.tmp-12345").write_text("half")  # SIGKILL before the rename
    (tmp_path / ".other.parquet.tmp-12345").write_text("half")  # another job's: left alone
    replace_atomically(path, lambda tmp: tmp.write_text("new"))
    assert path.read_text() == "new"
    assert sorted(p.name for p in tmp_path.iterdir()) == [".other.parquet.tmp-12345", "shard.parquet"]
