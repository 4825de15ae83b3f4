"""Item 5 — convergence under label skew: server-side test accuracy of asynchronous FL against a centrally
trained head, before and after issue 12 (class statistics, masked local training), for every aggregator.

Data: real Fashion-MNIST (Debian's dataset-fashion-mnist), all 10 classes, upscaled to 224 px; features from
the pretrained EfficientNet-Lite0 feature extractor the server builds (native onnxruntime), extracted once and
cached in bench/.cache: 60 training photos per class, split among the participants, and a separate test set
of 100 per class (Fashion-MNIST's test split). The splits:

- ``skew-c`` (label skew, c = 1, 2, 3): each participant photographs c classes. The classes, in a random
  order per seed, are dealt round a ring: participant i holds classes i, i+1, …, i+c−1 (mod 10), and each
  class's photos are divided equally among the participants holding it. With 10 participants and c = 2,
  each holds 30 photos of each of its two classes.
- ``dir-0.1``, ``dir-0.5``: each class's photos divided among the participants with Dirichlet(α) shares.
- ``iid``: the photos dealt at random, equal shares.

Methods, side by side on the same split, speeds and seeds:

- **before**: the method before issue 12: softmax cross-entropy over every class (``logit_offset`` 0), no
  class statistics, the old defaults (5 local epochs, batch 16, learning rate 1e-3).
- **after**: the session defaults (``SessionConfig``), as the browser follows the manifest: each participant
  sends its class statistics before its first update (``POST /class-stats``: the server moves the model
  onto the class-statistics start) and trains with the classes it has no photos of masked.

The FL run goes through the real core (``Coordinator``: sessions, SQLite, strategies, class statistics) in
process; each participant trains the head with onnxruntime's training API on the server's own training
artifacts (``local_training.train_head``, the files ORT-web loads). Asynchrony is simulated with a clock:
every participant takes its own, randomly drawn time per round (log-normal, so some are 3-4× slower),
downloads the current model when it starts and submits when it finishes, so updates arrive stale as they
would in a room. Every version the server publishes is scored on the test features.

Columns: final accuracy; the mean of the last 10 versions; the worst version published after the first 20
accepted updates (how far it swings once under way); the central ceiling: one head trained centrally on
the union of the participants' photos with the same optimizer (50 epochs from the same start, every class in
the softmax). Every figure is the median over ``--seeds`` seeds (split, speeds, shuffles).

    python bench/convergence.py [--quick] [--participants 3 10 30] [--seeds 3] [--int8] [--methods after]
    python bench/convergence.py --training-sweep     # item 5's choice of the local-training defaults
    python bench/convergence.py --ablation           # item 5's choice of the method, part by part
"""

from __future__ import annotations

import argparse
import contextlib
import heapq
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import common  # noqa: E402
from common import median, say, table  # noqa: E402

AGGREGATORS = [
    ("FedAsync constant", "fedasync", {"alpha": 0.6, "staleness_function": "constant"}),
    ("FedAsync polynomial (default)", "fedasync", {"alpha": 0.6, "staleness_function": "polynomial", "a": 0.5}),
    ("FedAsync hinge (a=0.5, b=4)", "fedasync", {"alpha": 0.6, "staleness_function": "hinge", "a": 0.5, "b": 4}),
    ("FedBuff (K=3)", "fedbuff", {"buffer_size": 3, "server_learning_rate": 1.0}),
    ("FedBuff robust (K=5, trimmed mean)", "robust_fedbuff", {"buffer_size": 5, "rule": "trimmed_mean"}),
]
SPLITS = ["skew-1", "skew-2", "skew-3", "dir-0.1", "dir-0.5", "iid"]
#: The method before issue 12: plain softmax over every class, no class statistics, the old defaults.
BEFORE = {"local_epochs": 5, "batch_size": 16, "learning_rate": 1e-3}
CENTRAL_EPOCHS = 50
WARM_UP_UPDATES = 20  # "worst" is taken over the versions published after this many accepted updates


def load_features(class_ids, train_per_class: int, test_per_class: int, quantized: bool = False):
    """(classes, train features, train labels, test features, test labels, extractor) — cached on disk.

    ``quantized``: from the int8 extractor a session with ``quantized_backbone`` serves."""
    from fashion_mnist import CLASS_NAMES, available, load_fashion_mnist

    from influx_desktop.models.backbones import get_backbone
    from influx_desktop.models.features import FeatureExtractor
    from influx_desktop.models.images import preprocess_batch

    if not available():
        raise SystemExit("Fashion-MNIST is not installed: apt-get install dataset-fashion-mnist")
    art = common.model_cache().feature_extractor("efficientnet_lite0", pretrained=True, quantized=quantized)
    key = f"fm-{art.sha256[:12]}-{'-'.join(map(str, class_ids))}-{train_per_class}-{test_per_class}.npz"
    path = common.CACHE / key
    if path.is_file():
        d = np.load(path)
        return [CLASS_NAMES[i] for i in class_ids], d["xtr"], d["ytr"], d["xte"], d["yte"], art
    backbone = get_backbone("efficientnet_lite0")
    extractor = FeatureExtractor(art.path)
    say(f"Extracting features of {len(class_ids) * (train_per_class + test_per_class)} Fashion-MNIST images (once)…")
    tr_img, ytr = load_fashion_mnist("train", class_ids, train_per_class, seed=0)
    te_img, yte = load_fashion_mnist("test", class_ids, test_per_class, seed=1)
    xtr = extractor.extract(preprocess_batch(tr_img, backbone))
    xte = extractor.extract(preprocess_batch(te_img, backbone))
    path.parent.mkdir(parents=True, exist_ok=True)
    np.savez(path, xtr=xtr, ytr=ytr, xte=xte, yte=yte)
    return [CLASS_NAMES[i] for i in class_ids], xtr, ytr, xte, yte, art


# ---------------------------------------------------------------------- splits


def split(kind: str, labels: np.ndarray, parts: int, rng) -> list[np.ndarray]:
    """Indices of each participant's photos (see the module docstring); nobody is left without photos."""
    classes = np.unique(labels)
    if kind.startswith("skew-"):
        held = int(kind.split("-")[1])
        order = rng.permutation(classes)
        holds = [[order[(i + j) % len(order)] for j in range(held)] for i in range(parts)]
        shards: list[list[int]] = [[] for _ in range(parts)]
        for k in classes:
            holders = [i for i in range(parts) if k in holds[i]]
            members = rng.permutation(np.flatnonzero(labels == k))
            for i, chunk in zip(holders, np.array_split(members, len(holders)) if holders else []):
                shards[i].extend(chunk.tolist())
        return [np.array(sorted(s)) for s in shards]
    if kind.startswith("dir-"):
        alpha = float(kind.split("-")[1])
        while True:
            shards = [[] for _ in range(parts)]
            for k in classes:
                members = rng.permutation(np.flatnonzero(labels == k))
                cuts = (np.cumsum(rng.dirichlet([alpha] * parts))[:-1] * len(members)).astype(int)
                for i, chunk in enumerate(np.split(members, cuts)):
                    shards[i].extend(chunk.tolist())
            if all(len(s) >= 2 for s in shards):
                return [np.array(sorted(s)) for s in shards]
    if kind == "iid":
        return [np.array(sorted(s)) for s in np.array_split(rng.permutation(len(labels)), parts)]
    raise ValueError(f"unknown split {kind!r}")


# ---------------------------------------------------------------------- one run


def accuracy(params, features, labels, k) -> float:
    from influx_desktop.models import head

    return float((head.logits(features, params, k).argmax(axis=1) == labels).mean())


@dataclass
class Run:
    curve: list[tuple[int, float]]  # (accepted updates so far, accuracy) for every published version
    rejected: int
    mean_staleness: float

    @property
    def final(self) -> float:
        return self.curve[-1][1]

    @property
    def last10(self) -> float:
        return float(np.mean([a for _, a in self.curve[-10:]]))

    def worst_after(self, warm_up: int) -> float:
        late = [a for n, a in self.curve if n > warm_up]
        return min(late) if late else self.final


#: The ablation's methods: the parts of "after" added one at a time.
ABLATION = {
    "before": "plain softmax, no statistics (before)",
    "mask": "masked softmax only",
    "ncm": "+ class-mean start (statistics, one variance)",
    "lda-unconfined": "+ diagonal-LDA start (per-feature variances)",
    "after": "+ updates confined (after)",
}


@contextlib.contextmanager
def method_parts(method: str):
    """Switch off the parts of the server's method that ``method`` leaves out (the ablation)."""
    from influx_desktop import class_stats

    saved = class_stats.SHRINKAGE_DOF, class_stats.confine
    if method in ("ncm",):
        class_stats.SHRINKAGE_DOF = 1e12  # every feature's variance their mean: nearest class mean
    if method in ("ncm", "lda-unconfined"):
        class_stats.confine = lambda delta, start: delta
    try:
        yield
    finally:
        class_stats.SHRINKAGE_DOF, class_stats.confine = saved


def run_fl(
    data, shards, aggregator: str, params: dict, method: str, updates: int, seed: int, workdir: Path, training: dict | None = None
) -> Run:
    """One simulated session. ``method``: "before" or "after" (module docstring), or a step of the ablation
    (``ABLATION``); ``training``: settings that replace the session defaults (the sweep)."""
    with method_parts(method):
        return _run_fl(data, shards, aggregator, params, method, updates, seed, workdir, training)


def _run_fl(
    data, shards, aggregator: str, params: dict, method: str, updates: int, seed: int, workdir: Path, training: dict | None
) -> Run:
    from influx_desktop.class_stats import ClassStats
    from influx_desktop.coordinator import Coordinator
    from influx_desktop.errors import InfluxError
    from influx_desktop.models.local_training import train_head

    classes, xtr, ytr, xte, yte, _ = data
    k = len(classes)
    n = len(shards)
    rng = np.random.default_rng(seed)
    speeds = rng.lognormal(0.0, 0.5, n)  # seconds per round, relative
    after = method != "before"  # the new defaults and masked local training
    send_stats = method not in ("before", "mask")
    co = Coordinator(workdir, model_cache=common.model_cache())
    try:
        settings = {
            "title": "Convergence",
            "classes": [c.replace("/", " or ") for c in classes],
            "aggregator": aggregator,
            "aggregator_params": params,
        }
        settings.update(training or ({} if after else BEFORE))
        session = co.create_session(settings)
        sid = session["id"]
        co.start_session(sid)
        cfg = co.config(sid)
        arts = co.models.head_artifacts(k, cfg.learning_rate)
        who = [co.authenticate(co.join(session["join_code"], f"p{i}")["token"]) for i in range(n)]
        curve = [(0, accuracy(co.parameters(sid)[1], xte, yte, k))]
        seen = {0}
        accepted = rejected = 0

        def note_versions() -> None:
            version, parameters = co.parameters(sid)
            if version not in seen:
                seen.add(version)
                curve.append((accepted, accuracy(parameters, xte, yte, k)))

        stats_sent = [False] * n

        def begin_round(i: int, t: float) -> None:
            if send_stats and not stats_sent[i]:  # the browser: statistics first, whenever its counts changed
                stats = ClassStats.of(xtr[shards[i]], ytr[shards[i]], k)
                co.submit_class_stats(who[i], stats.counts_header(), stats.to_body())
                stats_sent[i] = True
                note_versions()
            v, p = co.parameters(sid)
            heapq.heappush(clock, (t + speeds[i] * rng.uniform(0.8, 1.2), i, v, p))

        clock: list = []
        for i in range(n):
            begin_round(i, 0.0)
        rounds = [0] * n
        guard = 0
        while accepted < updates and guard < updates * 20:
            guard += 1
            t, i, v, p = heapq.heappop(clock)
            idx = shards[i]
            trained = train_head(
                arts,
                p,
                xtr[idx],
                ytr[idx],
                epochs=cfg.local_epochs,
                batch_size=cfg.batch_size,
                seed=seed * 1000 + i * 100 + rounds[i],
                mask_absent_classes=after,
            )
            rounds[i] += 1
            try:
                co.submit_update(who[i], v, len(idx), trained.astype("<f4").tobytes())
                accepted += 1
                note_versions()
            except InfluxError:
                rejected += 1
            begin_round(i, t)
        staleness = [u["staleness"] for u in co.updates(sid) if u["status"] != "rejected"]
        return Run(curve, rejected, float(np.mean(staleness)) if staleness else 0.0)
    finally:
        co.close()


def central(data, shards, epochs: int, seed: int) -> float:
    """The ceiling: one head trained on the union of the participants' photos (every class in the softmax)."""
    from influx_desktop.models import head
    from influx_desktop.models.local_training import train_head

    classes, xtr, ytr, xte, yte, _ = data
    k = len(classes)
    idx = np.concatenate(shards)
    arts = common.model_cache().head_artifacts(k, BEFORE["learning_rate"])
    p = train_head(
        arts, head.initial_parameters(k), xtr[idx], ytr[idx], epochs=epochs, batch_size=16, seed=seed, mask_absent_classes=False
    )
    return accuracy(p, xte, yte, k)


# ---------------------------------------------------------------------- tables


def fmt(x: float) -> str:
    return f"{x:.3f}"


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="4 classes, few photos, skew-2, 3 participants, 8 updates, 1 seed")
    ap.add_argument("--seeds", type=int, default=3)
    ap.add_argument("--participants", type=int, nargs="*", default=[3, 10])
    ap.add_argument("--splits", nargs="*", default=SPLITS, choices=SPLITS)
    ap.add_argument("--aggregators", nargs="*", type=int, help="indices into the aggregator list (default: all)")
    ap.add_argument("--updates", type=int, help="accepted updates per run (default: 15 rounds each, 60 to 150)")
    ap.add_argument("--photos-per-class", type=int, help="use only this many of the 60 training photos per class")
    ap.add_argument(
        "--training-sweep",
        action="store_true",
        help="the 'after' method with other local-training settings (item 5's choice of defaults)",
    )
    ap.add_argument("--ablation", action="store_true", help="the parts of the method added one at a time")
    ap.add_argument("--int8", action="store_true", help="features from the int8 extractor (session option quantized_backbone)")
    ap.add_argument(
        "--methods",
        nargs="*",
        default=["before", "after"],
        choices=["before", "after"],
        help="the methods side by side in the main table (default: both)",
    )
    ap.add_argument(
        "--sweep-settings",
        nargs="*",
        metavar="EPOCHS,BATCH,LR",
        help="with --training-sweep: only these settings, e.g. 10,64,1e-3",
    )
    args = ap.parse_args(argv)
    aggregators = [AGGREGATORS[i] for i in args.aggregators] if args.aggregators else AGGREGATORS
    if args.quick:
        class_ids, train_pc, test_pc, central_epochs = [0, 1, 7, 8], 8, 8, 5
        args.seeds, args.participants, args.updates = 1, [3], 8
        args.splits = ["skew-2"]
    else:
        class_ids, train_pc, test_pc, central_epochs = list(range(10)), 60, 100, CENTRAL_EPOCHS
    machine = common.Machine.now()
    data = load_features(class_ids, train_pc, test_pc, quantized=args.int8)
    if args.photos_per_class:
        classes, xtr, ytr, xte, yte, art = data
        keep = np.concatenate([np.flatnonzero(ytr == k)[: args.photos_per_class] for k in range(len(classes))])
        data = classes, xtr[np.sort(keep)], ytr[np.sort(keep)], xte, yte, art
    say(
        f"{len(data[2])} training and {len(data[4])} test photos, {len(class_ids)} classes, "
        f"{'int8' if args.int8 else 'float32'} feature extractor."
    )
    if args.training_sweep:
        return sweep(data, args, aggregators, machine)
    if args.ablation:
        return ablation(data, args, aggregators, machine)

    rows = []
    for kind in args.splits:
        for n in args.participants:
            updates = args.updates or min(150, max(60, 15 * n))
            seeds = range(args.seeds)
            shards = {s: split(kind, data[2], n, np.random.default_rng(s)) for s in seeds}
            ceiling = median(central(data, shards[s], central_epochs, s) for s in seeds)
            for title, aggregator, params in aggregators:
                runs = {
                    method: [
                        run_fl(data, shards[s], aggregator, params, method, updates, s, common.scratch_dir("conv")) for s in seeds
                    ]
                    for method in args.methods
                }

                def both(metric, runs=runs) -> str:
                    return " → ".join(fmt(median(metric(r) for r in runs[m])) for m in args.methods)

                rows.append(
                    [
                        kind,
                        n,
                        title,
                        fmt(ceiling),
                        both(lambda r: r.final),
                        both(lambda r: r.last10),
                        both(lambda r: r.worst_after(WARM_UP_UPDATES)),
                        " / ".join(f"{median(r.rejected for r in runs[m]):.0f}" for m in args.methods),
                    ]
                )
                say("  " + " | ".join(str(c) for c in rows[-1]))
    say("")
    arrow, slash = " → ".join(args.methods), " / ".join(args.methods)
    say(
        table(
            [
                "split",
                "participants",
                "aggregator",
                "central ceiling",
                f"final: {arrow}",
                f"mean of last 10 versions: {arrow}",
                f"worst after {WARM_UP_UPDATES} updates: {arrow}",
                f"rejected: {slash}",
            ],
            rows,
        )
    )
    say("")
    say(
        f"Server test accuracy on {len(data[4])} photos, median of {args.seeds} seed(s); 15 rounds per participant "
        f"(at least 60, at most 150 accepted updates) unless --updates. before: plain softmax, no class "
        f"statistics, {BEFORE['local_epochs']} epochs, batch {BEFORE['batch_size']}, lr {BEFORE['learning_rate']:g}; "
        "after: the session defaults with class statistics and masked local training. Ceiling: a head trained "
        f"centrally on the same photos ({central_epochs} epochs)."
    )
    common.say_machine_and_command(machine)
    return 0


#: Local-training settings tried for the defaults (the first is the old one).
SWEEP = [
    {"local_epochs": 5, "batch_size": 16, "learning_rate": 1e-3},
    {"local_epochs": 10, "batch_size": 64, "learning_rate": 1e-3},
    {"local_epochs": 10, "batch_size": 8, "learning_rate": 1e-3},
    {"local_epochs": 20, "batch_size": 8, "learning_rate": 1e-3},
    {"local_epochs": 20, "batch_size": 8, "learning_rate": 3e-4},
    {"local_epochs": 5, "batch_size": 16, "learning_rate": 1e-4},
]


def sweep(data, args, aggregators, machine) -> int:
    """The 'after' method under other local-training settings (10 participants; skew-2 and IID by default)."""
    settings_list = SWEEP
    if args.sweep_settings:
        settings_list = [
            {"local_epochs": int(e), "batch_size": int(b), "learning_rate": float(lr)}
            for e, b, lr in (item.split(",") for item in args.sweep_settings)
        ]
    variants = [
        (f"{s['local_epochs']} epochs, batch {s['batch_size']}, lr {s['learning_rate']:g}", "after", s) for s in settings_list
    ]
    note = "'after' method (class statistics, masked local training)"
    return side_by_side(data, args, aggregators, machine, "local training", variants, note)


def ablation(data, args, aggregators, machine) -> int:
    """From before to after, one part at a time (10 participants; skew-2 and IID by default)."""
    variants = [(label, method, None) for method, label in ABLATION.items()]
    note = "session defaults for local training except 'before' (its old ones)"
    return side_by_side(data, args, aggregators, machine, "method", variants, note)


def side_by_side(data, args, aggregators, machine, first_column: str, variants: list, note: str) -> int:
    """A row per variant ``(label, method, local-training settings or None)``, a column per split and
    aggregator: the final accuracy / the mean of the last 10 versions (10 participants; skew-2 and IID by
    default). ``note``: what every row shares, for the line under the table."""
    n = 10 if not args.quick else 3
    splits = args.splits if args.splits != SPLITS else ["skew-2", "iid"]
    aggregators = aggregators if args.aggregators else [AGGREGATORS[1], AGGREGATORS[3]]
    seeds, updates = range(args.seeds), args.updates or 150
    shards = {kind: {s: split(kind, data[2], n, np.random.default_rng(s)) for s in seeds} for kind in splits}
    rows = []
    for label, method, training in variants:
        cells = [label]
        for kind in splits:
            for _title, aggregator, params in aggregators:
                runs = [
                    run_fl(data, shards[kind][s], aggregator, params, method, updates, s, common.scratch_dir("conv"), training)
                    for s in seeds
                ]
                cells.append(f"{fmt(median(r.final for r in runs))} / {fmt(median(r.last10 for r in runs))}")
        rows.append(cells)
        say("  " + " | ".join(cells))
    say("")
    say(table([first_column] + [f"{kind}, {title}: final / last 10" for kind in splits for title, _, _ in aggregators], rows))
    say("")
    say(f"{n} participants, {note}, median of {args.seeds} seed(s).")
    common.say_machine_and_command(machine)
    return 0


if __name__ == "__main__":
    sys.exit(main())
