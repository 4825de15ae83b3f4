"""The desktop app's translations (influx_desktop/gui/translations/): find the texts, keep the catalogues, compile them.

    .venv/bin/python scripts/translations.py              # add new texts to every influx_<lang>.ts, drop gone ones, compile .qm
    .venv/bin/python scripts/translations.py --add fr     # start influx_fr.ts (then translate it and run the line above)
    .venv/bin/python scripts/translations.py --check      # exit 1 if a text lacks a translation or a .qm is stale

Texts are found in every ``tr(context, "text")`` and ``tr_noop(context, "text")`` of influx_desktop/gui/ by
reading the code (Python's ``ast``: the context may be a literal or a name bound to one, like ``C = "Dashboard"``,
which Qt's ``lupdate`` cannot follow), plus, under the context ``Core``, the texts the core declares
(``i18n.core_texts()``: settings, strategies, backbones, the default study notice) and the sentences it says:
the literal template of every error it raises (``InvalidInput("Class '{name}' appears twice…", name=…)``) and
of every ``Text(…)`` (a start's progress), read from the code of every module the desktop app reaches (all of
influx_desktop/ but gui/, server/ and the command line), so a new error needs no list, only a translation. An
f-string there, or a plain string handed to a ``progress``/``say`` callback, is refused: it could never be
translated (``i18n.core_message`` translates the template, then fills in the fields). The catalogues are Qt Linguist's
``.ts`` format; ``lrelease`` (PySide6-Essentials ships it) compiles each to the ``.qm`` the app loads
(``gui/language.py``). Translations are edited in the ``.ts`` file: in Qt Linguist (``pyside6-linguist``) or a
text editor (fill in ``<translation>`` and drop ``type="unfinished"``). Locations are left out, so moving code
does not change a catalogue.
"""

from __future__ import annotations

import argparse
import ast
import filecmp
import re
import shutil
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from influx_desktop.gui.i18n import CORE, core_texts  # noqa: E402

PACKAGE = REPO / "influx_desktop"
GUI = PACKAGE / "gui"
TRANSLATIONS = GUI / "translations"
FUNCTIONS = {"tr", "tr_noop"}
#: What the desktop app does not reach with the core's sentences: its own code (``tr``), the HTTP layer's own
#: errors (only browsers read them) and the command line (English).
NOT_CORE = ("gui", "server", "cli.py", "__main__.py", "webclient_dist")
#: Callbacks that hear the core's progress: what they are handed must be an ``errors.Text``.
SAYERS = {"progress", "say"}


def tool(name: str) -> str:
    """PySide6's ``lrelease`` (next to its Qt), else one on the PATH."""
    import PySide6

    for candidate in (Path(PySide6.__file__).parent / name, Path(sys.executable).parent / f"pyside6-{name}"):
        if candidate.exists():
            return str(candidate)
    found = shutil.which(f"pyside6-{name}") or shutil.which(name)
    if not found:
        raise SystemExit(f"{name} not found: install PySide6-Essentials")
    return found


def catalogues() -> list[Path]:
    return sorted(TRANSLATIONS.glob("influx_*.ts"))


def _literals(body: list[ast.stmt]) -> dict[str, str]:
    """Names a block binds to a string literal (``C = "Dashboard"``), not looking into nested functions."""
    found: dict[str, str] = {}
    for node in body:
        for sub in [node, *(n for n in ast.walk(node) if not isinstance(node, (ast.FunctionDef, ast.ClassDef)))]:
            if isinstance(sub, ast.Assign) and isinstance(sub.value, ast.Constant) and isinstance(sub.value.value, str):
                found.update({t.id: sub.value.value for t in sub.targets if isinstance(t, ast.Name)})
    return found


def _module_constants(path: Path) -> dict[str, str]:
    """A module's names bound to string literals, and those it imports from a sibling module."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = _literals(tree.body)
    for node in tree.body:
        if isinstance(node, ast.ImportFrom) and node.level == 1 and node.module and (GUI / f"{node.module}.py").exists():
            sibling = _module_constants(GUI / f"{node.module}.py")
            found.update({a.asname or a.name: sibling[a.name] for a in node.names if a.name in sibling})
    return found


class _Finder(ast.NodeVisitor):
    """``tr``/``tr_noop`` calls with a literal text; a context name is looked up in the function it is in, then
    in the enclosing ones, then in the module."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.scopes = [_module_constants(path)]
        self.found: list[tuple[str, str]] = []

    def visit_FunctionDef(self, node: ast.FunctionDef) -> None:  # noqa: N802 (ast's name)
        self.scopes.append(_literals(node.body))
        self.generic_visit(node)
        self.scopes.pop()

    visit_AsyncFunctionDef = visit_FunctionDef

    def visit_Call(self, node: ast.Call) -> None:  # noqa: N802
        self.generic_visit(node)
        if not (isinstance(node.func, ast.Name) and node.func.id in FUNCTIONS and len(node.args) >= 2):
            return
        where = f"{self.path.name}:{node.lineno}"
        context, text = node.args[0], node.args[1]
        if isinstance(text, ast.JoinedStr):
            raise SystemExit(f"{where}: an f-string cannot be translated; use tr(context, 'text {{name}}', name=…)")
        if not (isinstance(text, ast.Constant) and isinstance(text.value, str)):
            return  # a variable: its text is marked elsewhere (tr_noop) or declared by the core
        if isinstance(context, ast.Constant) and isinstance(context.value, str):
            self.found.append((context.value, text.value))
            return
        if isinstance(context, ast.Name):
            for scope in reversed(self.scopes):
                if context.id in scope:
                    self.found.append((scope[context.id], text.value))
                    return
        raise SystemExit(f"{where}: the context must be a literal or a name bound to one")


def core_files() -> list[Path]:
    """The modules whose sentences the desktop app shows: influx_desktop/ but ``NOT_CORE``."""
    return sorted(p for p in PACKAGE.rglob("*.py") if not set(NOT_CORE) & set(p.relative_to(PACKAGE).parts))


def _called(node: ast.Call) -> str | None:
    return node.func.id if isinstance(node.func, ast.Name) else node.func.attr if isinstance(node.func, ast.Attribute) else None


def sentence_makers(trees: list[ast.Module]) -> set[str]:
    """``Text``, ``InfluxError`` and every class derived from it (in errors.py or any core module)."""
    names = {"Text", "InfluxError"}
    classes = [node for tree in trees for node in ast.walk(tree) if isinstance(node, ast.ClassDef)]
    while True:
        more = {c.name for c in classes if any(isinstance(b, ast.Name) and b.id in names for b in c.bases)} - names
        if not more:
            return names
        names |= more


def core_sentences(files: list[Path] | None = None) -> list[str]:
    """The literal template of every error the core raises and every ``Text`` it makes, file by file, in order;
    refuses an f-string template and a plain string said to a progress callback."""
    files = core_files() if files is None else files
    trees = [(path, ast.parse(path.read_text(encoding="utf-8"))) for path in files]
    makers = sentence_makers([tree for _, tree in trees])
    found: list[str] = []
    for path, tree in trees:
        calls = sorted((n for n in ast.walk(tree) if isinstance(n, ast.Call) and n.args), key=lambda n: (n.lineno, n.col_offset))
        for node in calls:
            name, first = _called(node), node.args[0]
            where = f"{path.relative_to(REPO) if path.is_relative_to(REPO) else path}:{node.lineno}"
            literal = isinstance(first, ast.Constant) and isinstance(first.value, str)
            if name in SAYERS and (literal or isinstance(first, ast.JoinedStr)):
                raise SystemExit(f"{where}: {name}() hears people's words: hand it Text('…{{field}}…', field=…)")
            if name not in makers:
                continue
            if isinstance(first, ast.JoinedStr):
                raise SystemExit(f"{where}: an f-string cannot be translated; write {name}('… {{name}} …', name=…) (errors.py)")
            if literal and first.value:
                found.append(first.value)
    return list(dict.fromkeys(found))


def texts_in_code() -> list[tuple[str, str]]:
    """``(context, text)`` of every ``tr``/``tr_noop`` call with a literal text in influx_desktop/gui/ (file by
    file, in order), then the core's declared texts and its sentences (``core_sentences``); refuses a context it
    cannot resolve and an f-string text (it would never match a catalogue entry)."""
    found: list[tuple[str, str]] = []
    for path in sorted(GUI.glob("*.py")):
        finder = _Finder(path)
        finder.visit(ast.parse(path.read_text(encoding="utf-8")))
        found += finder.found
    found += [(CORE, text) for text in core_texts()]
    found += [(CORE, text) for text in core_sentences()]
    return list(dict.fromkeys(found))


def update(ts: Path) -> None:
    """Add the code's new texts to ``ts`` (unfinished), drop texts no longer in the code, keep translations."""
    root = ET.parse(ts).getroot()
    known = {
        (context.findtext("name"), message.findtext("source")): message.find("translation")
        for context in root.iter("context")
        for message in context.iter("message")
    }
    language = root.get("language", ts.stem.removeprefix("influx_"))
    out = ET.Element("TS", {"version": "2.1", "language": language, "sourcelanguage": "en"})
    by_context: dict[str, list[str]] = {}
    for context, text in texts_in_code():
        by_context.setdefault(context, []).append(text)
    for context in sorted(by_context):
        element = ET.SubElement(out, "context")
        ET.SubElement(element, "name").text = context
        for text in by_context[context]:
            message = ET.SubElement(element, "message")
            ET.SubElement(message, "source").text = text
            old = known.get((context, text))
            translation = ET.SubElement(message, "translation")
            if old is not None and old.text and old.get("type") not in ("unfinished", "vanished", "obsolete"):
                translation.text = old.text
            else:
                translation.set("type", "unfinished")
                translation.text = old.text if old is not None else None
    ET.indent(out, "    ")
    body = ET.tostring(out, encoding="unicode")
    ts.write_text('<?xml version="1.0" encoding="utf-8"?>\n<!DOCTYPE TS>\n' + body + "\n", encoding="utf-8")


def release(ts: Path, qm: Path | None = None) -> Path:
    qm = qm or ts.with_suffix(".qm")
    subprocess.run([tool("lrelease"), "-silent", "-nounfinished", str(ts), "-qm", str(qm)], check=True)
    return qm


def messages(ts: Path) -> dict[tuple[str, str], str | None]:
    """``{(context, English text): translation}``; None where it is missing or unfinished."""
    found: dict[tuple[str, str], str | None] = {}
    for context in ET.parse(ts).getroot().iter("context"):
        name = context.findtext("name")
        for message in context.iter("message"):
            translation = message.find("translation")
            done = translation is not None and translation.get("type") not in ("unfinished", "vanished", "obsolete")
            found[(name, message.findtext("source"))] = (translation.text or None) if done else None
    return found


def fields_of(text: str) -> list[str]:
    """The ``{fields}`` of a text (format spec included), sorted: a translation must keep the same."""
    return sorted(re.findall(r"\{[^{}]*\}", text))


def problems(ts: Path) -> list[str]:
    """What is wrong with one catalogue: texts of the code it lacks or has extra, missing translations, a
    translation whose ``{fields}`` differ from its text's (filling it in would fail), a stale .qm."""
    found = []
    with tempfile.TemporaryDirectory(prefix="influx-tr-") as tmp:
        fresh = Path(tmp) / ts.name
        shutil.copy(ts, fresh)
        update(fresh)
        current, wanted = set(messages(ts)), set(messages(fresh))
        found += [f"{ts.name}: not in the catalogue: {c}: {s!r}" for c, s in sorted(wanted - current)]
        found += [f"{ts.name}: no longer in the code: {c}: {s!r}" for c, s in sorted(current - wanted)]
        found += [f"{ts.name}: not translated: {c}: {s!r}" for (c, s), t in sorted(messages(ts).items()) if t is None]
        found += [
            f"{ts.name}: the fields of the translation differ ({', '.join(fields_of(t))}): {c}: {s!r}"
            for (c, s), t in sorted(messages(ts).items())
            if t is not None and fields_of(t) != fields_of(s)
        ]
        qm = ts.with_suffix(".qm")
        if not qm.exists() or not filecmp.cmp(release(ts, Path(tmp) / qm.name), qm, shallow=False):
            found.append(f"{qm.name}: missing or older than {ts.name}")
    return found


def add(language: str) -> Path:
    ts = TRANSLATIONS / f"influx_{language}.ts"
    if ts.exists():
        raise SystemExit(f"{ts} exists already")
    ts.write_text(
        f'<?xml version="1.0" encoding="utf-8"?>\n<!DOCTYPE TS>\n<TS version="2.1" language="{language}" '
        'sourcelanguage="en">\n</TS>\n',
        encoding="utf-8",
    )
    update(ts)
    return ts


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--add", metavar="LANG", help="start a catalogue for this language (e.g. fr)")
    parser.add_argument("--check", action="store_true", help="change nothing; exit 1 on a problem")
    args = parser.parse_args(argv)
    if args.check:
        found = [p for ts in catalogues() for p in problems(ts)]
        print("\n".join(found) or f"{len(catalogues())} catalogue(s) complete and compiled")
        return 1 if found else 0
    if args.add:
        print(f"started {add(args.add)}")
    for ts in catalogues():
        update(ts)
        qm = release(ts)
        missing = sum(t is None for t in messages(ts).values())
        print(f"{ts.name}: {len(messages(ts))} texts, {missing} to translate -> {qm.name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
