"""The desktop app's language: English (the source texts) or any language with a catalogue in
``translations/``, chosen by ``--lang``, then ``INFLUX_LANG``, then the system's UI languages.

Qt's translation system: ``translations/influx_<lang>.ts`` is the catalogue a translator edits (Qt Linguist or
any text editor), ``influx_<lang>.qm`` its compiled form, loaded by a ``QTranslator``; Qt's own
``qtbase_<lang>.qm`` (standard buttons such as Cancel) comes with PySide6. ``scripts/translations.py`` finds new
texts in the code and compiles the catalogues with the ``lrelease`` that PySide6-Essentials ships. A third
language is one more ``.ts`` file (``scripts/translations.py --add fr``), compiled like the others.
"""

from __future__ import annotations

import os
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QLibraryInfo, QLocale, QTranslator

from . import i18n

TRANSLATIONS = Path(__file__).resolve().parent / "translations"
SOURCE_LANGUAGE = "en"
LANG_ENV = "INFLUX_LANG"

_installed: list[QTranslator] = []
_default_locale: list[QLocale] = []  # the locale before the first install, for going back to English


def available_languages() -> list[str]:
    """English and every language with a compiled catalogue, e.g. ``["en", "de"]``."""
    found = sorted(p.stem.removeprefix("influx_") for p in TRANSLATIONS.glob("influx_*.qm"))
    return [SOURCE_LANGUAGE, *(lang for lang in found if lang != SOURCE_LANGUAGE)]


def _base(tag: str) -> str:
    """``de-DE`` / ``de_AT.UTF-8`` → ``de``."""
    return tag.replace("_", "-").split("-")[0].split(".")[0].strip().lower()


def choose_language(requested: str | None = None, system: list[str] | None = None) -> str:
    """``requested`` (``--lang``), else ``$INFLUX_LANG``, else the first of the system's UI languages the app
    has; English when none of them is available. An unavailable explicit choice falls back the same way."""
    available = available_languages()
    wanted = [requested, os.environ.get(LANG_ENV)]
    wanted += system if system is not None else QLocale.system().uiLanguages()
    for tag in wanted:
        if tag and _base(tag) in available:
            return _base(tag)
    return SOURCE_LANGUAGE


def install_language(language: str) -> str:
    """Make ``tr`` (and Qt's own dialogs) speak ``language``; returns the language installed (English when
    there is no catalogue for it). Call before building widgets: texts are translated when a widget is built."""
    app = QCoreApplication.instance()
    if app is None:
        raise RuntimeError("install_language needs a QApplication")
    for translator in _installed:
        app.removeTranslator(translator)
    _installed.clear()
    if not _default_locale:
        _default_locale.append(QLocale())
    language = _base(language)
    if language == SOURCE_LANGUAGE or language not in available_languages():
        i18n.set_translate(None)
        QLocale.setDefault(_default_locale[0])
        return SOURCE_LANGUAGE
    for name, folder in (
        (f"influx_{language}", str(TRANSLATIONS)),
        (f"qtbase_{language}", QLibraryInfo.path(QLibraryInfo.TranslationsPath)),
    ):
        translator = QTranslator(app)
        if translator.load(name, folder):
            app.installTranslator(translator)
            _installed.append(translator)
    i18n.set_translate(QCoreApplication.translate)
    QLocale.setDefault(QLocale(language))
    return language
