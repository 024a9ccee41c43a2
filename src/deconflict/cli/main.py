"""The ``deconflict`` command line."""

from __future__ import annotations

import click


@click.group()
def main() -> None:
    """deconflict: lines, notices, screening and a verifiable log."""
