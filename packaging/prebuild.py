"""Export the backbones the installer ships into a prebuilt artifact folder (needs the dev install: torch).

    python packaging/prebuild.py packaging/build/prebuilt [efficientnet_lite0:pretrained ...]

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
# both; a study may want the untrained baseline): 13.5 MB each.
DEFAULT = ["efficientnet_lite0:pretrained", "efficientnet_lite0:random"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("backbones", nargs="*", default=DEFAULT, help="name:pretrained|random (default: %(default)s)")
    args = parser.parse_args(argv)

    from influx_desktop.models.cache import ModelCache
    from influx_desktop.models.features import FeatureExtractor

    import numpy as np

    wanted = []
    for item in args.backbones:
        name, _, mode = item.partition(":")
        if mode not in ("pretrained", "random", ""):
            parser.error(f"{item!r}: expected name:pretrained or name:random")
        wanted.append((name, mode != "random"))

    out: Path = args.out
    cache = ModelCache(out, bundled=None)
    keep = set()
    for name, pretrained in wanted:
        t0 = time.perf_counter()
        art = cache.feature_extractor(name, pretrained, progress=lambda msg: print(f"prebuild: {msg}", flush=True))
        features = FeatureExtractor(art.path).extract(np.zeros((1, 3, 224, 224), np.float32))
        assert features.shape[0] == 1, features.shape
        keep.add(art.path.name)
        print(f"prebuild: {name} ({'pretrained' if pretrained else 'random'}) {art.bytes / 1e6:.1f} MB "
              f"sha256 {art.sha256[:12]}… in {time.perf_counter() - t0:.1f} s", flush=True)

    # Ship only what was asked for: drop scratch files, locks and anything else an older run left.
    index = json.loads((out / "index.json").read_text())
    index["feature_extractors"] = {
        k: v for k, v in index["feature_extractors"].items()
        if (k.split(":")[0], k.split(":")[1] == "pretrained") in wanted
    }
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
