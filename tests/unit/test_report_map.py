"""The report's map: the base layer from the installed datasets under the report's layers."""

from __future__ import annotations

import io

import numpy as np
from PIL import Image

from deconflict.adapters.report_map import SIZE_PX, render_map

DEIR_EZ_ZOR = (40.141, 35.336)  # on the Euphrates
OPEN_DESERT = (38.2, 33.4)  # no river, border or coast within 20 km


def _pixels(png: bytes, rgb: tuple[int, int, int]) -> int:
    image = Image.open(io.BytesIO(png)).convert("RGB")
    assert image.size == SIZE_PX
    near = np.abs(np.asarray(image, dtype=int) - np.array(rgb)).max(axis=2) <= 12
    return int(near.sum())


RIVER = (0x6F, 0xA8, 0xDC)


def test_the_euphrates_is_drawn_under_an_empty_report() -> None:
    assert _pixels(render_map([], DEIR_EZ_ZOR, 40_000.0, "Deir ez-Zor"), RIVER) > 200


def test_no_river_is_drawn_where_there_is_none() -> None:
    assert _pixels(render_map([], OPEN_DESERT, 40_000.0, "desert"), RIVER) == 0
