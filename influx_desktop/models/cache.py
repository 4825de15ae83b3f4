"""Content-addressed, immutable model artifacts on disk.

Layout under ``root``::

    index.json                  {"feature_extractors": {key: artifact}, "heads": {key: {role: artifact}}}
    blobs/<sha256>.onnx|.ckpt   the artifact files, never modified once written
    tmp/                        scratch space for builds; files move into blobs/ with os.replace

Artifacts depend only on (backbone, pretrained, quantized) or (feature_dim, K, learning rate, head graph
format), so each is built once and then served forever. A quantized (int8) feature extractor is made from the float32 one
(``quantize.py``, no torch) and indexed under its own key, ``<backbone>:<pretrained|random>:int8``. A cache hit reads only ``index.json`` and checks the file: it imports neither torch
nor ``onnxruntime.training``. Every write is temp file + ``os.replace``, so a crash never leaves a
half-written artifact or index. Builds hold a lock file so that two processes sharing a cache directory do
not build the same thing twice.

A cache may also have a read-only *bundled* directory with the same layout (``index.json`` + ``blobs/``):
artifacts built in advance and shipped with the app, by default ``influx_desktop/prebuilt/`` (the installer
build puts the exported default backbone there, so the frozen app, which has no torch, never exports).
Every lookup goes through the same index entries, first in ``root`` and then in the bundled directory;
nothing is ever written to the bundled directory. Head artifacts need no torch (see ``runtime.py``) and are
built on demand into ``root`` as before.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import math
import os
import re
import shutil
import tempfile
import threading
import time
import uuid
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterator

from influx_desktop.errors import InvalidInput, ModelUnavailable, StorageError
from influx_desktop.models.backbones import get_backbone
from influx_desktop.models.head import BIAS_NAME, FEATURE_DIM, LOGIT_OFFSET_NAME, WEIGHT_NAME
from influx_desktop.models.runtime import (  # noqa: F401 (import_torch_quietly re-exported)
    import_torch_quietly,
    import_training_artifacts,
    quiet_onnxruntime,
)

log = logging.getLogger(__name__)

OPSET = 17
#: ORT 1.19 refuses IR versions above 10; onnx 1.23 writes 14 into the generated optimizer model.
IR_VERSION = 8
#: The learning rate ORT-web's optimizer always feeds (it has no setLearningRate). The optimizer model
#: multiplies it by ``learning_rate / BASE_LEARNING_RATE`` so the effective rate is the configured one.
BASE_LEARNING_RATE = 1e-3
INDEX_VERSION = 1
#: The head training graph's format, part of its cache key: 2 added the ``logit_offset`` input (masked softmax).
HEAD_FORMAT = 2
#: Artifacts shipped with the app (the installer build fills it; absent in a source checkout).
PREBUILT_DIR = Path(__file__).resolve().parent.parent / "prebuilt"

_SHA_RE = re.compile(r"[0-9a-f]{64}")
#: Index-key suffix of a feature extractor's int8 variant: ``efficientnet_lite0:pretrained:int8``.
QUANTIZED_SUFFIX = ":int8"
_HEAD_ROLES = ("training_model", "eval_model", "optimizer_model", "checkpoint")
_HEAD_FILES = {
    "training_model": "training_model.onnx",
    "eval_model": "eval_model.onnx",
    "optimizer_model": "optimizer_model.onnx",
    "checkpoint": "checkpoint",
}


@dataclass(frozen=True)
class Artifact:
    path: Path
    sha256: str
    bytes: int

    def describe(self) -> dict:
        return {"sha256": self.sha256, "bytes": self.bytes}


@dataclass(frozen=True)
class HeadArtifacts:
    training_model: Artifact
    eval_model: Artifact
    optimizer_model: Artifact
    checkpoint: Artifact

    def items(self) -> list[tuple[str, Artifact]]:
        return [(role, getattr(self, role)) for role in _HEAD_ROLES]


def _sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _fsync_replace(src: Path, dst: Path) -> None:
    with open(src, "rb") as f:
        os.fsync(f.fileno())
    os.replace(src, dst)


_GENERATION_LOCK = threading.Lock()  # the patches below are process-global


@contextlib.contextmanager
def _artifact_generation() -> Iterator[None]:
    """Make generate_artifacts quiet and deterministic.

    - It optimises the graph with a fresh SessionOptions whose logger prints one INFO line per graph
      transformer, whatever the default severity: hand it options with severity ERROR.
    - It names generated values from a process-global counter (``onnx::loss::<n>``), so the same head
      built later in a process would get other names and another hash: restart the counter.
    """
    quiet_onnxruntime()
    import_training_artifacts()  # no torch: see runtime.py
    from onnxruntime.training.onnxblock import _graph_utils
    from onnxruntime.training.onnxblock import _training_graph_utils as tgu

    with _GENERATION_LOCK:
        _graph_utils._GRAPH_TOKEN = 0
        original = tgu.SessionOptions

        def quiet_options():
            opts = original()
            opts.log_severity_level = 3
            return opts

        tgu.SessionOptions = quiet_options
        try:
            yield
        finally:
            tgu.SessionOptions = original


_DEFAULT = object()


class ModelCache:
    def __init__(self, root: Path | str, bundled: Path | str | None = _DEFAULT) -> None:  # type: ignore[assignment]
        """``root``: the writable cache. ``bundled``: a read-only directory of prebuilt artifacts searched
        after ``root`` (default ``PREBUILT_DIR``; None: none)."""
        self.root = Path(root)
        self._blobs = self.root / "blobs"
        self._tmp = self.root / "tmp"
        self._index_path = self.root / "index.json"
        bundled = PREBUILT_DIR if bundled is _DEFAULT else bundled
        self.bundled = Path(bundled) if bundled is not None else None
        if self.bundled is not None and self.bundled.resolve() == self.root.resolve():
            self.bundled = None
        self._lock = threading.RLock()
        self._verified: set[tuple[str, str]] = set()
        try:
            self._blobs.mkdir(parents=True, exist_ok=True)
            self._tmp.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StorageError(f"Cannot create the model cache in {self.root}: {exc}.") from exc

    # ------------------------------------------------------------------ index

    def _read_index(self, index_path: Path | None = None) -> dict:
        index_path = index_path or self._index_path
        try:
            data = json.loads(index_path.read_text("utf-8"))
            if not isinstance(data, dict) or data.get("version") != INDEX_VERSION:
                raise ValueError("unknown index format")
        except FileNotFoundError:
            data = {}
        except (OSError, ValueError) as exc:
            log.warning("model cache index %s unreadable (%s); artifacts will be rebuilt", index_path, exc)
            data = {}
        data.setdefault("version", INDEX_VERSION)
        data.setdefault("feature_extractors", {})
        data.setdefault("heads", {})
        return data

    def _write_index(self, data: dict) -> None:
        tmp = self._tmp / f"index-{uuid.uuid4().hex}.json"
        tmp.write_text(json.dumps(data, indent=1, sort_keys=True), "utf-8")
        _fsync_replace(tmp, self._index_path)

    @contextlib.contextmanager
    def _build_lock(self) -> Iterator[None]:
        """Thread lock plus an exclusive lock file shared with other processes (``filelock``: flock on
        POSIX, msvcrt locking on Windows)."""
        from filelock import FileLock

        with self._lock, FileLock(self.root / ".lock"):
            yield

    def _indexes(self) -> Iterator[tuple[dict, Path]]:
        """Each index with its blobs folder, in lookup order: ``root``'s, then the bundled one's."""
        yield self._read_index(), self._blobs
        if self.bundled is not None and (self.bundled / "index.json").is_file():
            yield self._read_index(self.bundled / "index.json"), self.bundled / "blobs"

    def _find(self, section: str, key: str) -> object | None:
        """The artifact (feature extractors) or HeadArtifacts (heads) stored under ``key``, wherever it is."""
        for index, blobs in self._indexes():
            entry = index[section].get(key)
            found = self._head_from_entry(entry, blobs) if section == "heads" else self._artifact_from_entry(entry, blobs)
            if found is not None:
                return found
        return None

    def bundled_feature_extractors(self) -> list[str]:
        """Keys (``backbone:pretrained|random[:int8]``) of the feature extractors the bundled directory ships."""
        if self.bundled is None or not (self.bundled / "index.json").is_file():
            return []
        return sorted(self._read_index(self.bundled / "index.json")["feature_extractors"])

    def _artifact_from_entry(self, entry: object, blobs: Path | None = None) -> Artifact | None:
        """An index entry's artifact if its file is present and intact (full hash once per process)."""
        if not isinstance(entry, dict):
            return None
        sha, name, size = entry.get("sha256"), entry.get("file"), entry.get("bytes")
        if not (isinstance(sha, str) and _SHA_RE.fullmatch(sha) and isinstance(name, str) and isinstance(size, int)):
            return None
        path = (blobs or self._blobs) / Path(name).name
        try:
            if path.stat().st_size != size:
                return None
        except OSError:
            return None
        if (sha, str(path)) not in self._verified:
            if _sha256_file(path) != sha:
                log.warning("model cache file %s is corrupt; rebuilding", path)
                return None
            self._verified.add((sha, str(path)))
        return Artifact(path=path, sha256=sha, bytes=size)

    def _store(self, src: Path, suffix: str) -> dict:
        """Move a finished file into blobs/ under its hash; returns its index entry."""
        sha = _sha256_file(src)
        size = src.stat().st_size
        name = f"{sha}{suffix}"
        dst = self._blobs / name
        if dst.exists() and dst.stat().st_size == size:
            src.unlink()
        else:
            _fsync_replace(src, dst)
        self._verified.add((sha, str(dst)))
        return {"sha256": sha, "bytes": size, "file": name}

    # ------------------------------------------------------------------ lookups

    def artifact_by_sha256(self, sha: str) -> Path | None:
        """The file of a known artifact, or None. Looks only in the index; never builds a path from ``sha``."""
        if not isinstance(sha, str) or not _SHA_RE.fullmatch(sha):
            return None
        for index, blobs in self._indexes():
            entries = list(index["feature_extractors"].values())
            for group in index["heads"].values():
                if isinstance(group, dict):
                    entries.extend(group.values())
            for entry in entries:
                if isinstance(entry, dict) and entry.get("sha256") == sha:
                    art = self._artifact_from_entry(entry, blobs)
                    if art is not None:
                        return art.path
        return None

    # ------------------------------------------------------------------ feature extractor

    def feature_extractor(
        self,
        backbone_name: str,
        pretrained: bool = True,
        progress: Callable[[str], None] | None = None,
        quantized: bool = False,
    ) -> Artifact:
        """The backbone exported to ONNX: input ``"input"`` [N,3,S,S] -> ``"features"`` [N,D]. Built once.

        ``quantized``: its int8 QDQ variant (``quantize.py``), built from the float32 artifact (found or
        exported first) without torch, and stored under its own key (``<backbone>:<mode>:int8``).
        """
        backbone = get_backbone(backbone_name)
        key = f"{backbone.name}:{'pretrained' if pretrained else 'random'}"
        say = progress or (lambda _msg: None)
        if quantized:
            return self._quantized_feature_extractor(backbone, pretrained, key + QUANTIZED_SUFFIX, say)

        return self._feature_extractor_once(
            key,
            lambda: self._export_backbone(backbone, pretrained, say),
            say,
            starting=f"Preparing {backbone.title} ({'pretrained' if pretrained else 'random initialisation'})…",
            done=f"{backbone.title} is ready.",
        )

    def _quantized_feature_extractor(self, backbone, pretrained: bool, key: str, say: Callable[[str], None]) -> Artifact:
        hit = self._find("feature_extractors", key)
        if hit is not None:
            return hit  # type: ignore[return-value]
        # Outside the build lock: the float32 lookup takes it itself (its file lock is not re-entrant).
        fp32 = self.feature_extractor(backbone.name, pretrained, progress=say)
        return self._feature_extractor_once(
            key,
            lambda: self._quantize(backbone, fp32),
            say,
            starting=f"Making the smaller (int8) version of {backbone.title}…",
            done=f"The int8 version of {backbone.title} is ready.",
        )

    def _feature_extractor_once(
        self, key: str, build: Callable[[], dict], say: Callable[[str], None], starting: str, done: str
    ) -> Artifact:
        """Find ``key`` or build it under the cross-process build lock, then record it in the index."""
        hit = self._find("feature_extractors", key)
        if hit is not None:
            return hit  # type: ignore[return-value]
        with self._build_lock():
            hit = self._find("feature_extractors", key)  # another process may have built it meanwhile
            if hit is not None:
                return hit  # type: ignore[return-value]
            say(starting)
            t0 = time.perf_counter()
            entry = build()
            index = self._read_index()
            index["feature_extractors"][key] = entry
            self._write_index(index)
            log.info("built %s in %.1f s (%d bytes)", key, time.perf_counter() - t0, entry["bytes"])
            say(done)
            art = self._artifact_from_entry(entry)
            assert art is not None
            return art

    def _quantize(self, backbone, fp32: Artifact) -> dict:
        from influx_desktop.models.quantize import quantize_feature_extractor

        workdir = Path(tempfile.mkdtemp(prefix="quantize-", dir=self._tmp))
        try:
            out = workdir / "feature_extractor_int8.onnx"
            quantize_feature_extractor(fp32.path, out, backbone, IR_VERSION)
            return self._store(out, ".onnx")
        except ImportError:
            # The installers leave out onnxruntime.quantization (it imports sympy, ~80 MB) and ship the
            # int8 variants they offer prebuilt instead (packaging/prebuild.py).
            shipped = "; ".join(_describe_key(k) for k in self.bundled_feature_extractors()) or "none"
            raise ModelUnavailable(
                f"The smaller (int8) version of {backbone.title} is not prepared on this computer, and this "
                f"installation cannot make it. Ready with the app: {shipped}. Untick the smaller download, or "
                "prepare it once with the Python (pip) installation of InFL-UX Desktop on the same data folder.",
                field="quantized_backbone",
            ) from None
        except Exception as exc:
            raise ModelUnavailable(
                f"Making the int8 version of {backbone.title} failed: {exc}", field="quantized_backbone"
            ) from exc
        finally:
            shutil.rmtree(workdir, ignore_errors=True)

    def _export_backbone(self, backbone, pretrained: bool, say: Callable[[str], None]) -> dict:
        import onnx

        try:
            import_torch_quietly()
            import torch
        except ImportError:
            shipped = "; ".join(_describe_key(k) for k in self.bundled_feature_extractors()) or "none"
            raise ModelUnavailable(
                f"{backbone.title} ({'pretrained' if pretrained else 'random initialisation'}) is not prepared "
                f"on this computer, and preparing it needs PyTorch, which this installation does not include. "
                f"Choose a backbone that comes ready with the app ({shipped}), or prepare this one once with "
                "the Python (pip) installation of InFL-UX Desktop on the same data folder.",
                field="backbone",
            ) from None

        say("Loading weights…")
        module = backbone.build(pretrained)  # raises ModelUnavailable with an actionable message
        module.eval()
        s = backbone.input_size
        dummy = torch.zeros(1, 3, s, s, dtype=torch.float32)
        workdir = Path(tempfile.mkdtemp(prefix="export-", dir=self._tmp))
        try:
            out = workdir / "feature_extractor.onnx"
            say("Exporting to ONNX…")
            with torch.no_grad(), warnings.catch_warnings():
                warnings.simplefilter("ignore")
                torch.onnx.export(
                    module,
                    (dummy,),
                    str(out),
                    dynamo=False,
                    opset_version=OPSET,
                    input_names=["input"],
                    output_names=["features"],
                    dynamic_axes={"input": {0: "N"}, "features": {0: "N"}},
                    do_constant_folding=True,
                )
            model = onnx.load(str(out))
            if model.ir_version > IR_VERSION:
                model.ir_version = IR_VERSION
            meta = {
                "influx.backbone": backbone.name,
                "influx.pretrained": "true" if pretrained else "false",
                "influx.input_size": str(s),
                "influx.mean": json.dumps(list(backbone.mean)),
                "influx.std": json.dumps(list(backbone.std)),
                "influx.feature_dim": str(backbone.feature_dim),
            }
            del model.metadata_props[:]
            for k, v in meta.items():
                model.metadata_props.add(key=k, value=v)
            onnx.save(model, str(out))
            return self._store(out, ".onnx")
        except ModelUnavailable:
            raise
        except Exception as exc:
            raise ModelUnavailable(f"Exporting the backbone {backbone.name!r} failed: {exc}", field="backbone") from exc
        finally:
            shutil.rmtree(workdir, ignore_errors=True)

    # ------------------------------------------------------------------ head training artifacts

    def head_artifacts(self, num_classes: int, learning_rate: float, feature_dim: int = FEATURE_DIM) -> HeadArtifacts:
        """ORT training artifacts for the head Linear(feature_dim -> K), masked cross-entropy, AdamW. Built once.

        ``training_model.onnx`` takes ``features`` [N, feature_dim], ``labels`` [N] (int64) and ``logit_offset``
        [K], added to the logits before the softmax cross-entropy (``_MaskedCrossEntropy``); so does the eval model.
        """
        if isinstance(num_classes, bool) or not isinstance(num_classes, int) or num_classes < 2:
            raise InvalidInput(f"The number of classes must be an integer of at least 2, got {num_classes!r}.", field="classes")
        try:
            lr = float(learning_rate)
        except (TypeError, ValueError):
            lr = float("nan")
        if not math.isfinite(lr) or not 0.0 < lr <= 1.0:
            raise InvalidInput(f"The learning rate must be a number in (0, 1], got {learning_rate!r}.", field="learning_rate")
        if isinstance(feature_dim, bool) or not isinstance(feature_dim, int) or feature_dim < 1:
            raise InvalidInput(f"Bad feature dimension {feature_dim!r}.", field="feature_dim")
        key = f"d{feature_dim}-k{num_classes}-lr{lr!r}-f{HEAD_FORMAT}"

        found = self._find("heads", key)
        if found is not None:
            return found  # type: ignore[return-value]
        with self._build_lock():
            found = self._find("heads", key)
            if found is not None:
                return found  # type: ignore[return-value]
            t0 = time.perf_counter()
            entries = self._build_head(num_classes, lr, feature_dim)
            index = self._read_index()
            index["heads"][key] = entries
            self._write_index(index)
            log.info("built head artifacts %s in %.2f s", key, time.perf_counter() - t0)
            found = self._head_from_entry(entries, self._blobs)
            assert found is not None
            return found

    def _head_from_entry(self, group: object, blobs: Path) -> HeadArtifacts | None:
        if not isinstance(group, dict):
            return None
        arts = {role: self._artifact_from_entry(group.get(role), blobs) for role in _HEAD_ROLES}
        if any(a is None for a in arts.values()):
            return None
        return HeadArtifacts(**arts)

    def _build_head(self, num_classes: int, lr: float, feature_dim: int) -> dict:
        import numpy as np
        import onnx
        from onnx import TensorProto, helper, numpy_helper

        quiet_onnxruntime()
        ort_artifacts = import_training_artifacts()  # torch-free, see runtime.py

        k = num_classes
        # Zero-valued initialisers: the real values always arrive through loadParametersBuffer.
        head = helper.make_graph(
            [helper.make_node("Gemm", ["features", WEIGHT_NAME, BIAS_NAME], ["logits"], transB=1)],
            "influx_head",
            [helper.make_tensor_value_info("features", TensorProto.FLOAT, ["N", feature_dim])],
            [helper.make_tensor_value_info("logits", TensorProto.FLOAT, ["N", k])],
            [
                numpy_helper.from_array(np.zeros((k, feature_dim), np.float32), WEIGHT_NAME),
                numpy_helper.from_array(np.zeros((k,), np.float32), BIAS_NAME),
            ],
        )
        model = helper.make_model(head, opset_imports=[helper.make_opsetid("", OPSET)], producer_name="influx-desktop")
        model.ir_version = IR_VERSION

        workdir = Path(tempfile.mkdtemp(prefix="head-", dir=self._tmp))
        try:
            with warnings.catch_warnings(), _artifact_generation():
                warnings.simplefilter("ignore")
                ort_artifacts.generate_artifacts(
                    model,
                    requires_grad=[WEIGHT_NAME, BIAS_NAME],
                    frozen_params=[],
                    loss=_masked_cross_entropy(k),
                    optimizer=ort_artifacts.OptimType.AdamW,
                    artifact_directory=str(workdir),
                    additional_output_names=["logits"],
                )
            for role in ("training_model", "eval_model", "optimizer_model"):
                path = workdir / _HEAD_FILES[role]
                m = onnx.load(str(path))
                m.ir_version = min(m.ir_version, IR_VERSION)
                if role == "optimizer_model":
                    _scale_learning_rate(m, lr / BASE_LEARNING_RATE)
                    m.metadata_props.add(key="influx.learning_rate", value=repr(lr))
                    m.metadata_props.add(key="influx.base_learning_rate", value=repr(BASE_LEARNING_RATE))
                onnx.save(m, str(path))
            return {
                role: self._store(workdir / _HEAD_FILES[role], ".ckpt" if role == "checkpoint" else ".onnx")
                for role in _HEAD_ROLES
            }
        finally:
            shutil.rmtree(workdir, ignore_errors=True)


def _masked_cross_entropy(num_classes: int):
    """The loss block: ``SoftmaxCrossEntropyLoss(logits + logit_offset, labels)``, mean over the batch.

    ``logit_offset`` [K] is a graph input after ``labels``. A participant feeds 0 for the classes in its
    training data and ``head.ABSENT_CLASS_OFFSET`` (−10000) for the others: their softmax probability is
    then exactly 0, so the rows of classes it has no photos of get exactly zero gradient and AdamW leaves
    them as they came. Local training on two classes no longer pushes the other classes' logits down.
    """
    from onnx import TensorProto, helper
    from onnxruntime.training import onnxblock
    from onnxruntime.training.onnxblock import _graph_utils

    class MaskedCrossEntropy(onnxblock.Block):
        def build(self, scores_input_name: str, labels_name: str = "labels") -> str:
            graph = self.base.graph
            graph.input.append(helper.make_tensor_value_info(labels_name, TensorProto.INT64, ["N"]))
            graph.input.append(helper.make_tensor_value_info(LOGIT_OFFSET_NAME, TensorProto.FLOAT, [num_classes]))
            masked = _graph_utils.generate_graph_name("influx_masked_logits")
            loss = _graph_utils.generate_graph_name("loss")
            log_prob = _graph_utils.generate_graph_name("log_prob")
            graph.node.append(helper.make_node("Add", [scores_input_name, LOGIT_OFFSET_NAME], [masked],
                                               name=_graph_utils.generate_graph_name("influx_logit_offset")))
            graph.node.append(helper.make_node("SoftmaxCrossEntropyLoss", [masked, labels_name], [loss, log_prob],
                                               reduction="mean",
                                               name=_graph_utils.generate_graph_name("SoftmaxCrossEntropyLoss")))
            return loss

    return MaskedCrossEntropy()


def _describe_key(key: str) -> str:
    """``efficientnet_lite0:pretrained`` -> ``EfficientNet-Lite0 (ImageNet, offline), pretrained``
    (``…:int8`` adds ``, int8``)."""
    name, _, mode = key.partition(":")
    mode, _, variant = mode.partition(":")
    try:
        title = get_backbone(name).title
    except InvalidInput:
        title = name
    return f"{title}, {'pretrained' if mode == 'pretrained' else 'random initialisation'}" + (f", {variant}" if variant else "")


def _scale_learning_rate(model, factor: float) -> None:
    """Insert ``learning_rate_scaled = Mul(learning_rate, factor)`` before the optimizer node(s)."""
    import numpy as np
    from onnx import helper, numpy_helper

    graph = model.graph
    if "learning_rate" not in [i.name for i in graph.input]:
        raise ModelUnavailable("The generated optimizer model has no 'learning_rate' input.")
    scaled = "influx_learning_rate_scaled"
    consumers = 0
    for node in graph.node:
        for i, name in enumerate(node.input):
            if name == "learning_rate":
                node.input[i] = scaled
                consumers += 1
    if consumers == 0:
        raise ModelUnavailable("Nothing in the generated optimizer model reads 'learning_rate'.")
    factor_const = helper.make_node(
        "Constant", [], ["influx_learning_rate_factor"],
        value=numpy_helper.from_array(np.array([factor], dtype=np.float32), "influx_learning_rate_factor"),
    )
    mul = helper.make_node("Mul", ["learning_rate", "influx_learning_rate_factor"], [scaled], name="influx_learning_rate_mul")
    nodes = [factor_const, mul, *graph.node]
    del graph.node[:]
    graph.node.extend(nodes)
