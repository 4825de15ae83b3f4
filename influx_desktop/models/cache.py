"""``ModelCache``: every model file the app serves, built once and then found by key or by hash.

What is cached, and where it is made:

- the feature extractor of a backbone, float32 (``backbone_export.py``, needs torch), under the key
  ``<backbone>:<pretrained|random>``; its int8 variant (``quantize.py``, no torch), made from the float32
  one, under ``<backbone>:<pretrained|random>:int8``;
- each of those with its unpooled feature map as a second output (``feature_map.py``, no torch: graph
  surgery on the file without it), under the same key plus ``:map``. Sessions prepared since issue 16
  serve these; the files without the map stay indexed, so a session prepared before keeps its artifact;
- a head's training artifacts (``head_artifacts.py``, no torch), under ``head_artifacts.head_key``.

The files are content-addressed and immutable (``blob_store.py``: layout, atomic writes, the
cross-process build lock). A cache hit reads only ``index.json`` and checks the file: it imports neither
torch nor ``onnxruntime.training``.

A cache may also have a read-only *bundled* directory with the same layout (``index.json`` + ``blobs/``):
artifacts built in advance and shipped with the app, by default ``influx_desktop/prebuilt/`` (the installer
build puts the exported default backbone there, so the frozen app, which has no torch, never exports).
Every lookup goes through the same index entries, first in ``root`` and then in the bundled directory;
nothing is ever written to the bundled directory. Head artifacts need no torch (see ``runtime.py``) and are
built on demand into ``root`` as before.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from pathlib import Path

from influx_desktop.errors import InvalidInput, Label, ModelUnavailable, Text
from influx_desktop.models.backbone_export import export_backbone
from influx_desktop.models.backbones import Backbone, get_backbone
from influx_desktop.models.blob_store import Artifact, BlobStore
from influx_desktop.models.head import FEATURE_DIM
from influx_desktop.models.head_artifacts import HEAD_ROLES, HeadArtifacts, build_head_artifacts, head_key
from influx_desktop.models.runtime import IR_VERSION

log = logging.getLogger(__name__)

#: Artifacts shipped with the app (the installer build fills it; absent in a source checkout).
PREBUILT_DIR = Path(__file__).resolve().parent.parent / "prebuilt"
#: Index-key suffix of a feature extractor's int8 variant: ``efficientnet_lite0:pretrained:int8``.
QUANTIZED_SUFFIX = ":int8"
#: Index-key suffix of a feature extractor that also returns its feature map: ``efficientnet_lite0:pretrained:map``.
FEATURE_MAP_SUFFIX = ":map"
_FEATURE_EXTRACTORS, _HEADS = "feature_extractors", "heads"

_DEFAULT = object()


class ModelCache:
    def __init__(self, root: Path | str, bundled: Path | str | None = _DEFAULT) -> None:  # type: ignore[assignment]
        """``root``: the writable cache. ``bundled``: a read-only directory of prebuilt artifacts searched
        after ``root`` (default ``PREBUILT_DIR``; None: none)."""
        bundled = PREBUILT_DIR if bundled is _DEFAULT else bundled
        self._blobs = BlobStore(Path(root), (_FEATURE_EXTRACTORS, _HEADS), Path(bundled) if bundled is not None else None)
        self.root = self._blobs.root
        self.bundled = self._blobs.bundled

    def artifact_by_sha256(self, sha: str) -> Path | None:
        """The file of a known artifact, or None. Looks only in the index; never builds a path from ``sha``."""
        return self._blobs.path_by_sha256(sha)

    def bundled_feature_extractors(self) -> list[str]:
        """Keys (``backbone:pretrained|random[:int8]``) of the feature extractors the bundled directory ships."""
        return self._blobs.bundled_keys(_FEATURE_EXTRACTORS)

    # ------------------------------------------------------------------ feature extractor

    def feature_extractor(
        self,
        backbone_name: str,
        pretrained: bool = True,
        progress: Callable[[str], None] | None = None,
        quantized: bool = False,
        feature_map: bool = False,
    ) -> Artifact:
        """The backbone exported to ONNX: input ``"input"`` [N,3,S,S] -> ``"features"`` [N,D]. Built once.

        ``quantized``: its int8 QDQ variant (``quantize.py``), built from the float32 artifact (found or
        exported first) without torch, and stored under its own key (``<backbone>:<mode>:int8``).
        ``feature_map``: the same file plus a second output ``"feature_map"`` [N,D,h,w], the map that
        ``"features"`` averages (``feature_map.py``; what sessions serve since issue 16), made from the file
        without it and indexed under its key plus ``:map``. Its ``"features"`` are bit-identical.
        """
        backbone = get_backbone(backbone_name)
        key = f"{backbone.name}:{'pretrained' if pretrained else 'random'}"
        say = progress or (lambda _msg: None)
        if feature_map:
            return self._feature_map_variant(backbone, pretrained, quantized, say)
        if quantized:
            return self._quantized_feature_extractor(backbone, pretrained, key + QUANTIZED_SUFFIX, say)

        return self._feature_extractor_once(
            key,
            lambda: self._export_backbone(backbone, pretrained, say),
            say,
            starting=Text("Preparing {backbone} ({mode})…", backbone=Label(backbone.title), mode=_mode(pretrained)),
            done=Text("{backbone} is ready.", backbone=Label(backbone.title)),
        )

    def _feature_map_variant(self, backbone: Backbone, pretrained: bool, quantized: bool, say: Callable[[str], None]) -> Artifact:
        key = f"{backbone.name}:{'pretrained' if pretrained else 'random'}" + (QUANTIZED_SUFFIX if quantized else "")
        hit = self._blobs.find(_FEATURE_EXTRACTORS, key + FEATURE_MAP_SUFFIX, self._blobs.artifact)
        if hit is not None:
            return hit
        # Outside the build lock, like the int8 variant: finding or building the source takes it itself.
        source = self.feature_extractor(backbone.name, pretrained, progress=say, quantized=quantized, feature_map=False)
        return self._feature_extractor_once(
            key + FEATURE_MAP_SUFFIX,
            lambda: self._add_feature_map(source),
            say,
            starting=Text("Adding the feature map output to {backbone}…", backbone=Label(backbone.title)),
            done="",  # the source's "ready" (when it was built now) is said; this takes under a second
        )

    def _add_feature_map(self, source: Artifact) -> dict:
        from influx_desktop.models.feature_map import write_with_feature_map

        with self._blobs.workdir("feature-map-") as workdir:
            out = workdir / "feature_extractor.onnx"
            write_with_feature_map(source.path, out)
            return self._blobs.store(out, ".onnx")

    def _quantized_feature_extractor(
        self, backbone: Backbone, pretrained: bool, key: str, say: Callable[[str], None]
    ) -> Artifact:
        hit = self._blobs.find(_FEATURE_EXTRACTORS, key, self._blobs.artifact)
        if hit is not None:
            return hit
        # Outside the build lock: the float32 lookup takes it itself (its file lock is not re-entrant).
        fp32 = self.feature_extractor(backbone.name, pretrained, progress=say, feature_map=False)
        return self._feature_extractor_once(
            key,
            lambda: self._quantize(backbone, fp32),
            say,
            starting=Text("Making the smaller (int8) version of {backbone}…", backbone=Label(backbone.title)),
            done=Text("The int8 version of {backbone} is ready.", backbone=Label(backbone.title)),
        )

    def _feature_extractor_once(
        self, key: str, build: Callable[[], dict], say: Callable[[str], None], starting: str, done: str
    ) -> Artifact:
        """Find ``key`` or build it (saying ``starting``, then ``done``); a hit says nothing."""

        built = []

        def build_and_tell() -> dict:
            say(starting)
            t0 = time.perf_counter()
            entry = build()
            log.info("built %s in %.1f s (%d bytes)", key, time.perf_counter() - t0, entry["bytes"])
            built.append(key)
            return entry

        art = self._blobs.build_once(_FEATURE_EXTRACTORS, key, self._blobs.artifact, build_and_tell)
        if built and done:
            say(done)
        return art

    def _export_backbone(self, backbone: Backbone, pretrained: bool, say: Callable[[str], None]) -> dict:
        with self._blobs.workdir("export-") as workdir:
            out = workdir / "feature_extractor.onnx"
            try:
                export_backbone(backbone, pretrained, out, say)
            except ImportError:
                raise ModelUnavailable(
                    "{backbone} ({mode}) is not prepared on this computer, and preparing it needs PyTorch, which this "
                    "installation does not include. Choose a backbone that comes ready with the app ({shipped}), or "
                    "prepare this one once with the Python (pip) installation of InFL-UX Desktop on the same data folder.",
                    field="backbone",
                    backbone=Label(backbone.title),
                    mode=_mode(pretrained),
                    shipped=self._shipped(),
                ) from None
            return self._blobs.store(out, ".onnx")

    def _quantize(self, backbone: Backbone, fp32: Artifact) -> dict:
        from influx_desktop.models.quantize import quantize_feature_extractor

        with self._blobs.workdir("quantize-") as workdir:
            try:
                out = workdir / "feature_extractor_int8.onnx"
                quantize_feature_extractor(fp32.path, out, backbone, IR_VERSION)
                return self._blobs.store(out, ".onnx")
            except ImportError:
                # The installers leave out onnxruntime.quantization (it imports sympy, ~80 MB) and ship the
                # int8 variants they offer prebuilt instead (packaging/prebuild.py).
                raise ModelUnavailable(
                    "The smaller (int8) version of {backbone} is not prepared on this computer, and this installation "
                    "cannot make it. Ready with the app: {shipped}. Untick the smaller download, or prepare it once "
                    "with the Python (pip) installation of InFL-UX Desktop on the same data folder.",
                    field="quantized_backbone",
                    backbone=Label(backbone.title),
                    shipped=self._shipped(),
                ) from None
            except Exception as exc:
                raise ModelUnavailable(
                    "Making the int8 version of {backbone} failed: {error}",
                    field="quantized_backbone",
                    backbone=Label(backbone.title),
                    error=str(exc),
                ) from exc

    def _shipped(self) -> Text:
        """The bundled feature extractors, for a person: what can be chosen without building anything."""
        described = {f"item{i}": _describe_key(k) for i, k in enumerate(self.bundled_feature_extractors())}
        # a template of fields and separators only: nothing in it to translate, each item is translated
        return Text("; ".join(f"{{{name}}}" for name in described), **described) if described else Text("none")

    # ------------------------------------------------------------------ head training artifacts

    def head_artifacts(self, num_classes: int, learning_rate: float, feature_dim: int = FEATURE_DIM) -> HeadArtifacts:
        """ORT training artifacts for the head Linear(feature_dim -> K), masked cross-entropy, AdamW. Built once
        (``head_artifacts.build_head_artifacts`` says what the files take)."""
        key, lr = head_key(num_classes, learning_rate, feature_dim)

        def build() -> dict:
            t0 = time.perf_counter()
            with self._blobs.workdir("head-") as workdir:
                paths = build_head_artifacts(workdir, num_classes, lr, feature_dim)
                entries = {
                    role: self._blobs.store(paths[role], ".ckpt" if role == "checkpoint" else ".onnx") for role in HEAD_ROLES
                }
            log.info("built head artifacts %s in %.2f s", key, time.perf_counter() - t0)
            return entries

        return self._blobs.build_once(_HEADS, key, self._head_from_entry, build)

    def _head_from_entry(self, group: object, blobs: Path) -> HeadArtifacts | None:
        arts = self._blobs.artifact_group(group, HEAD_ROLES, blobs)
        return HeadArtifacts(**arts) if arts is not None else None


def _mode(pretrained: bool) -> Text:
    return Text("pretrained") if pretrained else Text("random initialisation")


def _describe_key(key: str) -> Text:
    """``efficientnet_lite0:pretrained`` -> ``EfficientNet-Lite0 (ImageNet, offline), pretrained``
    (``…:int8`` adds ``, int8``; ``:map`` adds nothing: the feature map is made from the file without it)."""
    name, _, mode = key.partition(":")
    mode, _, variant = mode.partition(":")
    variant = variant.removesuffix(FEATURE_MAP_SUFFIX).removesuffix(FEATURE_MAP_SUFFIX[1:])
    try:
        title = Label(get_backbone(name).title)
    except InvalidInput:
        title = name
    if variant:
        return Text("{backbone}, {mode}, {variant}", backbone=title, mode=_mode(mode == "pretrained"), variant=variant)
    return Text("{backbone}, {mode}", backbone=title, mode=_mode(mode == "pretrained"))
