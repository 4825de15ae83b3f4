"""Real labelled images offline: Fashion-MNIST from Debian's ``dataset-fashion-mnist`` package.

    from fashion_mnist import load_fashion_mnist          # with tests/ on sys.path
    images, labels = load_fashion_mnist("train", classes=[0, 1, 7], per_class=30, seed=0)

``images`` are PIL RGB images upscaled (bilinear) to ``size`` pixels so a 224-px backbone sees them at its
native resolution; ``labels[i]`` is the position of the image's class in ``classes`` (0..len(classes)-1),
ready to train a K-class head. Class-major order (all of ``classes[0]``, then ``classes[1]``, ...); which
images of a class are picked depends only on ``seed``. The idx files are read with numpy and gzip.
"""

from __future__ import annotations

import functools
import gzip
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from PIL import Image

DATA_DIR = Path("/usr/share/datasets/fashion-mnist")

CLASS_NAMES = ["t-shirt/top", "trouser", "pullover", "dress", "coat", "sandal", "shirt", "sneaker", "bag", "ankle boot"]

_FILES = {
    "train": ("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz"),
    "test": ("t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"),
}


def available() -> bool:
    return all((DATA_DIR / f).is_file() for pair in _FILES.values() for f in pair)


def _read_idx(path: Path) -> np.ndarray:
    with gzip.open(path, "rb") as fh:
        raw = fh.read()
    zero, dtype_code, ndim = raw[0] << 8 | raw[1], raw[2], raw[3]
    if zero != 0 or dtype_code != 0x08:
        raise ValueError(f"{path} is not an unsigned-byte idx file")
    dims = [int.from_bytes(raw[4 + 4 * i : 8 + 4 * i], "big") for i in range(ndim)]
    data = np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * ndim)
    return data.reshape(dims)


@functools.lru_cache(maxsize=2)
def load_arrays(split: str) -> tuple[np.ndarray, np.ndarray]:
    """``(images uint8 [N,28,28], labels uint8 [N])`` of ``"train"`` (60000) or ``"test"`` (10000)."""
    if split not in _FILES:
        raise ValueError(f"split must be 'train' or 'test', got {split!r}")
    img_file, lbl_file = _FILES[split]
    images, labels = _read_idx(DATA_DIR / img_file), _read_idx(DATA_DIR / lbl_file)
    if images.shape[0] != labels.shape[0]:
        raise ValueError("image and label counts differ")
    return images, labels


def load_fashion_mnist(
    split: str, classes: Sequence[int], per_class: int, seed: int = 0, size: int = 224
) -> tuple[list[Image.Image], np.ndarray]:
    """``per_class`` random images of each Fashion-MNIST class id in ``classes`` (see CLASS_NAMES)."""
    images, labels = load_arrays(split)
    rng = np.random.default_rng(seed)
    out_images: list[Image.Image] = []
    out_labels: list[int] = []
    for position, cls in enumerate(classes):
        pool = np.flatnonzero(labels == cls)
        if per_class > pool.size:
            raise ValueError(f"class {cls} has only {pool.size} images in {split}")
        for i in np.sort(rng.choice(pool, size=per_class, replace=False)):
            img = Image.fromarray(images[i])
            if size != 28:
                img = img.resize((size, size), Image.Resampling.BILINEAR)
            out_images.append(img.convert("RGB"))
            out_labels.append(position)
    return out_images, np.asarray(out_labels, dtype=np.int64)
