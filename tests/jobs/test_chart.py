"""The digest chart is a real PNG that opens as an image, the same for the same payload."""

from __future__ import annotations

import io
import struct
from typing import Any

from matplotlib.image import imread

from jobs.chart import digest_png

PAYLOAD: dict[str, Any] = {
    "manager_id": "UMIA", "manager_name": "Mia", "week": "2030-W10",
    "people": [
        {"user_id": "UDANA", "name": "Dana", "in_progress": 2, "earned_this_week": 0, "earned": 0,
         "courses": [{"title": "Cloud Architecture", "percent": 40, "due_date": "2030-04-01"}]},
        {"user_id": "UERIN", "name": "Erin", "in_progress": 0, "earned_this_week": 1, "earned": 2, "courses": []},
    ],
    "top_gaps": [{"skill": "Kubernetes", "count": 2}, {"skill": "Communication", "count": 1}],
}


def size(png: bytes) -> tuple[int, int]:
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and png[12:16] == b"IHDR"
    width, height = struct.unpack(">II", png[16:24])
    return width, height


def test_the_chart_is_a_png_that_opens_as_an_image() -> None:
    png = digest_png(PAYLOAD)
    width, height = size(png)
    assert width > 0 and height > 0
    pixels = imread(io.BytesIO(png), format="png")
    assert pixels.shape[:2] == (height, width)
    assert len({tuple(p) for p in pixels.reshape(-1, pixels.shape[2])[::97]}) > 3  # bars, text: not blank


def test_the_chart_is_deterministic_and_grows_with_the_team() -> None:
    assert digest_png(PAYLOAD) == digest_png(PAYLOAD)
    bigger = {**PAYLOAD, "people": [{**PAYLOAD["people"][0], "user_id": f"U{i}", "name": f"Person {i}"}
                                    for i in range(12)]}
    assert size(digest_png(bigger))[1] > size(digest_png(PAYLOAD))[1]


def test_an_empty_team_still_draws() -> None:
    width, height = size(digest_png({"week": "2030-W10", "people": [], "top_gaps": []}))
    assert width > 0 and height > 0
