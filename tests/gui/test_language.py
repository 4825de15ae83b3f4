"""The desktop app in two languages (issue 15): English (the code's texts) and German from Qt's translation
system (``translations/influx_de.ts`` compiled to ``.qm``). The language comes from ``--lang``, then
``INFLUX_LANG``, then the system; the German window shows no English text of the catalogue."""

from __future__ import annotations

import re
import shutil
import sys
import time
from pathlib import Path

import pytest
from conftest import Participant, fill_new_session, http, start_and_wait
from PySide6.QtGui import QTextDocumentFragment
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

from influx_desktop.coordinator import Coordinator
from influx_desktop.errors import InvalidInput
from influx_desktop.gui import i18n
from influx_desktop.gui.dashboard import Dashboard
from influx_desktop.gui.language import LANG_ENV, available_languages, choose_language, install_language
from influx_desktop.gui.session_form import ERROR_STYLE
from influx_desktop.gui.snapshot import SessionSnapshot, describe_event
from influx_desktop.session import SessionConfig

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


# ---------------------------------------------------------------------- the core's sentences, in the app's language


def _event_lines(window) -> list[str]:
    table = window.event_log.table
    return [table.item(row, 2).text() for row in range(table.rowCount())]


def test_the_cores_refusals_progress_and_reasons_are_german_in_the_german_app(qtbot, german, open_window, data_dir, tmp_path):
    window = open_window(data_dir)
    form = window.form
    # A class typed twice: the core's refusal, on the class list, in German (the class names as typed).
    fill_new_session(qtbot, window, "Obst", ["Apfel", "Birne", "apfel"])
    form.save_button.click()
    assert form.error.text() == "Die Klasse „apfel“ kommt zweimal vor; Klassennamen müssen eindeutig sein."
    assert form.classes.list.styleSheet() == ERROR_STYLE
    # A number out of range (a config file or the HTTP API may send one; the spin boxes cannot): the setting
    # by its German caption, on its field. The English message, which HTTP and logs say, names it as sent.
    with pytest.raises(InvalidInput) as refused:
        SessionConfig.from_dict({**form.settings(), "classes": ["Apfel", "Birne"], "batch_size": 600})
    assert refused.value.message == "batch_size must be from 1 to 512; got 600."
    form.show_error(refused.value)
    assert form.error.text() == "Batchgröße muss zwischen 1 und 512 liegen; eingegeben: 600."
    assert form.field_widget("batch_size").styleSheet() == ERROR_STYLE
    # A choice not offered: the choices as the drop-down offers them (the English message says them as sent).
    fedasync = {"aggregator": "fedasync", "aggregator_params": {"staleness_function": "linear"}}
    with pytest.raises(InvalidInput) as refused:
        SessionConfig.from_dict({**form.settings(), "classes": ["Apfel", "Birne"], **fedasync})
    assert refused.value.message == "staleness_function must be one of constant, polynomial, hinge."
    form.show_error(refused.value)
    assert form.error.text() == "Alterungsfunktion muss eines von konstant, polynomiell, Knick (hinge) sein."

    # The start's steps the core says, in German.
    form.classes.set_classes(["Apfel", "Birne"])
    steps = []
    window.controller.events.start_progress.connect(steps.append)
    start_and_wait(qtbot, window)
    assert "Die Trainingsdateien für den Klassifikationskopf werden erstellt…" in steps

    # A rejected update: the student's browser gets English JSON, the event log says why in German.
    ada = Participant(window.serving.join_url, "Ada")
    status, answer = ada.send_update(noise=100.0)
    assert (status, answer["error"]["code"]) == (400, "norm_too_large")
    assert answer["error"]["message"].startswith("The update changes the model by ")
    qtbot.waitUntil(lambda: any("abgelehnt" in line for line in _event_lines(window)), timeout=5000)
    rejected = next(line for line in _event_lines(window) if "abgelehnt" in line)
    assert re.fullmatch(
        rf"Beitrag von Ada · #{ada.id} abgelehnt: Der Beitrag ändert das Modell um [0-9.e+]+ \(L2-Norm\); die Grenze ist 100\.",
        rejected,
    ), rejected
    assert _english_left(window.event_log) == []
    table = window.dashboard.rejected  # and in the dashboard's Rejected updates: in a few words, the tooltip whole
    qtbot.waitUntil(lambda: table.rowCount() == 1, timeout=5000)
    assert re.fullmatch(r"viel zu groß \(Änderung [0-9.e+]+, L2-Norm; Grenze 100\)", table.item(0, 2).text())
    assert re.search(r"Der Beitrag ändert das Modell um [0-9.e+]+ \(L2-Norm\); die Grenze ist 100\.", table.item(0, 2).toolTip())

    # A test set whose folders name no class: the banner says so in German (folder and class names as they are).
    folder = tmp_path / "testset"
    (folder / "Banane").mkdir(parents=True)
    (folder / "Banane" / "1.png").write_bytes(b"not read")
    window.controller.load_test_set(folder)
    qtbot.waitUntil(lambda: "Banane" in window.banner.text(), timeout=5000)
    assert window.banner.text() == (
        "Der Testdatensatz konnte nicht geladen werden: Die Ordner Banane benennen keine Klasse dieser Sitzung "
        "(Klassen: Apfel, Birne)."
    )


def test_a_participant_leaving_the_study_reads_well_in_both_languages(qtbot, tmp_path, model_cache):
    coordinator = Coordinator(tmp_path / "data", model_cache=model_cache)
    try:
        session = coordinator.create_session({"title": "Obst", "classes": ["Apfel", "Birne"], "study_logging": True})
        coordinator.start_session(session["id"])
        ada = coordinator.authenticate(coordinator.join(session["join_code"], "Ada", consent=True)["token"])
        event = {"seq": 0, "at": time.time(), "kind": "visibility", "data": {"state": "visible"}}
        coordinator.record_study_events(ada, {"events": [event]})
        coordinator.withdraw_from_study(ada)
        withdrawn = coordinator.event_log(session["id"])[-1]
    finally:
        coordinator.close()
    assert withdrawn["kind"] == "study_withdrawn"
    nicknames = {ada.id: "Ada"}
    assert describe_event(withdrawn, nicknames) == (
        f"Ada · #{ada.id} left the study: 1 recorded interaction deleted; the study exports leave out everything of "
        "theirs up to now"
    )
    install_language("de")
    try:
        assert describe_event(withdrawn, nicknames) == (
            f"Ada · #{ada.id} hat die Studie verlassen: 1 aufgezeichnete Interaktion gelöscht; in den Studienexporten "
            "fehlt alles, was bis jetzt von dieser Person stammt"
        )
    finally:
        install_language("en")


def test_the_german_app_says_an_old_rejection_as_it_was_stored(qtbot, german):
    """An update_rejected event stored before its reason's template was keeps its English sentence."""
    old = {"kind": "update_rejected", "participant_id": 3, "data": {"reason": "The update is 30 versions behind."}}
    assert describe_event(old) == "Beitrag von Teilnehmende Person #3 abgelehnt: The update is 30 versions behind."


def _rejected(**update) -> dict:
    return {"id": 1, "participant_id": 3, "nickname": "Ada", "status": "rejected", "received_at": time.time(), **update}


def test_the_german_dashboard_says_every_rejection_in_german_with_the_limit_it_broke(qtbot, german):
    stale = "The update is {staleness} versions behind (the limit is {limit}). Retrain on the current model."
    unknown_base = (
        "Base version {base} does not exist; the newest version is {newest}. Download the current model and train again."
    )
    updates = [
        # too old for the limit of then, which the facilitator has raised since (to 30, below)
        _rejected(
            staleness=25,
            norm=1.0,
            reason="The update is 25 versions behind (the limit is 20). Retrain on the current model.",
            code="too_stale",
            reason_template=stale,
            reason_params={"staleness": 25, "limit": 20},
        ),
        # a cause the dashboard has no short words for: the core's sentence, in German
        _rejected(
            staleness=0,
            norm=1.0,
            reason="Base version 9 does not exist; the newest version is 4. Download the current model and train again.",
            code="unknown_base_version",
            reason_template=unknown_base,
            reason_params={"base": 9, "newest": 4},
        ),
        # stored before its reason's template was: its English sentence, as the event log says it
        _rejected(staleness=0, norm=1.0, reason="The update came from another planet.", code=None),
    ]
    counts = {"participants": 1, "active_participants": 1, "updates_applied": 4, "updates_buffered": 0, "updates_rejected": 3}
    session = {"id": 1, "version": 4, **counts, "config": {"max_staleness": 30, "max_update_norm": 100.0}}
    dashboard = Dashboard()
    qtbot.addWidget(dashboard)
    dashboard.show_snapshot(
        SessionSnapshot(session=session, participants=[], updates=updates, accuracy=[], test_set={}, events=[])
    )
    table = dashboard.rejected  # newest first
    reasons = [
        (table.item(row, 2).text(), QTextDocumentFragment.fromHtml(table.item(row, 2).toolTip()).toPlainText())
        for row in range(table.rowCount())
    ]
    old_english = "The update came from another planet."
    unknown_base_de = (
        "Die Basisversion 9 gibt es nicht; die neueste Version ist 4. Das aktuelle Modell laden und erneut trainieren."
    )
    assert reasons == [
        (old_english, old_english),
        (unknown_base_de, unknown_base_de),
        (
            "zu alt (25 Versionen zurück; Grenze 20)",
            "Der Beitrag liegt 25 Versionen zurück (die Grenze ist 20). Mit dem aktuellen Modell neu trainieren.",
        ),
    ]


def test_a_refused_state_change_names_the_states_in_german(qtbot, german, open_window, data_dir):
    """The toolbar offers only what the session's state allows, but a window that has not yet heard of a change
    asks for one the core refuses: the banner names both states in German (HTTP answers say them as stored)."""
    window = open_window(data_dir)
    fill_new_session(qtbot, window, "Obst", ["Apfel", "Birne"])
    window.form.save_button.click()
    qtbot.waitUntil(lambda: window.controller.state == "draft" and not window.tasks.busy, timeout=5000)
    window.controller.toggle_pause()  # not running, so it asks to resume: a session not started cannot
    qtbot.waitUntil(lambda: "Zustand" in window.banner.text(), timeout=5000)
    assert window.banner.text() == (
        "Der Status konnte nicht geändert werden: Die Sitzung ist im Zustand „noch nicht gestartet“; von dort kann "
        "sie nicht in den Zustand „läuft“ wechseln."
    )


def test_the_german_event_log_names_changed_settings_by_the_forms_german_captions(qtbot, german, open_window, data_dir):
    """The setup form labels a setting and the event log names it with the one caption the core declares."""
    window = open_window(data_dir)
    form = window.form
    fill_new_session(qtbot, window, "Obst", ["Apfel", "Birne"])
    form.save_button.click()
    qtbot.waitUntil(lambda: window.controller.session_id is not None and not window.tasks.busy, timeout=5000)
    form.learning.advanced.set_open(True)
    form.numbers["batch_size"].setValue(32)
    form.aggregator.setCurrentIndex(form.aggregator.findData("fedbuff"))
    form.save_button.click()
    first = "Einstellungen geändert: Aggregationsverfahren, Einstellungen des Aggregationsverfahrens, Batchgröße"
    qtbot.waitUntil(lambda: first in _event_lines(window), timeout=5000)
    # One parameter of the strategy: the desktop sends them all, the log names the one that changed.
    form.strategy_form.inputs["buffer_size"].setValue(7)
    form.save_button.click()
    qtbot.waitUntil(lambda: "Einstellungen geändert: Puffergröße" in _event_lines(window), timeout=5000)
    # The form's fields carry the same captions.
    layout = form.learning.aggregator.parentWidget().layout()
    assert layout.labelForField(form.aggregator).text() == "Aggregationsverfahren"
    assert form.quantized_backbone.text() == "Kleinerer Download für Teilnehmende (int8)"
    assert form.pretrained.text() == "Auf ImageNet vortrainiert (empfohlen)"
    assert _english_left(window.event_log) == []


# ---------------------------------------------------------------------- scripts/translations.py keeps the core's sentences


def _with_core_module(monkeypatch, tmp_path, code: str) -> None:
    """One more core module, as if it were in influx_desktop/."""
    module = tmp_path / "pears.py"
    module.write_text(code, encoding="utf-8")
    files = translations.core_files()
    monkeypatch.setattr(translations, "core_files", lambda: [*files, module])


def test_a_new_core_error_needs_a_german_translation(tmp_path, monkeypatch):
    _with_core_module(
        monkeypatch,
        tmp_path,
        "from influx_desktop.errors import Conflict\n\n\ndef fill(n):\n"
        '    raise Conflict("Only {n} pears fit in the basket.", code="basket_full", n=n)\n',
    )
    assert "influx_de.ts: not in the catalogue: Core: 'Only {n} pears fit in the basket.'" in translations.problems(GERMAN)
    copy = tmp_path / "influx_de.ts"
    shutil.copy(GERMAN, copy)
    translations.update(copy)  # what running the script does: the text is added, to be translated
    assert "influx_de.ts: not translated: Core: 'Only {n} pears fit in the basket.'" in translations.problems(copy)


@pytest.mark.parametrize(
    "code, refusal",
    [
        ('raise InvalidInput(f"Only {n} pears fit.")', "an f-string cannot be translated"),
        ('progress("Counting the pears…")', r"hand it Text\("),
        ('say(f"Counting {n} pears…")', r"hand it Text\("),
    ],
)
def test_a_core_sentence_that_could_never_be_translated_is_refused(tmp_path, monkeypatch, code, refusal):
    _with_core_module(monkeypatch, tmp_path, f"def f(n, progress, say):\n    {code}\n")
    with pytest.raises(SystemExit, match=refusal):
        translations.texts_in_code()


def test_a_translation_must_keep_the_fields_of_its_text(tmp_path):
    copy = tmp_path / "influx_de.ts"
    text = GERMAN.read_text(encoding="utf-8")
    good = "<translation>Die Klasse „{name}“ kommt zweimal vor; Klassennamen müssen eindeutig sein.</translation>"
    assert good in text
    copy.write_text(text.replace(good, good.replace("{name}", "{nom}")), encoding="utf-8")
    assert (
        "influx_de.ts: the fields of the translation differ ({nom}): Core: "
        "\"Class '{name}' appears twice; class names must be unique.\""
    ) in translations.problems(copy)
