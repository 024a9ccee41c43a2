"""Where `cot serve` pushes: the settings a push takes or refuses, before any connection."""

from __future__ import annotations

from pathlib import Path

import pytest

from deconflict.adapters.tak import Push
from deconflict.domain.errors import InvalidInput


def test_a_tcp_push_ignores_a_password_from_the_environment() -> None:
    # DECONFLICT_TAK_PASSWORD may be set for every command; a plain TCP push has no use for it.
    push = Push("tcp://127.0.0.1:8087", password="atak")
    assert push.section()["COT_URL"] == "tcp://127.0.0.1:8087"


def test_a_tcp_push_refuses_certificates(tmp_path: Path) -> None:
    cert = tmp_path / "client.p12"
    cert.write_bytes(b"not read")
    with pytest.raises(InvalidInput, match="are for tls://"):
        Push("tcp://127.0.0.1:8087", cert=cert)
