"""What the frozen app relies on, checked fast in the development install:

- head training artifacts build, and train natively, in a process where ``import torch`` fails
  (the frozen app ships no torch);
- a backbone that must be exported there fails with a ModelUnavailable that says what to do;
- a ModelCache finds artifacts in a read-only bundled directory (the pre-exported default backbone the
  installer ships) through the same index lookups, and never writes to it.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from influx_desktop.errors import ModelUnavailable
from influx_desktop.models.cache import PREBUILT_DIR, ModelCache

NO_TORCH = "import sys\nfor _m in ('torch', 'torchvision'):\n    sys.modules[_m] = None\n"


def _run_without_torch(code: str, timeout: float = 120) -> dict:
    out = subprocess.run(
        [sys.executable, "-c", NO_TORCH + textwrap.dedent(code)], capture_output=True, text=True, timeout=timeout
    )
    assert out.returncode == 0, out.stderr[-3000:]
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_head_artifacts_build_and_train_without_torch(tmp_path):
    got = _run_without_torch(
        f"""
        import json
        import numpy as np
        from influx_desktop.models.cache import ModelCache
        from influx_desktop.models.local_training import evaluate_loss, train_head
        cache = ModelCache({str(tmp_path / "c")!r}, bundled=None)
        h = cache.head_artifacts(3, 1e-2)
        rng = np.random.default_rng(0)
        labels = np.arange(30) % 3
        features = rng.normal(size=(30, 1280)).astype(np.float32) + labels[:, None].astype(np.float32)
        p0 = np.zeros(3 * 1280 + 3, np.float32)
        p1 = train_head(h, p0, features, labels, epochs=3, batch_size=8)
        print(json.dumps({{
            "roles": [role for role, _ in h.items()],
            "loss0": evaluate_loss(h, p0, features, labels),
            "loss1": evaluate_loss(h, p1, features, labels),
            "torch": sys.modules.get("torch") is not None,
            "api": "onnxruntime.training.api" in sys.modules,
        }}))
        """
    )
    assert got["roles"] == ["training_model", "eval_model", "optimizer_model", "checkpoint"]
    assert got["api"] and not got["torch"]
    assert got["loss1"] < got["loss0"]


def test_head_artifacts_are_the_same_with_and_without_torch(tmp_path):
    """The torch-free import path must not change what is built (the browser caches by hash)."""
    code = """
        import json
        from influx_desktop.models.cache import ModelCache
        h = ModelCache({root!r}, bundled=None).head_artifacts(4, 3e-3)
        print(json.dumps({{role: a.sha256 for role, a in h.items()}}))
        """
    without = _run_without_torch(code.format(root=str(tmp_path / "a")))
    out = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code.format(root=str(tmp_path / "b")))],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    assert json.loads(out.stdout.strip().splitlines()[-1]) == without


def test_backbone_export_without_torch_names_the_way_out(tmp_path):
    got = _run_without_torch(
        f"""
        import json
        from influx_desktop.errors import ModelUnavailable
        from influx_desktop.models.cache import ModelCache
        try:
            ModelCache({str(tmp_path / "c")!r}, bundled=None).feature_extractor("efficientnet_lite0", True)
        except ModelUnavailable as exc:
            print(json.dumps({{"message": exc.message, "field": exc.field}}))
        """
    )
    assert got["field"] == "backbone"
    assert "PyTorch" in got["message"] and "EfficientNet" in got["message"]


# ---------------------------------------------------------------- bundled (prebuilt) directory


def _blob(directory: Path, data: bytes, suffix: str = ".onnx") -> dict:
    sha = hashlib.sha256(data).hexdigest()
    (directory / "blobs").mkdir(parents=True, exist_ok=True)
    (directory / "blobs" / f"{sha}{suffix}").write_bytes(data)
    return {"sha256": sha, "bytes": len(data), "file": f"{sha}{suffix}"}


def _bundled_dir(tmp_path: Path) -> tuple[Path, dict]:
    bundled = tmp_path / "prebuilt"
    entry = _blob(bundled, b"pretend this is an exported EfficientNet-Lite0" * 100)
    index = {"version": 1, "feature_extractors": {"efficientnet_lite0:pretrained": entry}, "heads": {}}
    (bundled / "index.json").write_text(json.dumps(index))
    return bundled, entry


def _snapshot(directory: Path) -> dict:
    return {str(p.relative_to(directory)): (p.stat().st_mtime_ns, p.stat().st_size) for p in directory.rglob("*")}


def _no_export(*_args, **_kwargs):
    raise AssertionError("the bundled artifact should have been used")


def test_bundled_feature_extractor_is_found_without_export_and_never_written(tmp_path, monkeypatch):
    bundled, entry = _bundled_dir(tmp_path)
    os.chmod(bundled, 0o555)  # read-only, as in an installed app
    before = _snapshot(bundled)
    try:
        cache = ModelCache(tmp_path / "own", bundled=bundled)
        monkeypatch.setattr(cache, "_export_backbone", _no_export)
        art = cache.feature_extractor("efficientnet_lite0", True, progress=_no_export)
        assert art.path == bundled / "blobs" / entry["file"] and art.sha256 == entry["sha256"]
        assert cache.artifact_by_sha256(entry["sha256"]) == art.path
        assert cache.bundled_feature_extractors() == ["efficientnet_lite0:pretrained"]
        # heads still go to the own root
        h = cache.head_artifacts(2, 1e-3)
        assert h.checkpoint.path.parent == tmp_path / "own" / "blobs"
        assert cache.artifact_by_sha256(h.training_model.sha256) == h.training_model.path
    finally:
        os.chmod(bundled, 0o755)
    assert _snapshot(bundled) == before


def test_own_root_is_searched_before_the_bundled_directory(tmp_path):
    bundled, _ = _bundled_dir(tmp_path)
    own = tmp_path / "own"
    mine = _blob(own, b"an export made on this machine" * 50)
    (own / "index.json").write_text(
        json.dumps({"version": 1, "feature_extractors": {"efficientnet_lite0:pretrained": mine}, "heads": {}})
    )
    art = ModelCache(own, bundled=bundled).feature_extractor("efficientnet_lite0", True)
    assert art.sha256 == mine["sha256"]


def test_a_corrupt_bundled_artifact_is_not_served(tmp_path, monkeypatch):
    bundled, entry = _bundled_dir(tmp_path)
    (bundled / "blobs" / entry["file"]).write_bytes(b"x" * entry["bytes"])  # same size, other bytes
    cache = ModelCache(tmp_path / "own", bundled=bundled)
    assert cache.artifact_by_sha256(entry["sha256"]) is None

    def refuse(backbone, pretrained, say):
        raise ModelUnavailable("no torch here", field="backbone")

    monkeypatch.setattr(cache, "_export_backbone", refuse)
    with pytest.raises(ModelUnavailable):
        cache.feature_extractor("efficientnet_lite0", True)


def test_default_bundled_directory_is_the_packages_prebuilt_folder(tmp_path):
    import influx_desktop

    assert PREBUILT_DIR == Path(influx_desktop.__file__).resolve().parent / "prebuilt"
    assert ModelCache(tmp_path / "c").bundled == PREBUILT_DIR
    assert ModelCache(tmp_path / "c", bundled=None).bundled is None
    assert not (tmp_path / "c" / "prebuilt").exists()


def _bundle(directory: Path, artifacts: dict) -> None:
    """A prebuilt folder holding real artifacts: ``{index key: Artifact}``."""
    (directory / "blobs").mkdir(parents=True)
    entries = {}
    for key, art in artifacts.items():
        (directory / "blobs" / art.path.name).write_bytes(art.path.read_bytes())
        entries[key] = {"sha256": art.sha256, "bytes": art.bytes, "file": art.path.name}
    (directory / "index.json").write_text(json.dumps({"version": 1, "feature_extractors": entries, "heads": {}}))


def test_int8_feature_extractor_builds_without_torch_from_the_bundled_float32_model(tmp_path, model_cache, extractor_without_map):
    """A torch-free build of the int8 variant from a bundled float32 model: no torch, same bytes."""
    bundled = tmp_path / "prebuilt"
    _bundle(bundled, {"efficientnet_lite0:pretrained": extractor_without_map})
    got = _run_without_torch(
        f"""
        import json
        from influx_desktop.models.cache import ModelCache
        art = ModelCache({str(tmp_path / "own")!r}, bundled={str(bundled)!r}).feature_extractor(
            "efficientnet_lite0", True, quantized=True)
        print(json.dumps({{
            "sha256": art.sha256, "dir": str(art.path.parent),
            "torch": sys.modules.get("torch") is not None,
            "ortmodule": sys.modules.get("onnxruntime.training.ortmodule") is not None,
        }}))
        """
    )
    assert not got["torch"] and not got["ortmodule"]
    assert got["dir"] == str(tmp_path / "own" / "blobs")
    # The same bytes as a build in this (torch-importing) process: the browser caches it by hash.
    assert got["sha256"] == model_cache.feature_extractor("efficientnet_lite0", True, quantized=True).sha256


#: The frozen app's imports: no torch, and no onnxruntime.quantization (the spec excludes it with sympy).
FROZEN = NO_TORCH + "for _m in ('onnxruntime.quantization', 'sympy'):\n    sys.modules[_m] = None\n"


def _run_frozen(code: str) -> dict:
    out = subprocess.run([sys.executable, "-c", FROZEN + textwrap.dedent(code)], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr[-3000:]
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_frozen_app_serves_the_shipped_int8_model_and_explains_a_missing_one(tmp_path, model_cache, extractor_without_map):
    """packaging/prebuild.py ships the default backbone's int8 variant, because the installers cannot make one."""
    int8 = model_cache.feature_extractor("efficientnet_lite0", True, quantized=True)
    shipped = tmp_path / "shipped"
    _bundle(shipped, {"efficientnet_lite0:pretrained": extractor_without_map, "efficientnet_lite0:pretrained:int8": int8})
    float32_only = tmp_path / "float32-only"
    _bundle(float32_only, {"efficientnet_lite0:pretrained": extractor_without_map})
    got = _run_frozen(
        f"""
        import json
        from influx_desktop.errors import ModelUnavailable
        from influx_desktop.models.cache import ModelCache
        art = ModelCache({str(tmp_path / "a")!r}, bundled={str(shipped)!r}).feature_extractor("efficientnet_lite0", True, quantized=True)
        try:
            ModelCache({str(tmp_path / "b")!r}, bundled={str(float32_only)!r}).feature_extractor("efficientnet_lite0", True, quantized=True)
            error = None
        except ModelUnavailable as exc:
            error = {{"message": exc.message, "field": exc.field}}
        print(json.dumps({{"sha256": art.sha256, "dir": str(art.path.parent), "error": error}}))
        """
    )
    assert got["sha256"] == int8.sha256 and got["dir"] == str(shipped / "blobs")
    assert got["error"]["field"] == "quantized_backbone"
    assert "int8" in got["error"]["message"] and "Untick" in got["error"]["message"]


def test_frozen_app_adds_the_feature_map_to_the_shipped_models(tmp_path, model_cache, extractor_without_map, extractor_artifact):
    """Sessions serve extractors with a feature map output (issue 16); the installers ship the files without
    it, and the frozen app (no torch, no onnxruntime.quantization) makes the same bytes from them."""
    int8 = model_cache.feature_extractor("efficientnet_lite0", True, quantized=True)
    int8_map = model_cache.feature_extractor("efficientnet_lite0", True, quantized=True, feature_map=True)
    shipped = tmp_path / "shipped"
    _bundle(shipped, {"efficientnet_lite0:pretrained": extractor_without_map, "efficientnet_lite0:pretrained:int8": int8})
    got = _run_frozen(
        f"""
        import json
        from influx_desktop.models.cache import ModelCache
        cache = ModelCache({str(tmp_path / "own")!r}, bundled={str(shipped)!r})
        arts = [cache.feature_extractor("efficientnet_lite0", True, quantized=q, feature_map=True) for q in (False, True)]
        print(json.dumps({{"sha256": [a.sha256 for a in arts], "dirs": [str(a.path.parent) for a in arts],
                          "torch": sys.modules.get("torch") is not None}}))
        """
    )
    assert got["sha256"] == [extractor_artifact.sha256, int8_map.sha256]
    assert got["dirs"] == [str(tmp_path / "own" / "blobs")] * 2 and not got["torch"]
