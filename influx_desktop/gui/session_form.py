"""Session setup: title, classes, backbone (and its smaller int8 variant), how the class model learns (a
plain-language preset; the aggregator and the numeric settings under Advanced: ``learning_form``), and study
logging with its consent notice. Validation is the core's (``SessionConfig``); this form only shows its verdict.
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from ..errors import InfluxError
from ..models.backbones import BACKBONES, DEFAULT_BACKBONE
from ..session import SessionConfig, int8_by_default
from ..study import DEFAULT_CONSENT_NOTICE
from .classes_editor import ClassesEditor
from .i18n import core_message, setting_caption, tr, tr_core, tr_noop
from .learning_form import LearningForm
from .param_fields import ignore_wheel_unless_focused

ERROR_STYLE = "border: 2px solid #c62828;"
QUANTIZED_EXPLANATION = tr_noop(
    "SessionForm",
    "Participants' browsers download an 8-bit version of the backbone: a 2.4× smaller first download "
    "(16.7 → 7.0 MB with EfficientNet-Lite0), the same accuracy in our benchmark, and about 20 % slower photo "
    "processing in the browser. The app makes it once, offline, in about ten seconds. Fixed once the session has run.",
)
STUDY_EXPLANATION = tr_noop(
    "SessionForm",
    "Participants see this notice when they join and must accept it to take part; their interactions are "
    "then recorded under a pseudonym (see docs/study-data.md). Switching logging on or off takes effect for "
    "people who join afterwards: nothing is recorded from anyone who joined without accepting the notice.",
)
STUDY_HAS_RUN_EXPLANATION = tr_noop(
    "SessionForm",
    "This session has run. You may still switch study logging on or off: it applies to participants who join "
    "from now on. Anyone who joined while it was off was never asked and is never recorded; they can join again "
    "to take part.",
)


def _combo(name: str, choices: list[tuple[str, str]]) -> QComboBox:
    """A drop-down for the setting ``name``: (title shown, value) pairs."""
    combo = ignore_wheel_unless_focused(QComboBox())
    combo.setObjectName(name)
    for title, value in choices:
        combo.addItem(title, value)
    return combo


def _note(text: str, hint: bool = False) -> QLabel:
    """A wrapped explanation under a field; a hint is grey."""
    label = QLabel(text)
    label.setWordWrap(True)
    if hint:
        label.setStyleSheet("color: gray;")
    return label


def _group(title: str, rows: list[tuple]) -> QGroupBox:
    """A titled box of form rows: ``(label, field)`` or ``(field,)`` spanning the row."""
    box = QGroupBox(title)
    form = QFormLayout(box)
    for row in rows:
        form.addRow(*row)
    return box


class SessionForm(QWidget):
    """Edits one session's settings; ``settings()`` is a dict for ``SessionConfig.from_dict``."""

    save_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.title = QLineEdit()
        self.title.setObjectName("title")
        self.title.setPlaceholderText(tr("SessionForm", "e.g. Fruit or not"))
        self.classes = ClassesEditor()
        self.classes.setObjectName("classes")
        self.backbone = _combo("backbone", [(tr_core(b.title), b.name) for b in BACKBONES.values()])
        self.backbone_note = _note("")
        self.backbone.currentIndexChanged.connect(self._show_backbone_note)
        self.pretrained = QCheckBox(tr("SessionForm", "{setting} (recommended)", setting=setting_caption("pretrained")))
        self.pretrained.setObjectName("pretrained")
        # The person's own changes only (activated, clicked): loading a stored session must not re-decide its box.
        self.backbone.activated.connect(self._recommend_quantized)
        self.pretrained.clicked.connect(self._recommend_quantized)
        self.quantized_backbone = QCheckBox(setting_caption("quantized_backbone"))
        self.quantized_backbone.setObjectName("quantized_backbone")
        self.quantized_backbone.setToolTip(tr("SessionForm", QUANTIZED_EXPLANATION))
        self.quantized_note = _note(tr("SessionForm", QUANTIZED_EXPLANATION), hint=True)
        self.learning = LearningForm()
        # The learning settings' fields, where tests and error messages look for them.
        self.aggregator = self.learning.aggregator
        self.strategy_form = self.learning.strategy_form
        self.numbers = self.learning.numbers
        self.clip_update_norm = self.learning.clip_update_norm
        self.study_logging = QCheckBox(setting_caption("study_logging"))
        self.study_logging.setObjectName("study_logging")
        self.consent_notice = QPlainTextEdit()
        self.consent_notice.setObjectName("consent_notice")
        self.consent_notice.setAccessibleName(tr("SessionForm", "Consent notice shown to participants"))
        self.consent_notice.setTabChangesFocus(True)
        self.consent_notice.setMinimumHeight(110)
        self.study_note = _note(tr("SessionForm", STUDY_EXPLANATION), hint=True)
        self.error = QLabel()
        self.error.setObjectName("form_error")
        self.error.setWordWrap(True)
        self.error.setStyleSheet("color: #c62828; font-weight: bold;")
        self.error.hide()
        self.save_button = QPushButton(tr("SessionForm", "Save settings"))
        self.save_button.clicked.connect(self.save_requested)
        self.save_button.setSizePolicy(QSizePolicy.Fixed, QSizePolicy.Fixed)
        self._error_widget: QWidget | None = None  # the field marked by show_error

        task = _group(
            tr("SessionForm", "Task"), [(setting_caption("title"), self.title), (setting_caption("classes"), self.classes)]
        )
        model = _group(
            tr("SessionForm", "Model"),
            [
                (setting_caption("backbone"), self.backbone),
                ("", self.backbone_note),
                ("", self.pretrained),
                ("", self.quantized_backbone),
                ("", self.quantized_note),
            ],
        )
        study = _group(
            tr("SessionForm", "User study"),
            [(self.study_logging,), (setting_caption("consent_notice"), self.consent_notice), (self.study_note,)],
        )
        columns = QHBoxLayout()
        left, right = QVBoxLayout(), QVBoxLayout()
        left.addWidget(task)
        left.addWidget(model)
        left.addStretch(1)
        right.addWidget(self.learning)
        right.addWidget(study)
        right.addStretch(1)
        columns.addLayout(left, 1)
        columns.addLayout(right, 1)
        bottom = QHBoxLayout()
        bottom.addWidget(self.error, 1)
        bottom.addWidget(self.save_button)
        layout = QVBoxLayout(self)
        layout.addLayout(columns)
        layout.addLayout(bottom)
        self.load_defaults()

    # ------------------------------------------------------------------ values

    def load_defaults(self) -> None:
        """A new session: the declared defaults (the Recommended preset), the study notice in the app's language."""
        defaults = SessionConfig(title="", classes=(), quantized_backbone=int8_by_default(DEFAULT_BACKBONE, True)).to_dict()
        if defaults["consent_notice"] == DEFAULT_CONSENT_NOTICE:
            defaults["consent_notice"] = tr_core(DEFAULT_CONSENT_NOTICE)
        self.load(defaults, has_run=False)

    def load(self, config: dict, has_run: bool) -> None:
        self.clear_error()
        self.title.setText(config["title"])
        self.classes.set_classes(list(config["classes"]))
        self.backbone.setCurrentIndex(max(0, self.backbone.findData(config.get("backbone", DEFAULT_BACKBONE))))
        self._show_backbone_note()
        self.pretrained.setChecked(bool(config.get("pretrained", True)))
        self.quantized_backbone.setChecked(bool(config.get("quantized_backbone", False)))
        self.learning.load(config)
        self.study_logging.setChecked(bool(config["study_logging"]))
        self.consent_notice.setPlainText(config["consent_notice"])
        self.set_shape_locked(has_run)

    def settings(self) -> dict:
        return {
            "title": self.title.text(),
            "classes": self.classes.classes(),
            "backbone": self.backbone.currentData(),
            "pretrained": self.pretrained.isChecked(),
            "quantized_backbone": self.quantized_backbone.isChecked(),
            **self.learning.values(),
            "study_logging": self.study_logging.isChecked(),
            "consent_notice": self.consent_notice.toPlainText(),
        }

    def validate(self) -> dict | None:
        """The settings if the core accepts them; otherwise shows why (on the field at fault) and returns None."""
        settings = self.settings()
        try:
            SessionConfig.from_dict(settings)
        except InfluxError as exc:
            self.show_error(exc)
            return None
        self.clear_error()
        return settings

    def set_shape_locked(self, locked: bool) -> None:
        self.classes.set_locked(locked)
        self.backbone.setEnabled(not locked)
        self.pretrained.setEnabled(not locked)
        self.quantized_backbone.setEnabled(not locked)
        self.study_note.setText(tr("SessionForm", STUDY_HAS_RUN_EXPLANATION if locked else STUDY_EXPLANATION))

    # ------------------------------------------------------------------ feedback

    def _recommend_quantized(self) -> None:
        """The int8 box follows the backbone and weights the person picks: ticked where int8 is the default."""
        self.quantized_backbone.setChecked(int8_by_default(self.backbone.currentData(), self.pretrained.isChecked()))

    def _show_backbone_note(self) -> None:
        backbone = BACKBONES.get(self.backbone.currentData())
        self.backbone_note.setText(tr_core(backbone.weights_note) if backbone else "")

    def field_widget(self, field: str | None) -> QWidget | None:
        if not field:
            return None
        if field == "classes":
            return self.classes.list
        learning = self.learning.field_widget(field)
        if learning is not None:
            return learning
        return getattr(self, field, None) if field in self.settings() else None

    def show_error(self, exc: InfluxError) -> None:
        self.clear_error()
        self.error.setText(core_message(exc))
        self.error.show()
        widget = self.field_widget(exc.field)
        if widget is not None:
            widget.setStyleSheet(ERROR_STYLE)
            widget.setFocus()
            self._error_widget = widget

    def clear_error(self) -> None:
        self.error.hide()
        self.error.clear()
        widget = self._error_widget
        if widget is not None:
            widget.setStyleSheet("")
            self._error_widget = None
