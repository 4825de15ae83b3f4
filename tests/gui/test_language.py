"""The desktop app in two languages (issue 15): English (the code's texts) and German from Qt's translation
system (``translations/influx_de.ts`` compiled to ``.qm``). The language comes from ``--lang``, then
``INFLUX_LANG``, then the system; the German window shows no English text of the catalogue."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest
from conftest import Participant, fill_new_session, http, start_and_wait
from PySide6.QtWidgets import (
    QAbstractButton,
    QApplication,
    QComboBox,
    QGroupBox,
    QLabel,
    QLineEdit,
    QTableView,
    QTableWidget,
    QTabWidget,
    QToolBar,
    QWidget,
)

from influx_desktop.gui import i18n
from influx_desktop.gui.language import LANG_ENV, available_languages, choose_language, install_language

pytestmark = pytest.mark.gui

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "scripts"))

import translations  # noqa: E402  (scripts/translations.py)

GERMAN = REPO / "influx_desktop" / "gui" / "translations" / "influx_de.ts"


def test_the_language_comes_from_the_option_then_the_environment_then_the_system(monkeypatch):
    assert available_languages()[:1] == ["en"] and "de" in available_languages()
    monkeypatch.delenv(LANG_ENV, raising=False)
    assert choose_language(None, system=["de-AT", "en-US"]) == "de"
    assert choose_language(None, system=["fr-FR", "en-GB"]) == "en"
    assert choose_language(None, system=["fr-FR"]) == "en"  # nothing available: English
    assert choose_language("en", system=["de-DE"]) == "en"  # --lang wins
    monkeypatch.setenv(LANG_ENV, "de_DE.UTF-8")
    assert choose_language(None, system=["en-US"]) == "de"
    assert choose_language("en", system=["en-US"]) == "en"
    assert choose_language("xx", system=["en-US"]) == "de"  # an unknown choice falls through to the next


def test_every_text_of_the_code_is_in_the_german_catalogue_translated_and_compiled():
    assert translations.problems(GERMAN) == []


def test_a_third_language_is_one_catalogue(tmp_path, monkeypatch):
    monkeypatch.setattr(translations, "TRANSLATIONS", tmp_path)
    french = translations.add("fr")
    assert [p.name for p in tmp_path.iterdir()] == ["influx_fr.ts"]
    found = translations.messages(french)
    assert set(found) == set(translations.messages(GERMAN)) and set(found.values()) == {None}


@pytest.fixture
def german(qtbot):
    assert install_language("de") == "de"
    yield
    install_language("en")


def _english_catalogue() -> list[re.Pattern]:
    """A pattern for each English text whose German differs (placeholders match one word or number)."""
    patterns = []
    for (_context, source), german in translations.messages(GERMAN).items():
        if german is None or german == source or not re.search(r"[A-Za-z]{2}", re.sub(r"\{[^}]*\}", "", source)):
            continue
        parts = re.split(r"\{[^}]*\}", source)
        patterns.append(re.compile(r"\S+".join(re.escape(p) for p in parts)))
    return patterns


def _visible_texts(root: QWidget) -> list[str]:
    texts = [root.windowTitle()]
    for widget in [root, *root.findChildren(QWidget)]:
        if not widget.isVisibleTo(root) and widget is not root:
            continue
        if isinstance(widget, (QLabel, QAbstractButton)):
            texts.append(widget.text())
        if isinstance(widget, QGroupBox):
            texts.append(widget.title())
        if isinstance(widget, QLineEdit):
            texts += [widget.text(), widget.placeholderText()]
        if isinstance(widget, QComboBox):
            texts += [widget.itemText(i) for i in range(widget.count())]
        if isinstance(widget, QTabWidget):
            texts += [widget.tabText(i) for i in range(widget.count())]
        if isinstance(widget, QToolBar):
            texts += [a.text() for a in widget.actions()]
        if isinstance(widget, QTableWidget):
            texts += [widget.horizontalHeaderItem(c).text() for c in range(widget.columnCount())]
            texts += [
                widget.item(r, c).text()
                for r in range(widget.rowCount())
                for c in range(widget.columnCount())
                if widget.item(r, c) is not None
            ]
        if isinstance(widget, QTableView) and not isinstance(widget, QTableWidget):
            model = widget.model()
            texts += [str(model.headerData(c, 1) or "") for c in range(model.columnCount())]
    return [t for t in texts if t]


def _english_left(root: QWidget) -> list[str]:
    catalogue = _english_catalogue()
    return [
        text
        for text in _visible_texts(root)
        for line in text.splitlines()
        if any(p.fullmatch(line) or (len(p.pattern) > 40 and p.search(line)) for p in catalogue)
    ]


def test_the_german_window_shows_no_english_text_of_the_catalogue(qtbot, german, open_window, data_dir):
    window = open_window(data_dir)
    window.resize(1440, 900)
    form = window.form
    assert form.save_button.text() == "Einstellungen speichern"
    form.learning.advanced.set_open(True)
    assert _english_left(window) == []
    qtbot.wait(20)
    toolbar = window.toolbar  # the longer German texts still fit 1440 px: nothing goes into the overflow menu
    assert [a.text() for a in toolbar.actions() if not a.isSeparator() and not toolbar.widgetForAction(a).isVisible()] == []
    assert window.tabs.currentWidget().horizontalScrollBar().maximum() == 0  # nor does the form scroll sideways

    fill_new_session(qtbot, window, "Obst", ["Apfel", "Birne"])
    start_and_wait(qtbot, window)
    ada = Participant(window.serving.join_url, "Ada")
    assert ada.send_update()[0] == 200
    status, _, _ = http(
        "POST",
        f"{ada.base}/api/v1/test-results",
        b'{"version": 1, "accuracy": 0.5, "n": 4}',
        {"Authorization": f"Bearer {ada.token}", "Content-Type": "application/json"},
    )
    assert status in (200, 201, 204)
    qtbot.waitUntil(lambda: window.dashboard.participants.rowCount() == 1, timeout=5000)
    qtbot.waitUntil(lambda: "Fotos" in window.dashboard.participants.item(0, 8).text(), timeout=5000)
    assert window.tabs.tabText(1) == "Übersicht" and window.join_panel.count.text() == "1 Person ist beigetreten"
    assert "Testmodus" in window.join_panel.warning.text()
    for index in range(window.tabs.count()):
        window.tabs.setCurrentIndex(index)
        qtbot.wait(20)
        assert _english_left(window) == [], window.tabs.tabText(index)
    qtbot.waitUntil(
        lambda: (
            "beigetreten" in " ".join(window.event_log.table.item(r, 2).text() for r in range(window.event_log.table.rowCount()))
        ),
        timeout=5000,
    )
    assert _english_left(window.event_log) == []

    window.present()
    assert _english_left(window.present_window) == []
    window.present_window.close()

    window.toolbar.stop_action.trigger()
    box = window.stop_dialog
    assert box is not None and _english_left(box) == []
    assert window.stop_dialog_buttons["cancel"].text() == "Abbrechen"  # Qt's own German (qt_de.qm)
    window.stop_dialog_buttons["cancel"].click()


def test_going_back_to_english_restores_the_english_texts(qtbot, open_window, data_dir):
    install_language("de")
    install_language("en")
    assert i18n.tr("SessionForm", "Save settings") == "Save settings"
    window = open_window(data_dir)
    assert window.form.save_button.text() == "Save settings"
    assert QApplication.translate("SessionForm", "Save settings") == "Save settings"
