"""scripts/bundle_webclient.py: the app plus only the ORT training runtime, each with a gzip sibling."""
from __future__ import annotations

import gzip
import json
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
WEBCLIENT = REPO / "webclient"
sys.path.insert(0, str(REPO / "scripts"))

import bundle_webclient  # noqa: E402


def test_onnxruntime_web_is_pinned_exactly_in_package_json_and_lock():
    package = json.loads((WEBCLIENT / "package.json").read_text())
    assert package["dependencies"]["onnxruntime-web"] == "1.19.2"  # a range would pull 1.20+, which has no training
    lock = json.loads((WEBCLIENT / "package-lock.json").read_text())
    assert lock["packages"]["node_modules/onnxruntime-web"]["version"] == "1.19.2"


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    if not (WEBCLIENT / "node_modules" / "onnxruntime-web").is_dir():
        pytest.skip("run `npm ci` in webclient/ first")
    out = tmp_path_factory.mktemp("dist")
    bundle_webclient.build(WEBCLIENT, out)
    return out


def test_only_the_training_runtime_is_vendored(built: Path):
    vendor = built / "vendor" / "onnxruntime-web-1.19.2"
    names = sorted(p.name for p in vendor.iterdir() if not p.name.endswith(".gz"))
    assert names == ["ort-training-wasm-simd-threaded.mjs", "ort-training-wasm-simd-threaded.wasm", "ort.training.wasm.min.mjs"]


def test_app_files_are_copied_and_nothing_else(built: Path):
    files = {p.relative_to(built).as_posix() for p in built.rglob("*") if p.is_file() and not p.name.endswith(".gz")}
    assert {"index.html", "app.css", "src/main.js", "src/ort_runtime.js", "src/lib/preprocess.js", "src/lib/train_loop.js",
            "src/app/participant_app.js", "src/components/fl-test-results.js"} <= files
    assert not any("node_modules" in f or f.startswith("test/") or f.endswith("package.json") for f in files)


def test_gzip_siblings_decompress_to_the_original(built: Path):
    for rel in ["index.html", "src/main.js", "vendor/onnxruntime-web-1.19.2/ort-training-wasm-simd-threaded.wasm"]:
        original = (built / rel).read_bytes()
        packed = (built / (rel + ".gz")).read_bytes()
        assert gzip.decompress(packed) == original
        assert len(packed) < len(original)
    wasm = built / "vendor/onnxruntime-web-1.19.2/ort-training-wasm-simd-threaded.wasm"
    assert wasm.with_name(wasm.name + ".gz").stat().st_size < wasm.stat().st_size / 3


def test_every_module_the_app_imports_is_in_the_bundle(built: Path):
    import re

    for js in (built / "src").rglob("*.js"):
        for target in re.findall(r"""(?:import|from)\s*\(?\s*['"](\.[^'"]+)['"]""", js.read_text()):
            assert (js.parent / target).resolve().is_file(), f"{js.relative_to(built)} imports missing {target}"
