"""Every string a person sees in the desktop app goes through ``tr``. No Qt here, so the Qt-free modules
(``session_controller``, ``snapshot``, ``network_choice``, …) translate too.

    from .i18n import tr, tr_noop
    label = QLabel(tr("JoinPanel", "Copy link"))
    text = tr("JoinPanel", "Join code: {code}", code=join_code)   # fields: str.format, after translating
    STATES = {"draft": tr_noop("ServerPanel", "not started yet")}  # a module-level constant: marked here …
    tr("ServerPanel", STATES[state])                                 # … translated where it is shown

The first argument is the context (Qt's translation context: a widget's or module's name; a literal or a name
bound to one, ``C = "Dashboard"``), the second the English text, literally (``scripts/translations.py`` reads
both from the code: no f-strings and no variables there, except for text marked with ``tr_noop`` or declared by
the core, ``tr_core``). Fields in braces are
filled in after translating; a translation keeps the same ``{names}``. Counts: two texts, chosen in code
(``tr(c, "{n} image", n=1)`` / ``tr(c, "{n} images", n=2)``).

Until ``language.install_language`` (Qt side) sets Qt's translator here, ``tr`` returns the English text.
Module-level constants are therefore never translated at import: mark them with ``tr_noop`` and call ``tr``
when the widget is built.

What the core says (an ``InfluxError`` it raised, an ``errors.Text`` such as a start's progress) is shown with
``core_message(exc_or_text)``, never with ``exc.message`` (English): its template is translated under the
context ``Core``, then filled in (errors.py says how the core writes them).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..errors import Label, Listing, Text

Translate = Callable[[str, str], str]


def _english(context: str, text: str) -> str:
    return text


_translate: Translate = _english


def tr(context: str, text: str, **fields: Any) -> str:
    """``text`` in the app's language, with ``fields`` filled in (``str.format``)."""
    translated = _translate(context, text) if text else text
    return translated.format(**fields) if fields else translated


def tr_noop(context: str, text: str) -> str:
    """Marks ``text`` for translation where ``tr`` cannot run yet (module constants); returns it as is."""
    return text


def set_translate(translate: Translate | None) -> None:
    """Used by ``language.install``: ``translate(context, text)`` (Qt's), or None for English."""
    global _translate
    _translate = translate or _english


#: The context of the texts the core declares and the window shows: settings' captions and help, strategies'
#: titles, help and choices, backbones' titles and notes, the default study notice. ``scripts/translations.py``
#: reads them from the declarations (``core_texts``), so a new setting needs no list here, only a translation.
CORE = "Core"


def tr_core(text: str) -> str:
    """A text the core declares (``core_texts``), in the app's language."""
    return tr(CORE, text)


def core_message(said: Any) -> str:
    """What the core said, in the app's language: an ``InfluxError`` (its message) or a sentence it made with
    ``errors.Text`` (a start's progress, a failed test set), from their English template and fields. Fields that
    are ``Text`` are translated too, a ``Label`` shows its caption translated, data (class names, numbers) as
    is, each item of a ``Listing`` as such a field. Anything else (a plain string) is shown as it is.
    ``scripts/translations.py`` collects the templates."""
    template = getattr(said, "template", None)
    if not isinstance(template, str):
        return getattr(said, "message", None) or str(said)
    fields = {name: _core_field(value) for name, value in getattr(said, "params", {}).items()}
    try:
        return tr(CORE, template, **fields)
    except (KeyError, IndexError, ValueError):  # a translation whose {fields} differ (translations.py --check says so)
        return getattr(said, "message", None) or str(said)


def _core_field(value: Any) -> Any:
    if isinstance(value, Listing):
        return ", ".join(str(_core_field(item)) for item in value.items)
    if isinstance(value, Label):
        return tr_core(value.caption)
    if isinstance(value, Text):
        return core_message(value)
    return value


def rejection_reason(data: dict) -> str:
    """An ``update_rejected`` event's reason, or a rejected update's (``Coordinator.updates``: the same keys), in
    the app's language; one stored before its reason's template was (or by a version of the app that did not know
    it) keeps its English sentence."""
    template, params = data.get("reason_template"), data.get("reason_params")
    if isinstance(template, str) and isinstance(params, dict):
        try:
            return core_message(Text(template, **params))
        except (KeyError, IndexError, ValueError):
            pass
    return str(data.get("reason") or "")


def core_texts() -> list[str]:
    """Every text the core declares that the window shows, in the order of their declarations."""
    from ..models.backbones import BACKBONES
    from ..session import CLIP_UPDATE_NORM, NUMERIC_SETTINGS, SETTING_CAPTIONS
    from ..strategies import STRATEGIES
    from ..study import DEFAULT_CONSENT_NOTICE

    numeric = {param.name: param for param in (*NUMERIC_SETTINGS, CLIP_UPDATE_NORM)}
    texts: list[str] = []
    for name, caption in SETTING_CAPTIONS.items():  # a numeric setting's caption is its Param's, then its help
        texts += [caption, numeric[name].help if name in numeric else ""]
    for strategy in STRATEGIES.values():
        texts += [strategy.title, strategy.describe()["help"]]
        for param in strategy.parameters:
            texts += [param_label(param), param.help, *(param.choices or ())]
    for backbone in BACKBONES.values():
        texts += [backbone.title, backbone.weights_note]
    texts.append(DEFAULT_CONSENT_NOTICE)
    return list(dict.fromkeys(t for t in texts if t))


def param_label(param: Any) -> str:
    """A declared setting's caption (``Param.label``, else its name in words), untranslated."""
    return param.caption


def setting_caption(name: str) -> str:
    """A session setting's caption (``session.SETTING_CAPTIONS``: what the setup form labels its field and the
    event log calls it) in the app's language; a name that is no setting (an older version's) as it is."""
    from ..session import SETTING_CAPTIONS

    caption = SETTING_CAPTIONS.get(name)
    return tr_core(caption) if caption else name
