"""Participants' per-class feature statistics, and the class model's start computed from all of them.

Under label skew (each participant photographs two or three of the classes) local training alone cannot
learn together: it only ever sees its own classes. So each participant also sends, once and again when its
photos change, per class: how many training photos it holds, the sum of their frozen-backbone features and
the sum of their squares. Pooled over every participant, those are the class means and the within-class
feature variances of everyone's photos together, and from them the server writes the head's start: a
diagonal linear discriminant (LDA with a diagonal covariance), scaled to a fixed confidence (``START_MARGIN``).
With every participant's statistics in, the start is exactly what a central diagonal LDA on all the photos
would be; local training (masked to the participant's own classes) refines it, and each update is confined
to what a participant's photos can teach (``confine``). docs/benchmarks.md item 5 has the measurements
behind the choice, docs/security.md what the statistics reveal.

Wire format (``POST /api/v1/class-stats``): ``K×D`` little-endian float32 sums (row k: class k), then ``K×D``
float32 sums of squares (elementwise); header ``X-Class-Counts: n0,…,n(K−1)``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from .errors import InvalidInput
from .models import head
from .store import add_model_version, blob_to_vector, latest_version, model_parameters

#: Photos of one class one participant may claim: far above a lesson's tens, and a cap on how far one
#: participant's statistics can outweigh everyone else's (docs/security.md).
MAX_COUNT = 1000
#: Every backbone's features come from ReLU6 and then average pooling, so each lies in [0, 6]; statistics
#: outside that (with a little room for float32 rounding and the int8 extractor) describe no photos.
FEATURE_MAX = 6.0
_ROOM = 1.01
#: After scaling, the median over classes of (own logit − best other logit) at a class's mean photo.
START_MARGIN = 4.0
#: Variances below this share of the mean variance are raised to it (features that never vary: 0/0).
VARIANCE_FLOOR = 1e-3
#: Within-class variances are estimated from the pooled photos' degrees of freedom ν and shrunk towards
#: their mean by SHRINKAGE_DOF / (ν + SHRINKAGE_DOF): with few photos, towards class means (FedNCM).
SHRINKAGE_DOF = 10.0
_COUNTS_RE = re.compile(r"\s*[0-9]{1,10}\s*(,\s*[0-9]{1,10}\s*)*")


@dataclass(frozen=True)
class ClassStats:
    """Per-class photo counts [K], feature sums [K,D] and sums of squares [K,D] (float64)."""

    counts: np.ndarray
    sums: np.ndarray
    squares: np.ndarray

    @property
    def num_classes(self) -> int:
        return int(self.counts.size)

    def to_body(self) -> bytes:
        """The wire body (float32): what a participant sends."""
        return self.sums.astype("<f4").tobytes() + self.squares.astype("<f4").tobytes()

    def counts_header(self) -> str:
        return ",".join(str(int(n)) for n in self.counts)

    @classmethod
    def of(cls, features: np.ndarray, labels: np.ndarray, num_classes: int) -> ClassStats:
        """A participant's statistics of its own labelled features (what the browser computes)."""
        f = np.asarray(features, dtype=np.float64)
        y = np.asarray(labels, dtype=np.int64)
        counts = np.bincount(y, minlength=num_classes).astype(np.int64)
        sums = np.zeros((num_classes, f.shape[1]))
        squares = np.zeros((num_classes, f.shape[1]))
        np.add.at(sums, y, f)
        np.add.at(squares, y, f * f)
        return cls(counts, sums, squares)


def parse(counts_header: object, body: bytes, num_classes: int, feature_dim: int = head.FEATURE_DIM) -> ClassStats:
    """Validate a participant's statistics; every problem is an InvalidInput naming the header or the body."""
    if not isinstance(counts_header, str) or not counts_header.strip():
        raise InvalidInput(
            "The X-Class-Counts header is missing: send one count per class, e.g. 'X-Class-Counts: 12,0,9'.",
            code="counts_missing",
            field="X-Class-Counts",
        )
    if not _COUNTS_RE.fullmatch(counts_header):
        raise InvalidInput(
            "X-Class-Counts must be whole numbers separated by commas (one per class); got '{got}'.",
            code="bad_counts",
            field="X-Class-Counts",
            got=counts_header.strip()[:40],
        )
    counts = np.array([int(n) for n in counts_header.split(",")], dtype=np.int64)
    if counts.size != num_classes:
        raise InvalidInput(
            "X-Class-Counts has {n} counts; this session has {classes} classes.",
            code="bad_counts",
            field="X-Class-Counts",
            n=int(counts.size),
            classes=num_classes,
        )
    if counts.max() > MAX_COUNT:
        raise InvalidInput("A class count may be at most {n}.", code="bad_counts", field="X-Class-Counts", n=MAX_COUNT)
    if counts.sum() == 0:
        raise InvalidInput(
            "Every class count is 0: send statistics once you have labelled training photos.",
            code="bad_counts",
            field="X-Class-Counts",
        )
    expected = 2 * num_classes * feature_dim * 4
    if len(body) != expected:
        raise InvalidInput(
            "The class statistics must hold {values} float32 values ({expected} bytes: {classes}×{dim} sums, then as "
            "many sums of squares); this body has {size} bytes.",
            code="wrong_length",
            field="body",
            values=2 * num_classes * feature_dim,
            expected=expected,
            classes=num_classes,
            dim=feature_dim,
            size=len(body),
        )
    values = np.frombuffer(body, dtype="<f4").astype(np.float64).reshape(2, num_classes, feature_dim)
    if not np.all(np.isfinite(values)):
        raise InvalidInput("The class statistics contain NaN or infinite values.", code="not_finite", field="body")
    sums, squares = values[0], values[1]
    empty = counts == 0
    if np.any(sums[empty] != 0) or np.any(squares[empty] != 0):
        k = int(np.flatnonzero(empty & ((sums != 0).any(axis=1) | (squares != 0).any(axis=1)))[0])
        raise InvalidInput(
            "Class {k} has count 0 but non-zero statistics; the rows of a class with no photos must be zero.",
            code="counts_mismatch",
            field="body",
            k=k,
        )
    if np.any(squares < 0):
        raise InvalidInput("A sum of squares is negative.", code="inconsistent_statistics", field="body")
    n = counts[:, None].astype(np.float64)
    if np.any(sums < -1e-6) or np.any(sums > _ROOM * FEATURE_MAX * n) or np.any(squares > _ROOM * FEATURE_MAX**2 * n):
        raise InvalidInput(
            "The class statistics are out of range: every feature lies between 0 and {max:g}, so a class's sums lie "
            "between 0 and {max:g} × its count (and its sums of squares up to {max_squared:g} × its count).",
            code="out_of_range",
            field="body",
            max=FEATURE_MAX,
            max_squared=FEATURE_MAX**2,
        )
    # Σx² ≥ (Σx)²/n for every feature (a variance is never negative), up to float32 rounding.
    held = ~empty
    spread = squares[held] - sums[held] ** 2 / counts[held, None]
    if np.any(spread < -1e-3 * squares[held] - 1e-6):
        raise InvalidInput(
            "The sums of squares are smaller than the sums allow (a negative variance): these are not the "
            "statistics of any set of photos.",
            code="inconsistent_statistics",
            field="body",
        )
    return ClassStats(counts, sums, squares)


def pool(stats: Iterable[ClassStats]) -> ClassStats | None:
    """Everyone's statistics added up (None when there are none)."""
    total = None
    for s in stats:
        total = s if total is None else ClassStats(total.counts + s.counts, total.sums + s.sums, total.squares + s.squares)
    return total


def start_parameters(
    pooled: ClassStats | None, initial: np.ndarray, num_classes: int, feature_dim: int = head.FEATURE_DIM
) -> np.ndarray:
    """The head's start: diagonal-LDA rows for the classes with photos, ``initial``'s rows for the others.

    Row k: ``w_k = s·μ_k/σ²``, ``b_k = −s·μ_kᵀμ_k/(2σ²)`` with μ_k the pooled mean of class k, σ² the pooled
    within-class variance per feature (shrunk towards its mean when few photos back it) and s the one scale
    that gives a class's mean photo a median lead of ``START_MARGIN`` logits over the next class.
    """
    weight, bias = (np.array(a, dtype=np.float64) for a in head.split(initial, num_classes, feature_dim))
    if pooled is None or not pooled.counts.any():
        return head.join(weight, bias)
    held = pooled.counts > 0
    n = pooled.counts[held].astype(np.float64)
    mean = pooled.sums[held] / n[:, None]
    within = np.maximum(pooled.squares[held] - n[:, None] * mean**2, 0.0).sum(axis=0)
    dof = float(n.sum() - held.sum())
    variance = within / dof if dof > 0 else np.zeros(mean.shape[1])
    average = float(variance.mean())
    if average <= 0:  # one photo per class: no spread to estimate, so nearest class mean
        variance[:] = average = 1.0
    variance = (dof * variance + SHRINKAGE_DOF * average) / (dof + SHRINKAGE_DOF)
    variance = np.maximum(variance, VARIANCE_FLOOR * average)
    w = mean / variance
    b = -0.5 * (mean * w).sum(axis=1)
    logits = mean @ w.T + b  # [held, held]: row i is class i's mean photo
    if held.sum() >= 2:
        others = np.where(np.eye(len(logits), dtype=bool), -np.inf, logits).max(axis=1)
        lead = float(np.median(np.diag(logits) - others))
    else:
        lead = float(abs(logits[0, 0]))
    scale = START_MARGIN / lead if lead > 0 else 1.0
    weight[held] = w * scale
    bias[held] = b * scale
    return head.join(weight, bias)


# ---------------------------------------------------------------------- the start in force, and updates on it


@dataclass(frozen=True)
class Start:
    """The start from everyone's statistics as of some version: the parameters, and the class means and
    photo counts it was computed from (``confine`` needs them)."""

    parameters: np.ndarray  # float32, the head's layout
    means: np.ndarray  # [K,D] pooled class means (zero rows for classes no one has photos of)
    counts: np.ndarray  # [K] pooled photo counts


def compute_start(
    pooled_stats: ClassStats | None, initial: np.ndarray, num_classes: int, feature_dim: int = head.FEATURE_DIM
) -> Start:
    if pooled_stats is None:  # nobody's statistics (left): version 0's parameters
        return Start(np.asarray(initial, np.float32), np.zeros((num_classes, feature_dim)), np.zeros(num_classes, np.int64))
    k = pooled_stats.num_classes
    held = pooled_stats.counts > 0
    means = np.zeros((k, feature_dim))
    means[held] = pooled_stats.sums[held] / pooled_stats.counts[held, None]
    parameters = start_parameters(pooled_stats, initial, k, feature_dim).astype(np.float32)
    return Start(parameters, means, pooled_stats.counts.copy())


def confine(delta: np.ndarray, start: Start) -> np.ndarray:
    """An update's change, kept to what the participant's photos can teach: how classes compare on photos.

    Each row the update changed is projected (least change) so that its logit stays as it was

    - at the mean photo of every class the update left untouched (and someone holds). A participant trained
      with the absent classes masked changes only the rows of the classes it holds, yet a change to class
      a's row moves a's logit on every photo: AdamW steps every weight by about the learning rate whatever
      the gradient, and the features are all positive, so two-class training shifts a's and b's logits on
      everyone's photos and the classes it never saw lose them;
    - at the balanced mean photo (the average of the held classes' means). Local training also learns the
      participant's own class balance (55 photos of one class, 2 of another: favour the first everywhere),
      and FedAsync hands the model to whoever trained last. Fixing each row's logit at the average photo
      leaves every class as favoured overall as it was, and only how the classes compare on particular photos
      changes. (This also keeps FedBuff's sum of stale deltas from overshooting in that direction.)

    Rows the update left unchanged stay unchanged.
    """
    k, dim = start.means.shape
    held = start.counts > 0
    weight, bias = head.split(delta, k, dim)
    changed = np.flatnonzero(np.any(weight != 0, axis=1) | (bias != 0))
    if changed.size == 0 or not held.any():
        return delta
    untouched = np.flatnonzero(held & ~np.isin(np.arange(k), changed))
    points = np.vstack([start.means[untouched], start.means[held].mean(axis=0, keepdims=True)])
    constraints = np.hstack([points, np.ones((len(points), 1))])  # [u+1, D+1]: logit = w·x + b at x
    rows = np.hstack([weight[changed], bias[changed, None]]).astype(np.float64)  # [c, D+1]
    gram = constraints @ constraints.T
    gram += np.eye(len(points)) * 1e-9 * float(np.trace(gram))
    rows -= (rows @ constraints.T) @ np.linalg.solve(gram, constraints)
    weight, bias = weight.copy(), bias.copy()
    weight[changed], bias[changed] = rows[:, :-1], rows[:, -1]
    return head.join(weight, bias)


# ---------------------------------------------------------------------- persistence (inside the caller's transaction)
# Tables (store.SCHEMA): class_stats holds each participant's latest statistics; model_starts the start in force
# from each version at which it changed.


def stored_unchanged(db, participant_id: int, stats: ClassStats) -> bool:
    """True when this participant's stored statistics are exactly these (a re-send changes nothing)."""
    row = db.execute("SELECT counts, statistics FROM class_stats WHERE participant_id=?", (participant_id,)).fetchone()
    return row is not None and json.loads(row["counts"]) == stats.counts.tolist() and row["statistics"] == stats.to_body()


def store(db, session_id: int, participant_id: int, stats: ClassStats, now: float) -> None:
    """Keep ``stats`` as this participant's statistics, replacing what it sent before."""
    db.execute(
        "INSERT INTO class_stats (participant_id, session_id, counts, statistics, received_at) VALUES (?, ?, ?, ?, ?) "
        "ON CONFLICT(participant_id) DO UPDATE SET counts=excluded.counts, statistics=excluded.statistics, "
        "received_at=excluded.received_at",
        (participant_id, session_id, json.dumps(stats.counts.tolist()), stats.to_body(), now),
    )


def learned(db, session_id: int, num_classes: int) -> list[bool]:
    """For each class: whether some participant (not removed) has sent statistics of photos of it, so the
    class model's start has learned what it looks like."""
    seen = [False] * num_classes
    for r in db.execute(
        "SELECT c.counts FROM class_stats c JOIN participants p ON p.id=c.participant_id WHERE c.session_id=? AND p.revoked=0",
        (session_id,),
    ):
        for k, n in enumerate(json.loads(r["counts"])[:num_classes]):
            seen[k] = seen[k] or n > 0
    return seen


def pooled(db, session_id: int, num_classes: int, feature_dim: int = head.FEATURE_DIM) -> ClassStats | None:
    """Every participant's statistics added up; those of participants the facilitator removed are left out."""
    rows = db.execute(
        "SELECT c.counts, c.statistics FROM class_stats c JOIN participants p ON p.id=c.participant_id "
        "WHERE c.session_id=? AND p.revoked=0 ORDER BY c.participant_id",
        (session_id,),
    ).fetchall()
    return pool(
        ClassStats(
            np.array(json.loads(r["counts"]), dtype=np.int64),
            *np.frombuffer(r["statistics"], dtype="<f4").astype(np.float64).reshape(2, num_classes, feature_dim),
        )
        for r in rows
    )


def start_at(db, session_id: int, version: int) -> Start | None:
    """The start in force at ``version`` (None: no statistics yet; the start is then version 0's parameters)."""
    row = db.execute(
        "SELECT parameters, means, counts FROM model_starts WHERE session_id=? AND version<=? ORDER BY version DESC LIMIT 1",
        (session_id, version),
    ).fetchone()
    if row is None:
        return None
    counts = np.array(json.loads(row["counts"]), dtype=np.int64)
    return Start(blob_to_vector(row["parameters"]), blob_to_vector(row["means"]).reshape(counts.size, -1), counts)


def start_parameters_at(db, session_id: int, version: int) -> np.ndarray:
    start = start_at(db, session_id, version)
    return start.parameters if start is not None else model_parameters(db, session_id, 0)


def record_start(db, session_id: int, version: int, start: Start) -> None:
    blobs = (start.parameters.astype("<f4").tobytes(), start.means.astype("<f4").tobytes())
    db.execute(
        "INSERT INTO model_starts (session_id, version, parameters, means, counts) VALUES (?, ?, ?, ?, ?)",
        (session_id, version, *blobs, json.dumps(start.counts.tolist())),
    )


def publish_start(db, session_id: int, num_classes: int, feature_dim: int, now: float) -> int:
    """Compute the start from the statistics held now (removed participants' left out) and publish a version
    that moves the current model by the change of the start; returns that version."""
    current_version = latest_version(db, session_id)
    initial = model_parameters(db, session_id, 0)
    start = compute_start(pooled(db, session_id, num_classes, feature_dim), initial, num_classes, feature_dim)
    current = model_parameters(db, session_id, current_version)
    moved = current + (start.parameters - start_parameters_at(db, session_id, current_version))
    new_version = current_version + 1
    add_model_version(db, session_id, new_version, moved, now, [])
    record_start(db, session_id, new_version, start)
    return new_version


def held_by(db, participant_ids: list[int]) -> bool:
    """Whether any of these participants sent statistics."""
    marks = ",".join("?" * len(participant_ids))
    return (
        bool(participant_ids)
        and db.execute(f"SELECT 1 FROM class_stats WHERE participant_id IN ({marks}) LIMIT 1", tuple(participant_ids)).fetchone()
        is not None
    )


def rebase(
    db, session_id: int, base_version: int, current_version: int, client: np.ndarray, base: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """An accepted update's (parameters, base parameters) as the strategies should see them now.

    Each new start enters the model as ``new start − old start``, keeping everything trained on top of the
    old one. An update trained on a version older than the current start is moved along by the same shift
    (its change, client − base, stays what it was), so FedAsync's mixing never pulls the model back towards
    an outdated start; and its change is ``confine``d with the current class means.
    """
    start = start_at(db, session_id, current_version)
    if start is None:
        return client, base
    shift = start.parameters - start_parameters_at(db, session_id, base_version)
    moved = base + shift
    return moved + confine(client - base, start).astype(np.float32), moved


def staleness(db, session_id: int, base_version: int, current_version: int) -> int:
    """Versions published since ``base_version`` that aggregated updates.

    A version made by class statistics is not counted: the update is moved onto its start (``rebase``), so
    it missed nothing there. A class of 30 joining at once publishes 30 such versions within a minute; counted,
    they would make everyone's first update too stale to accept.
    """
    row = db.execute(
        "SELECT COUNT(*) AS n FROM model_versions WHERE session_id=? AND version>? AND version<=? AND update_ids!='[]'",
        (session_id, base_version, current_version),
    ).fetchone()
    return int(row["n"])
