"""The task manifest (``GET /api/v1/task``): everything a participant's browser needs to take part, documented
field by field in docs/architecture.md."""

from __future__ import annotations

from . import __version__, class_stats
from .models import head
from .models.backbones import get_backbone
from .participants import Participant
from .sessions import Sessions
from .store import config_of
from .updates import contributors


def manifest(sessions: Sessions, participant: Participant, study: dict) -> dict:
    """``study``: the participant's place in the user study (``StudyLog.state``)."""
    session_id = participant.session_id
    row = sessions.row(session_id)
    config = config_of(row)
    learned = sessions.store.read(class_stats.learned, session_id, len(config.classes))
    artifacts = sessions.prepare_models(session_id)
    backbone = get_backbone(config.backbone)
    return {
        "session_id": session_id,
        "title": config.title,
        "classes": list(config.classes),
        "state": row["state"],
        "version": sessions.current_version(session_id),
        "participant": {"id": participant.id, "nickname": participant.nickname, "study": study},
        # what the class model has learned so far, for the participant's own words (and whether its label
        # suggestions are worth offering: webclient/src/lib/suggestions.js)
        "class_model": {
            "learned_classes": [c for c, seen in zip(config.classes, learned) if seen],
            "contributors": sessions.store.read(contributors, session_id),
        },
        "backbone": {
            "name": backbone.name,
            "input_size": backbone.input_size,
            "resize": "center-crop",
            "mean": list(backbone.mean),
            "std": list(backbone.std),
            "feature_dim": backbone.feature_dim,
            "sha256": artifacts["feature_extractor"]["sha256"],
            "quantized": "int8" if config.quantized_backbone else None,
        },
        "artifacts": artifacts,
        "parameter_count": head.parameter_count(len(config.classes)),
        "training": {
            "local_epochs": config.local_epochs,
            "batch_size": config.batch_size,
            "learning_rate": config.learning_rate,
            # POST /class-stats before an update whenever the per-class photo counts changed since the
            # last statistics sent successfully (class_stats.py)
            "send_class_stats": True,
            # feed training_model's logit_offset: 0 for the classes in this round's training photos,
            # head.ABSENT_CLASS_OFFSET (-10000) for the others
            "mask_absent_classes": True,
        },
        "limits": {
            "max_staleness": config.max_staleness,
            "max_update_norm": config.max_update_norm,
            "clip_update_norm": config.update_clip_norm(head.parameter_count(len(config.classes))),
        },
        "app_version": __version__,
    }
