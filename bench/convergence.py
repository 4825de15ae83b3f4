"""Item 5 — convergence: server-side test accuracy vs accepted updates, FedAsync (each staleness function)
and FedBuff, 3 and 10 simulated participants, against a centrally trained head (the ceiling).

Data: real Fashion-MNIST (Debian's dataset-fashion-mnist), all 10 classes, upscaled to 224 px; features from
the pretrained EfficientNet-Lite0 feature extractor the server builds (native onnxruntime), extracted once and
cached in bench/.cache. The training images are split among the participants non-IID: each class's images
are divided with Dirichlet(0.5) proportions, so participants hold very different class mixes. The test set
is separate (Fashion-MNIST's test split).

The FL run goes through the real core (``Coordinator``: sessions, SQLite, strategies) in process; each
participant trains the head with onnxruntime's training API on the server's own training artifacts
(``local_training.train_head``, the files ORT-web loads), session defaults: 5 local epochs, batch 16,
learning rate 1e-3. Asynchrony is simulated with a clock: every participant takes its own, randomly drawn
time per round (log-normal, so some are 3-4× slower), downloads the current model when it starts and
submits when it finishes, so updates arrive stale as they would in a room. Accuracy of each new global
version is scored on the test features (what the server's evaluator computes).

The ceiling: one head trained centrally with the same optimizer on the union of all participants' data
(50 epochs). Every figure is the median over ``--seeds`` seeds (data split, speeds, shuffles).

    python bench/convergence.py [--quick]
"""

from __future__ import annotations

import argparse
import heapq
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import common  # noqa: E402
from common import median, say, table  # noqa: E402

STRATEGIES = [
    ("FedAsync constant", "fedasync", {"alpha": 0.6, "staleness_function": "constant"}),
    ("FedAsync polynomial (a=0.5)", "fedasync", {"alpha": 0.6, "staleness_function": "polynomial", "a": 0.5}),
    ("FedAsync hinge (a=0.5, b=4)", "fedasync", {"alpha": 0.6, "staleness_function": "hinge", "a": 0.5, "b": 4}),
    ("FedBuff (K=3, η=1)", "fedbuff", {"buffer_size": 3, "server_learning_rate": 1.0}),
]


def load_features(class_ids, train_per_class: int, test_per_class: int):
    """(classes, train features, train labels, test features, test labels, extractor sha) — cached on disk."""
    from fashion_mnist import CLASS_NAMES, available, load_fashion_mnist

    from influx_desktop.models.backbones import get_backbone
    from influx_desktop.models.features import FeatureExtractor
    from influx_desktop.models.images import preprocess_batch

    if not available():
        raise SystemExit("Fashion-MNIST is not installed: apt-get install dataset-fashion-mnist")
    art = common.model_cache().feature_extractor("efficientnet_lite0", pretrained=True)
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


def dirichlet_split(labels: np.ndarray, parts: int, rng, alpha: float = 0.5) -> list[np.ndarray]:
    """Indices per participant; each class divided with Dirichlet(alpha) proportions; nobody left empty."""
    while True:
        shards = [[] for _ in range(parts)]
        for k in np.unique(labels):
            members = rng.permutation(np.flatnonzero(labels == k))
            cuts = (np.cumsum(rng.dirichlet([alpha] * parts))[:-1] * len(members)).astype(int)
            for i, chunk in enumerate(np.split(members, cuts)):
                shards[i].extend(chunk.tolist())
        if all(len(s) >= 4 for s in shards):
            return [np.array(sorted(s)) for s in shards]


def accuracy(params, features, labels, k) -> float:
    from influx_desktop.models import head

    return float((head.logits(features, params, k).argmax(axis=1) == labels).mean())


def run_fl(data, participants: int, aggregator: str, params: dict, updates: int, seed: int, workdir: Path) -> dict:
    """One simulated session; returns accuracy after each accepted update and the rejection count."""
    from influx_desktop.coordinator import Coordinator
    from influx_desktop.errors import InfluxError
    from influx_desktop.models.local_training import train_head

    classes, xtr, ytr, xte, yte, _ = data
    k = len(classes)
    rng = np.random.default_rng(seed)
    shards = dirichlet_split(ytr, participants, rng)
    speeds = rng.lognormal(0.0, 0.5, participants)  # seconds per round, relative
    co = Coordinator(workdir, model_cache=common.model_cache())
    try:
        session = co.create_session({"title": "Convergence", "classes": [c.replace("/", " or ") for c in classes],
                                     "aggregator": aggregator, "aggregator_params": params})
        sid = session["id"]
        co.start_session(sid)
        arts = co.models.head_artifacts(k, co.config(sid).learning_rate)
        cfg = co.config(sid)
        who = [co.authenticate(co.join(session["join_code"], f"p{i}")["token"]) for i in range(participants)]
        curve = [accuracy(co.parameters(sid)[1], xte, yte, k)]
        rejected = 0
        rounds = [0] * participants
        # (finish time, participant, base version, base parameters)
        clock = []
        for i in range(participants):
            v, p = co.parameters(sid)
            heapq.heappush(clock, (speeds[i] * rng.uniform(0.8, 1.2), i, v, p))
        guard = 0
        while len(curve) - 1 < updates and guard < updates * 20:
            guard += 1
            t, i, v, p = heapq.heappop(clock)
            idx = shards[i]
            trained = train_head(arts, p, xtr[idx], ytr[idx], epochs=cfg.local_epochs, batch_size=cfg.batch_size,
                                 seed=seed * 1000 + i * 100 + rounds[i])
            rounds[i] += 1
            try:
                co.submit_update(who[i], v, len(idx), trained.astype("<f4").tobytes())
                curve.append(accuracy(co.parameters(sid)[1], xte, yte, k))
            except InfluxError:
                rejected += 1
            nv, np_ = co.parameters(sid)
            heapq.heappush(clock, (t + speeds[i] * rng.uniform(0.8, 1.2), i, nv, np_))
        staleness = [u["staleness"] for u in co.updates(sid)]
        return {"curve": curve, "rejected": rejected, "max_staleness": max(staleness) if staleness else 0,
                "mean_staleness": float(np.mean(staleness)) if staleness else 0.0}
    finally:
        co.close()


def central(data, epochs: int, seed: int) -> float:
    from influx_desktop.models import head
    from influx_desktop.models.local_training import train_head

    classes, xtr, ytr, xte, yte, _ = data
    k = len(classes)
    arts = common.model_cache().head_artifacts(k, 1e-3)
    p = train_head(arts, head.initial_parameters(k), xtr, ytr, epochs=epochs, batch_size=16, seed=seed)
    return accuracy(p, xte, yte, k)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="4 classes, few images, 6 updates, 1 seed")
    ap.add_argument("--seeds", type=int, default=3)
    ap.add_argument("--updates", type=int, default=150)
    ap.add_argument("--participants", type=int, nargs="*", default=[3, 10])
    args = ap.parse_args(argv)
    if args.quick:
        class_ids, train_pc, test_pc, args.updates, args.seeds, central_epochs = [0, 1, 7, 8], 8, 8, 6, 1, 5
        args.participants = [3]
    else:
        class_ids, train_pc, test_pc, central_epochs = list(range(10)), 60, 50, 50
    machine = common.Machine.now()
    data = load_features(class_ids, train_pc, test_pc)
    say(f"{len(data[2])} training and {len(data[4])} test images, {len(class_ids)} classes.")
    marks = [m for m in (5, 10, 20, 40, 60, 100, 150) if m <= args.updates]
    if args.updates not in marks:
        marks.append(args.updates)

    ceiling = median(central(data, central_epochs, s) for s in range(args.seeds))
    say(f"Central head on the union of the data ({central_epochs} epochs): test accuracy {ceiling:.3f}")
    rows = []
    for n in args.participants:
        for title, aggregator, params in STRATEGIES:
            runs = [
                run_fl(data, n, aggregator, params, args.updates, s, common.scratch_dir("conv"))
                for s in range(args.seeds)
            ]
            at = {m: median(r["curve"][min(m, len(r["curve"]) - 1)] for r in runs) for m in marks}
            start = median(r["curve"][0] for r in runs)
            final = at[marks[-1]]
            say(f"  {n} participants, {title}: " + ", ".join(f"{m}: {at[m]:.3f}" for m in marks)
                + f"; rejected {[r['rejected'] for r in runs]}, max staleness {[r['max_staleness'] for r in runs]}")
            rows.append([n, title, f"{start:.3f}"] + [f"{at[m]:.3f}" for m in marks]
                        + [f"{final / ceiling:.3f}", f"{median(r['mean_staleness'] for r in runs):.1f} / "
                           f"{median(r['max_staleness'] for r in runs):.0f}", f"{median(r['rejected'] for r in runs):.0f}"])
    say("")
    say(table(
        ["participants", "aggregator", "0"] + [str(m) for m in marks]
        + ["final ÷ ceiling", "staleness mean / max", "rejected"],
        rows,
    ))
    say("")
    say(f"Columns 0…{marks[-1]}: server test accuracy after that many accepted updates (median of {args.seeds} seeds). "
        f"Ceiling (centrally trained head, same data, same optimizer, {central_epochs} epochs): {ceiling:.3f}.")
    say(machine.line())
    say(f"Command: {common.command_line()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
