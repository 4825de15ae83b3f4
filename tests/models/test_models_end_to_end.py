"""Real end to end: offline pretrained backbone -> features of real photos of clothes -> head trained with
the browser's ORT artifacts from the initial parameters -> exported global model, all well above chance."""

from __future__ import annotations

import numpy as np

from influx_desktop.models import head
from influx_desktop.models.export import export_global_model
from influx_desktop.models.local_training import train_head
from influx_desktop.models.runtime import load_onnxruntime


def test_fashion_mnist_three_classes_end_to_end(model_cache, lite0_artifact, fmnist_features, fmnist_batches):
    k = 3
    (f_train, y_train), (f_test, y_test) = fmnist_features["train"], fmnist_features["test"]
    assert f_train.shape == (90, 1280) and f_test.shape == (90, 1280)
    artifacts = model_cache.head_artifacts(k, 1e-3)
    p0 = head.initial_parameters(k)
    before = float((head.logits(f_test, p0, k).argmax(1) == y_test).mean())
    p = train_head(artifacts, p0, f_train, y_train, epochs=20, batch_size=16, seed=0)
    train_acc = float((head.logits(f_train, p, k).argmax(1) == y_train).mean())
    test_acc = float((head.logits(f_test, p, k).argmax(1) == y_test).mean())
    print(f"held-out accuracy {before:.2f} -> {test_acc:.2f} (train {train_acc:.2f}, chance 0.33)")
    assert train_acc >= 0.95
    assert test_acc >= 0.8, (before, test_acc)

    # The exported global model classifies the held-out images the same way.
    x_test, labels = fmnist_batches
    sess = load_onnxruntime().InferenceSession(
        export_global_model(lite0_artifact.path, p, k, ["t-shirt/top", "trouser", "sneaker"]), providers=["CPUExecutionProvider"]
    )
    logits, _ = sess.run(None, {"input": x_test})
    np.testing.assert_array_equal(logits.argmax(1), head.logits(f_test, p, k).argmax(1))
    assert float((logits.argmax(1) == labels).mean()) == test_acc
