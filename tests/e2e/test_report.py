"""Finding reports: the HTML opens in a real headless Chromium, the map is a real picture, and a
party's report holds nothing it may not see."""

from __future__ import annotations

import base64
import io
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from PIL import Image

from deconflict.adapters.report_map import SIZE_PX

from .test_cli import run

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
HIDDEN = (40.215, 35.395)  # the SDF position the coalition did not disclose to Russia


@pytest.fixture(scope="module")
def reports(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("reports")
    db = folder / "demo.sqlite"
    assert run("demo", "--db", str(db)).returncode == 0
    for reader in ((), ("--as", "russia"), ("--as", "coalition")):
        done = run(
            "incident", "report", "sdf-strike-0916", "--db", str(db), "--out", str(folder), *reader
        )
        assert done.returncode == 0, done.stderr
    return folder


def _embedded_map(html: str) -> Image.Image:
    data = re.search(r'id="map"[^>]*src="data:image/png;base64,([^"]+)"', html)
    assert data is not None
    return Image.open(io.BytesIO(base64.b64decode(data.group(1))))


def _not_blank(image: Image.Image) -> bool:
    colours = image.convert("RGB").getcolors(maxcolors=1_000_000)
    return colours is not None and len(colours) > 50


def test_the_map_is_a_real_picture_of_the_expected_size(reports: Path) -> None:
    image = _embedded_map((reports / "sdf-strike-0916.html").read_text())
    assert image.format == "PNG" and image.size == SIZE_PX
    assert _not_blank(image)
    assert Image.open(reports / "sdf-strike-0916.png").size == SIZE_PX


def test_the_report_lists_the_facts_with_their_sequence_numbers(reports: Path) -> None:
    html = (reports / "sdf-strike-0916.html").read_text()
    markdown = (reports / "sdf-strike-0916.md").read_text()
    for text in (html, markdown):
        assert "notice_covering" in text and "ru-strike-0916" in text and "stop_request" in text
        assert "sdf-ne-deir-ez-zor" in text  # the local operator sees everything
    assert "![map](sdf-strike-0916.png)" in markdown


def test_russias_report_holds_no_trace_of_the_undisclosed_position(reports: Path) -> None:
    html = (reports / "sdf-strike-0916-russia.html").read_text()
    markdown = (reports / "sdf-strike-0916-russia.md").read_text()
    for text in (html, markdown):
        assert "sdf-ne-deir-ez-zor" not in text
        assert "not disclosed to russia" in text
        numbers = set(re.findall(r"\d+\.\d+", text))
        assert not {f"{v:.3f}" for v in HIDDEN} & numbers
    # The coalition's own report does draw it; Russia's picture differs from it.
    assert (reports / "sdf-strike-0916-russia.png").read_bytes() != (
        reports / "sdf-strike-0916-coalition.png"
    ).read_bytes()


@pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is installed by .ci/run")
def test_the_report_opens_in_headless_chromium(reports: Path, tmp_path: Path) -> None:
    shot = tmp_path / "report.png"
    done = subprocess.run(
        [
            str(CHROMIUM),
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--no-first-run",
            f"--user-data-dir={tmp_path / 'profile'}",
            "--window-size=1100,1400",
            f"--screenshot={shot}",
            (reports / "sdf-strike-0916.html").as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert shot.exists(), done.stderr
    picture = Image.open(shot)
    assert picture.size == (1100, 1400) and _not_blank(picture)
