"""The bundled onnxruntime-web carries the fix for its heap corruption (scripts/bundle_webclient.py,
ORT_PATCHES): without it a second TrainingSession in one page fails. The browser end-to-end test
trains three rounds in one page in every engine; this pins the patch itself on the real npm file."""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "scripts"))

import bundle_webclient  # noqa: E402

ORT_DIST = REPO / "webclient" / "node_modules" / "onnxruntime-web" / "dist"


def test_the_pinned_runtime_is_patched_exactly_where_it_frees_stack_memory():
    entry = bundle_webclient.ORT_ENTRY
    original = (ORT_DIST / entry).read_text(encoding="utf-8")
    patched = bundle_webclient.patch_runtime_file(entry, original)
    for old, new in bundle_webclient.ORT_PATCHES[entry]:
        assert original.count(old) == 1 and old not in patched and patched.count(new) == 1
    # nothing else changed: the patch only removes the two `_free(<stack pointer>)` calls
    assert len(original) - len(patched) == len(",n._free(l)") + len(",o._free(f)")


def test_a_runtime_without_the_expected_code_fails_the_build_loudly():
    with pytest.raises(SystemExit, match="expected exactly one"):
        bundle_webclient.patch_runtime_file(bundle_webclient.ORT_ENTRY, "export const nothing = 1;")


def test_the_built_bundle_serves_the_patched_runtime():
    bundle_webclient.main([])
    served = (REPO / "influx_desktop" / "webclient_dist" / "vendor" / f"onnxruntime-web-{bundle_webclient.ORT_VERSION}"
              / bundle_webclient.ORT_ENTRY).read_text(encoding="utf-8")
    for old, _ in bundle_webclient.ORT_PATCHES[bundle_webclient.ORT_ENTRY]:
        assert old not in served
