"""Zip files of images, as a facilitator uploads a test set: ``<class>/<n>.png`` entries.

One place for the tests, the browser harness and the benchmarks (all put tests/ on sys.path).
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterable


def png_bytes(image) -> bytes:
    """A PIL image as PNG file bytes."""
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def zip_bytes(entries: dict[str, bytes]) -> bytes:
    """A zip holding exactly these ``{name: bytes}`` entries, in this order."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return out.getvalue()


def class_folders_zip(labelled: Iterable[tuple[str, object]]) -> bytes:
    """``(class name, PIL image)`` pairs as a test set zip: ``<class>/<n>.png``, n counting from 0000."""
    return zip_bytes({f"{name}/{n:04d}.png": png_bytes(image) for n, (name, image) in enumerate(labelled)})
