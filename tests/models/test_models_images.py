"""Preprocessing: decode, orient, RGB, center-crop square, bilinear resize, normalise -> float32 [3,S,S]."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image

from influx_desktop.errors import InvalidInput
from influx_desktop.models.backbones import BACKBONES
from influx_desktop.models.images import preprocess, preprocess_batch

LITE = BACKBONES["efficientnet_lite0"]
MNV2 = BACKBONES["mobilenet_v2"]


def encode(img: Image.Image, fmt: str, **kw) -> bytes:
    buf = io.BytesIO()
    img.save(buf, format=fmt, **kw)
    return buf.getvalue()


def reference(img: Image.Image, backbone) -> np.ndarray:
    """The documented pipeline written out with plain PIL + numpy."""
    img = img.convert("RGB")
    w, h = img.size
    s = min(w, h)
    box = ((w - s) // 2, (h - s) // 2, (w - s) // 2 + s, (h - s) // 2 + s)
    img = img.crop(box).resize((backbone.input_size,) * 2, Image.BILINEAR)
    x = (np.asarray(img, np.float32) - np.array(backbone.mean, np.float32)) / np.array(backbone.std, np.float32)
    return x.transpose(2, 0, 1)


def test_shape_dtype_and_normalisation():
    x = preprocess(Image.new("RGB", (300, 200), (127, 255, 0)), LITE)
    assert x.shape == (3, 224, 224) and x.dtype == np.float32 and x.flags.c_contiguous
    np.testing.assert_allclose(x[0], 0.0)
    np.testing.assert_allclose(x[1], 1.0)
    np.testing.assert_allclose(x[2], -127 / 128)
    y = preprocess(Image.new("RGB", (50, 50), (124, 116, 104)), MNV2)
    np.testing.assert_allclose(y[:, 0, 0], (np.array([124, 116, 104]) - np.array(MNV2.mean)) / np.array(MNV2.std), rtol=1e-5)


def test_center_crop_keeps_the_middle_of_a_wide_image():
    arr = np.zeros((100, 300, 3), np.uint8)
    arr[:, :100] = (255, 0, 0)  # left third red
    arr[:, 100:200] = (0, 255, 0)  # middle green
    arr[:, 200:] = (0, 0, 255)  # right blue
    x = preprocess(Image.fromarray(arr), LITE)
    rgb = x * 128 + 127
    np.testing.assert_allclose(rgb[:, 112, 112], [0, 255, 0], atol=1e-4)
    np.testing.assert_allclose(rgb[:, 2, 2], [0, 255, 0], atol=1e-4)  # no red/blue anywhere
    tall = np.ascontiguousarray(arr.transpose(1, 0, 2))
    np.testing.assert_allclose(preprocess(Image.fromarray(tall), LITE) * 128 + 127, rgb.transpose(0, 2, 1), atol=1e-4)


def test_matches_the_documented_pipeline_on_odd_sizes_modes_and_encodings():
    rng = np.random.default_rng(0)
    for w, h in ((301, 207), (50, 81), (224, 224), (700, 224), (17, 23)):
        img = Image.fromarray(rng.integers(0, 256, (h, w, 3), dtype=np.uint8))
        for backbone in (LITE, MNV2):
            np.testing.assert_array_equal(preprocess(img, backbone), reference(img, backbone))
        np.testing.assert_array_equal(preprocess(encode(img, "PNG"), LITE), reference(img, LITE))
    gray = Image.fromarray(rng.integers(0, 256, (40, 60), dtype=np.uint8))
    x = preprocess(gray, LITE)
    np.testing.assert_array_equal(x[0], x[1])
    rgba = Image.fromarray(rng.integers(0, 256, (40, 60, 4), dtype=np.uint8), "RGBA")
    np.testing.assert_array_equal(preprocess(encode(rgba, "PNG"), LITE), reference(rgba, LITE))
    jpeg = encode(Image.fromarray(rng.integers(0, 256, (90, 120, 3), dtype=np.uint8)), "JPEG")
    np.testing.assert_array_equal(preprocess(jpeg, LITE), reference(Image.open(io.BytesIO(jpeg)), LITE))
    batch = preprocess_batch([gray, rgba], LITE)
    assert batch.shape == (2, 3, 224, 224)
    assert preprocess_batch([], LITE).shape == (0, 3, 224, 224)


def test_exif_orientation_is_applied_like_a_browser_does():
    arr = np.zeros((40, 80, 3), np.uint8)
    arr[:, :40] = 255  # left half white: a landscape picture
    img = Image.fromarray(arr)
    exif = Image.Exif()
    exif[0x0112] = 6  # "rotate 90 CW to display"
    data = encode(img, "JPEG", exif=exif.tobytes(), quality=95)
    shown = Image.open(io.BytesIO(data)).transpose(Image.Transpose.ROTATE_270)  # what a viewer displays
    shown = Image.fromarray(np.asarray(shown))  # plain pixels, no EXIF left
    np.testing.assert_array_equal(preprocess(data, LITE), preprocess(shown, LITE))
    assert not np.array_equal(preprocess(data, LITE), reference(Image.open(io.BytesIO(data)), LITE))


@pytest.mark.parametrize("data", [b"", b"not an image", b"\x89PNG\r\n\x1a\n" + b"\0" * 40, b"GIF89a"])
def test_undecodable_bytes_are_invalid_input(data):
    with pytest.raises(InvalidInput) as info:
        preprocess(data, LITE)
    assert info.value.field == "image"


def test_truncated_jpeg_is_invalid_input():
    data = encode(Image.new("RGB", (64, 64), (1, 2, 3)), "JPEG")
    with pytest.raises(InvalidInput):
        preprocess(data[: len(data) // 2], LITE)
