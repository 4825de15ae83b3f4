"""Export the backbones the installer ships into a prebuilt artifact folder (needs the dev install: torch).

    python packaging/prebuild.py packaging/build/prebuilt [efficientnet_lite0:pretrained[:int8] ...]

The folder has ModelCache's layout (``index.json`` + ``blobs/``); the spec copies it to
``influx_desktop/prebuilt/`` inside the app, where ``ModelCache`` finds it (``PREBUILT_DIR``) without
exporting, so the frozen app (no torch) starts its first session offline at once.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import time
from pathlib import Path

# The default backbone, pretrained (the recommended start) and randomly initialised (the setup form offers
# both; a study may want the untrained baseline): 13.5 MB each. Plus the pretrained one's int8 variant
# (the setup form's "smaller download", 3.8 MB): the app cannot make it itself, because making it needs
# onnxruntime.quantization, which imports sympy (~80 MB), and the spec leaves both out.
DEFAULT = ["efficientnet_lite0:pretrained", "efficientnet_lite0:random", "efficientnet_lite0:pretrained:int8"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("backbones", nargs="*", default=DEFAULT, help="name:pretrained|random[:int8] (default: %(default)s)")
    args = parser.parse_args(argv)

    import numpy as np

    from influx_desktop.models.backbones import get_backbone
    from influx_desktop.models.cache import QUANTIZED_SUFFIX, ModelCache
    from influx_desktop.models.features import FeatureExtractor

    wanted = []
    for item in args.backbones:
        name, _, rest = item.partition(":")
        mode, _, variant = rest.partition(":")
        if mode not in ("pretrained", "random", "") or variant not in ("", "int8"):
            parser.error(f"{item!r}: expected name:pretrained or name:random, optionally followed by :int8")
        wanted.append((name, mode != "random", variant == "int8"))

    out: Path = args.out
    cache = ModelCache(out, bundled=None)
    keep = set()
    keys = set()
    for name, pretrained, quantized in wanted:
        t0 = time.perf_counter()
        art = cache.feature_extractor(
            name, pretrained, progress=lambda msg: print(f"prebuild: {msg}", flush=True), quantized=quantized
        )
        features = FeatureExtractor(art.path).extract(np.zeros((1, 3, 224, 224), np.float32))
        assert features.shape[0] == 1, features.shape
        keep.add(art.path.name)
        keys.add(
            f"{get_backbone(name).name}:{'pretrained' if pretrained else 'random'}" + (QUANTIZED_SUFFIX if quantized else "")
        )
        print(
            f"prebuild: {name} ({'pretrained' if pretrained else 'random'}{', int8' if quantized else ''}) "
            f"{art.bytes / 1e6:.1f} MB sha256 {art.sha256[:12]}… in {time.perf_counter() - t0:.1f} s",
            flush=True,
        )

    # Ship only what was asked for: drop scratch files, locks and anything else an older run left.
    index = json.loads((out / "index.json").read_text())
    # (An int8 build also exports its float32 source into the cache; it ships only if asked for.)
    index["feature_extractors"] = {k: v for k, v in index["feature_extractors"].items() if k in keys}
    index["heads"] = {}
    (out / "index.json").write_text(json.dumps(index, indent=1, sort_keys=True))
    for path in (out / "blobs").iterdir():
        if path.name not in keep:
            path.unlink()
    shutil.rmtree(out / "tmp", ignore_errors=True)
    (out / ".lock").unlink(missing_ok=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
