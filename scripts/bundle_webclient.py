"""Build the participant web app into influx_desktop/webclient_dist/ for the server to serve.

Copies webclient/index.html, *.css and src/**/*.js as they are (no build step), plus only the
onnxruntime-web files the app loads: dist/ort.training.wasm.min.mjs (with the heap-corruption fix
in ORT_PATCHES) and whatever it imports (the training wasm loader and its .wasm), into
vendor/onnxruntime-web-<version>/ so the URL changes with the version and the server may cache it
forever. Every text/wasm file gets a
gzip -9 sibling (`name.gz`) that the server sends to clients accepting gzip.

    (cd webclient && npm ci) && python scripts/bundle_webclient.py
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
import shutil
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
ORT_PACKAGE = "onnxruntime-web"
ORT_VERSION = "1.19.2"  # last release with ./training; package.json pins it exactly
ORT_ENTRY = "ort.training.wasm.min.mjs"
APP_FILES = ("index.html", "*.css", "*.svg", "*.webmanifest", "src/**/*.js")
COMPRESSIBLE = {".js", ".mjs", ".wasm", ".css", ".html", ".svg", ".json", ".webmanifest"}
_RUNTIME_REF = re.compile(r"ort-[A-Za-z0-9_.-]+?\.(?:mjs|wasm)")

#: onnxruntime-web 1.19.2's getContiguousParameters and loadParametersBuffer (lib/wasm/
#: wasm-training-core-impl.ts) hand a *stack* address (`dimsOffset = wasm.stackAlloc(4)`) to
#: `wasm._free()`. Freeing memory malloc never gave out corrupts the wasm heap: the next large
#: allocation fails — a second TrainingSession in the same page dies with "memory access out of
#: bounds", a bare number (a C++ exception pointer) or "index out of bounds", and releasing a
#: session can leave the feature extractor's next run() hanging. The stack pointer is released
#: by the `stackRestore` right beside it, so the fix is to drop the two bogus frees. Each patch
#: must match exactly once in the pinned build, or the bundle fails loudly.
ORT_PATCHES = {
    ORT_ENTRY: [
        # getContiguousParameters: `finally {... wasm._free(paramsOffset); wasm._free(dimsOffset); wasm.stackRestore(stack)}`
        ("n._free(u),n._free(l),n.stackRestore(o)}", "n._free(u),n.stackRestore(o)}"),
        # loadParametersBuffer: `finally {... wasm.stackRestore(stack); wasm._free(bufferOffset); wasm._free(dimsOffset)}`
        ("o.stackRestore(r),o._free(u),o._free(f)}", "o.stackRestore(r),o._free(u)}"),
    ]
}


def patch_runtime_file(name: str, text: str) -> str:
    """Apply ORT_PATCHES to one onnxruntime-web file (unchanged if it has none)."""
    for old, new in ORT_PATCHES.get(name, []):
        if text.count(old) != 1:
            raise SystemExit(f"{name}: expected exactly one `{old}` to patch (is onnxruntime-web {ORT_VERSION} installed?)")
        text = text.replace(old, new)
    return text


def runtime_files(ort_dist: Path, entry: str = ORT_ENTRY) -> list[str]:
    """The entry module and, transitively, every ort-*.mjs/.wasm file it names."""
    seen: list[str] = []
    pending = [entry]
    while pending:
        name = pending.pop()
        if name in seen:
            continue
        path = ort_dist / name
        if not path.is_file():
            raise SystemExit(f"{path} is missing: run `npm ci` in webclient/ first")
        seen.append(name)
        if name.endswith(".mjs"):
            pending.extend(sorted(set(_RUNTIME_REF.findall(path.read_text(encoding="utf-8")))))
    return sorted(seen)


def gzip_sibling(path: Path) -> None:
    data = path.read_bytes()
    # mtime=0 keeps the output byte-identical between builds
    packed = gzip.compress(data, compresslevel=9, mtime=0)
    if len(packed) < len(data):
        path.with_name(path.name + ".gz").write_bytes(packed)


def build(webclient: Path, out: Path) -> dict[str, int]:
    """Build next to `out`, then swap it in, so a running server never sees a half-written folder."""
    staging = out.with_name(out.name + ".building")
    if staging.exists():
        shutil.rmtree(staging)
    stats = _build_into(webclient, staging)
    retired = out.with_name(out.name + ".old")
    if retired.exists():
        shutil.rmtree(retired)
    if out.exists():
        out.rename(retired)
    staging.rename(out)
    shutil.rmtree(retired, ignore_errors=True)
    return stats


def _build_into(webclient: Path, out: Path) -> dict[str, int]:
    node_pkg = webclient / "node_modules" / ORT_PACKAGE
    pkg_json = node_pkg / "package.json"
    if not pkg_json.is_file():
        raise SystemExit(f"{node_pkg} is missing: run `npm ci` in {webclient} first")
    version = json.loads(pkg_json.read_text())["version"]
    if version != ORT_VERSION:
        raise SystemExit(f"{ORT_PACKAGE} {version} is installed, the app needs exactly {ORT_VERSION} (npm ci)")

    out.mkdir(parents=True)
    copied: list[Path] = []
    for pattern in APP_FILES:
        for src in sorted(webclient.glob(pattern)):
            if "node_modules" in src.parts or not src.is_file():
                continue
            dest = out / src.relative_to(webclient)
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(src, dest)
            copied.append(dest)
    vendor = out / "vendor" / f"{ORT_PACKAGE}-{version}"
    vendor.mkdir(parents=True)
    for name in runtime_files(node_pkg / "dist"):
        if name in ORT_PATCHES:
            text = (node_pkg / "dist" / name).read_text(encoding="utf-8")
            (vendor / name).write_text(patch_runtime_file(name, text), encoding="utf-8")
        else:
            shutil.copyfile(node_pkg / "dist" / name, vendor / name)
        copied.append(vendor / name)
    if not (out / "index.html").is_file():
        raise SystemExit(f"{webclient / 'index.html'} is missing")
    for path in copied:
        if path.suffix in COMPRESSIBLE:
            gzip_sibling(path)
    return {
        "files": len(copied),
        "bytes": sum(p.stat().st_size for p in copied),
        "gzip_bytes": sum(
            (p.with_name(p.name + ".gz") if p.with_name(p.name + ".gz").exists() else p).stat().st_size for p in copied
        ),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--webclient", type=Path, default=REPO / "webclient", help="the webclient source folder")
    parser.add_argument("--out", type=Path, default=REPO / "influx_desktop" / "webclient_dist", help="output folder (replaced)")
    args = parser.parse_args(argv)
    stats = build(args.webclient.resolve(), args.out.resolve())
    print(
        f"webclient: {stats['files']} files, {stats['bytes'] / 1e6:.1f} MB "
        f"({stats['gzip_bytes'] / 1e6:.1f} MB gzipped) -> {args.out}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
