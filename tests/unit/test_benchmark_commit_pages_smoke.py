"""Smoke test of the pages-per-commit benchmark: with tiny numbers it prepares a store, files
notices one to a commit and several to a commit, and reports the write-ahead log's growth."""

from __future__ import annotations

from pathlib import Path

import pytest
from benchmarks.commit_pages import main


def test_a_commit_of_several_notices_writes_fewer_pages_per_notice_than_one_alone(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    alone, batched = main(
        ["--volumes", "200", "--hot-volumes", "20", "--notices", "24", "--batch", "8",
         "--workdir", str(tmp_path)]
    )  # fmt: skip
    assert (alone.notices_per_commit, batched.notices_per_commit) == (1, 8)
    # Each commit writes at least the log's last page and the object rows' pages.
    assert alone.frames_per_commit >= 2
    assert batched.frames_per_commit > alone.frames_per_commit
    assert batched.frames_per_notice < alone.frames_per_notice  # pages shared by the batch
    assert "| notices per commit | frames per commit |" in capsys.readouterr().out
