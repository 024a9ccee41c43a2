"""What every benchmark does with its report: name the command that made it, print it, keep it."""

from __future__ import annotations

import shlex
import sys
from collections.abc import Sequence

__all__ = ["command_line", "publish"]


def command_line(module: str, argv: Sequence[str] | None) -> str:
    """The command that reproduces this run."""
    if argv is None:
        return shlex.join(getattr(sys, "orig_argv", [sys.executable, *sys.argv]))
    return shlex.join(["python", "-m", module, *argv])


def publish(text: str, output: str | None) -> None:
    print(text)
    if output:
        with open(output, "w", encoding="utf-8") as out:
            out.write(text)
