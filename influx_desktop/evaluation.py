"""Test results: the accuracy participants measure on their own test photos, and the server's accuracy of each
model version on the facilitator's test set (scored by ``testset.ServerEvaluator``).
"""

from __future__ import annotations

import json
import time
from collections.abc import Mapping
from typing import Any

from .errors import InvalidInput
from .events import EventBus, record
from .fields import whole_number
from .participants import Participant
from .store import Store, latest_version, session_config, session_row
from .updates import MAX_SAMPLE_COUNT

#: The most test images a participant's test result may count: far more than a phone holds for a lesson,
#: far less than the 10^6 a made-up result claimed (issue 13).
MAX_TEST_IMAGES = 10_000


class Evaluation:
    def __init__(self, store: Store, bus: EventBus) -> None:
        self.store = store
        self.bus = bus

    def report_test_result(self, participant: Participant, payload: Any) -> None:
        """Store a participant's test result: ``{version, accuracy, n, per_class}``, each checked for consistency."""
        config = self.store.read(session_config, participant.session_id)
        if not isinstance(payload, Mapping):
            raise InvalidInput("The test result must be a JSON object.")
        version = whole_number(payload.get("version"), "version", "version")
        n = whole_number(payload.get("n"), "n", "n")
        accuracy = payload.get("accuracy")
        if isinstance(accuracy, bool) or not isinstance(accuracy, (int, float)) or not 0.0 <= accuracy <= 1.0:
            raise InvalidInput("accuracy must be a number from 0 to 1.", field="accuracy")
        if not 0 < n <= MAX_TEST_IMAGES:
            raise InvalidInput("n must be the number of test images (1 to {hi}).", field="n", hi=MAX_TEST_IMAGES)
        if abs(accuracy * n - round(accuracy * n)) > 1e-6:
            raise InvalidInput("accuracy must be a count of correct answers out of n = {n}.", field="accuracy", n=n)
        if not 0 <= version <= self.store.read(latest_version, participant.session_id):
            raise InvalidInput("Model version {version} does not exist in this session.", field="version", version=version)
        per_class = _per_class(payload.get("per_class", {}), config.classes)
        if per_class and (
            sum(c["total"] for c in per_class.values()) != n
            or sum(c["correct"] for c in per_class.values()) != round(accuracy * n)
        ):
            raise InvalidInput("per_class must add up to n images and accuracy × n correct ones.", field="per_class")
        with self.store.transaction() as db:
            db.execute(
                "INSERT INTO test_results (session_id, participant_id, version, accuracy, n, per_class, at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?)",
                (participant.session_id, participant.id, version, float(accuracy), n, json.dumps(per_class), time.time()),
            )
            event = record(
                db,
                participant.session_id,
                "test_result",
                participant.id,
                version=version,
                accuracy=float(accuracy),
                n=n,
                per_class=per_class,
            )
        self.bus.publish(event)

    def record_test_set(self, session_id: int, images: int, skipped: list[str]) -> int:
        """Log a newly loaded test set; its event id names the set in the accuracy history."""
        with self.store.transaction() as db:
            event = record(db, session_id, "test_set_loaded", images=images, skipped=skipped)
        self.bus.publish(event)
        return event.id

    def record_server_accuracy(
        self, session_id: int, test_set: int, version: int, accuracy: float, n: int, per_class: dict
    ) -> None:
        with self.store.transaction() as db:
            db.execute(
                "INSERT INTO test_results (session_id, participant_id, test_set, version, accuracy, n, per_class, at) "
                "VALUES (?, NULL, ?, ?, ?, ?, ?, ?)",
                (session_id, test_set, version, accuracy, n, json.dumps(per_class), time.time()),
            )
            event = record(
                db,
                session_id,
                "server_evaluation",
                test_set=test_set,
                version=version,
                accuracy=accuracy,
                n=n,
                per_class=per_class,
            )
        self.bus.publish(event)

    def accuracy_history(self, session_id: int) -> list[dict]:
        """Server-side accuracy of each version on the newest test set (older sets' scores are kept, not mixed in)."""
        self.store.read(session_row, session_id)
        rows = self.store.query(
            "SELECT test_set, version, accuracy, n, per_class, at FROM test_results "
            "WHERE session_id=? AND participant_id IS NULL AND test_set = "
            "(SELECT MAX(test_set) FROM test_results WHERE session_id=? AND participant_id IS NULL) "
            "ORDER BY version, id",
            (session_id, session_id),
        )
        return [dict(r, per_class=json.loads(r["per_class"])) for r in rows]


def _per_class(value: Any, classes: tuple[str, ...]) -> dict:
    if not isinstance(value, Mapping):
        raise InvalidInput("per_class must map class names to {correct, total}.", field="per_class")
    result = {}
    for name, counts in value.items():
        if name not in classes:
            raise InvalidInput(
                "per_class names '{name}', which is not a class of this session.", field="per_class", name=str(name)[:40]
            )
        if not isinstance(counts, Mapping):
            raise InvalidInput("Each per_class entry must be {correct, total}.", field="per_class")
        correct, total = counts.get("correct"), counts.get("total")
        if (
            not all(isinstance(x, int) and not isinstance(x, bool) and 0 <= x <= MAX_SAMPLE_COUNT for x in (correct, total))
            or correct > total
        ):
            raise InvalidInput("Each per_class entry needs whole numbers 0 ≤ correct ≤ total.", field="per_class")
        result[name] = {"correct": correct, "total": total}
    return result
