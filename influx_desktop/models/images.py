"""Image preprocessing for a backbone; the browser client implements exactly the same steps.

``preprocess`` (here) and the webclient both do, in this order:

1. decode the file and apply its EXIF orientation (browsers draw images upright by default),
2. convert to RGB (alpha is dropped, greyscale is replicated),
3. center-crop to a square whose side is the shorter edge,
4. resize to ``S x S`` (``S = backbone.input_size``) with bilinear filtering,
5. normalise each channel on the 0..255 scale: ``x' = (x - mean[c]) / std[c]``,

and lay the result out as float32 CHW ``[3, S, S]``.
"""

from __future__ import annotations

import io
import warnings

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

from influx_desktop.errors import InvalidInput
from influx_desktop.models.backbones import Backbone

#: Refuse absurd decodes (decompression bombs) well before Pillow's own limit.
MAX_PIXELS = 64_000_000


def decode(data: bytes) -> Image.Image:
    """Decode image bytes with Pillow; InvalidInput when they are not a readable image."""
    if not isinstance(data, (bytes, bytearray, memoryview)) or len(data) == 0:
        raise InvalidInput("The image is empty.", field="image")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            img = Image.open(io.BytesIO(bytes(data)))
            if img.width * img.height > MAX_PIXELS:
                raise InvalidInput(
                    "The image is too large ({width}x{height} pixels).", field="image", width=img.width, height=img.height
                )
            img.load()
    except InvalidInput:
        raise
    except (
        UnidentifiedImageError,
        OSError,
        ValueError,
        SyntaxError,
        Image.DecompressionBombError,
        Image.DecompressionBombWarning,
    ) as exc:
        raise InvalidInput("The file is not an image this app can read ({error}).", field="image", error=str(exc)) from exc
    return img


def preprocess(image: Image.Image | bytes, backbone: Backbone) -> np.ndarray:
    """Decode (if bytes), orient, RGB, center-crop square, bilinear resize, normalise -> float32 [3,S,S]."""
    return normalise(square_image(image, backbone), backbone)


def square_image(image: Image.Image | bytes, backbone: Backbone) -> Image.Image:
    """Steps 1-4: the RGB ``S x S`` picture the backbone sees (what a heatmap is drawn over). ``preprocess``
    of it (stored as PNG, say) gives exactly the tensor ``preprocess`` of the original gives."""
    img = decode(image) if isinstance(image, (bytes, bytearray, memoryview)) else image
    if not isinstance(img, Image.Image):
        raise InvalidInput("Expected image bytes or a PIL image.", field="image")
    try:
        img = ImageOps.exif_transpose(img)
    except Exception:  # a broken EXIF block must not make a good picture unusable
        pass
    img = img.convert("RGB")
    w, h = img.size
    side = min(w, h)
    left, top = (w - side) // 2, (h - side) // 2
    img = img.crop((left, top, left + side, top + side))
    s = backbone.input_size
    if img.size != (s, s):
        img = img.resize((s, s), Image.Resampling.BILINEAR)
    return img


def normalise(square: Image.Image, backbone: Backbone) -> np.ndarray:
    """Step 5 and the layout: an RGB ``S x S`` picture -> float32 CHW ``[3,S,S]``."""
    x = np.asarray(square, dtype=np.float32)  # [S,S,3], 0..255
    mean = np.asarray(backbone.mean, dtype=np.float32)
    std = np.asarray(backbone.std, dtype=np.float32)
    x = (x - mean) / std
    return np.ascontiguousarray(x.transpose(2, 0, 1), dtype=np.float32)


def preprocess_batch(images, backbone: Backbone) -> np.ndarray:
    """``preprocess`` each image and stack -> [N,3,S,S]."""
    s = backbone.input_size
    arrays = [preprocess(im, backbone) for im in images]
    if not arrays:
        return np.zeros((0, 3, s, s), dtype=np.float32)
    return np.stack(arrays)
