"""Every round starts from fresh optimizer state, also with its TrainingSession prepared ahead of the
click (issue 17, item 3: webclient/src/lib/trainer_slot.js, kept by app/model_files.js). In each of the
three engines, in the participant app's page (under its CSP), with a real server's head artifacts
(127.0.0.1), from the same global parameters, features, labels and shuffling seed:

- two rounds through the slot as the web client runs them (the first session prepared before the click,
  the second created after the first round was sent) give the same updates, within 1e-6, as sessions
  created at the click (the web client's way before); the same session trained a second time (its AdamW
  moments and step count carried over) does not: the check can see stale state;
- a new learning rate between two rounds (issue 14: the task names another optimizer_model) replaces
  the session prepared with the old one: the round after it trains exactly as a fresh session of the
  new files does, and not as one of the old files."""

from __future__ import annotations

import json

from harness import start_server

#: window.__rounds: the modules, a participant joined, 20 feature vectors on two of the classes, and
#: `round(trainer, params, seed)`: load the parameters, train 10 epochs of batch 16, return the update.
SETUP = """async (code) => {
  const { HeadTrainer } = await import('/src/ort_runtime.js');
  const { ModelFiles } = await import('/src/app/model_files.js');
  const { TrainerSlot } = await import('/src/lib/trainer_slot.js');
  const { ApiClient } = await import('/src/lib/api.js');
  const { Connection } = await import('/src/lib/connection.js');
  const { trainLocally } = await import('/src/lib/train_loop.js');
  const { seededRandom, logitOffsets } = await import('/src/lib/training.js');
  const { encodeParameters } = await import('/src/lib/head.js');
  const api = new ApiClient();
  api.token = (await api.join(code, { nickname: 'fresh-state', device: 'test' })).token;
  const task = await api.task();
  const K = task.classes.length;
  const D = task.backbone.feature_dim;
  const rnd = seededRandom(7);
  const features = Array.from({ length: 20 }, () => Float32Array.from({ length: D }, () => rnd() * 2));
  const labels = features.map((_, i) => i % 2); // two of the classes: the masked softmax has work to do
  const offsets = task.training.mask_absent_classes ? logitOffsets(labels, K) : null;
  const round = async (trainer, params, seed) => {
    await trainer.loadParameters(encodeParameters(params));
    await trainLocally({ trainer, features, labels, featureDim: D, epochs: 10, batchSize: 16, offsets, random: seededRandom(seed) });
    return trainer.parameters();
  };
  const atClick = async (bytes, params, seed) => {
    const fresh = await HeadTrainer.create(bytes);
    try { return await round(fresh, params, seed); } finally { await fresh.release(); }
  };
  const maxDiff = (x, y) => x.reduce((m, v, i) => Math.max(m, Math.abs(v - y[i])), 0);
  const files = new ModelFiles({ api, connection: new Connection({ probe: () => api.status() }) });
  window.__rounds = { HeadTrainer, TrainerSlot, api, task, files, round, atClick, maxDiff, p0: (await api.model()).params,
    masked: offsets !== null, expected: K * (D + 1) };
  return task.training.learning_rate;
}"""

TWO_ROUNDS = """async () => {
  const { TrainerSlot, HeadTrainer, files, task, round, atClick, maxDiff, p0, masked, expected } = window.__rounds;
  const bytes = await files.headArtifacts(task);
  const p1 = p0.map((x, i) => x + 0.01 * Math.sin(i)); // the class model moved on between the rounds
  const load = async () => bytes;
  const slot = new TrainerSlot((b) => HeadTrainer.create(b));
  await slot.prepare('head', load); // as the page does once the head's files are there
  let trainer = await slot.take('head', load);
  const first = await round(trainer, p0, 1);
  await slot.giveBack(trainer, 'head', load); // released, and the next round's session created
  trainer = await slot.take('head', load);
  const second = await round(trainer, p1, 2);
  const reused = await round(trainer, p1, 2); // the same session once more: not fresh
  await slot.giveBack(trainer);
  const refFirst = await atClick(bytes, p0, 1);
  const refSecond = await atClick(bytes, p1, 2);
  return {
    first: maxDiff(first, refFirst), second: maxDiff(second, refSecond), reused: maxDiff(reused, refSecond),
    moved: maxDiff(second, p1), length: second.length, expected, masked,
  };
}"""

BEFORE_NEW_RATE = """async () => {
  const s = window.__rounds;
  await s.files.prepareTrainer(s.task);
  const trainer = await s.files.takeTrainer(s.task);
  s.before = await s.round(trainer, s.p0, 3);
  await s.files.giveBackTrainer(trainer, s.task); // the next round's, prepared with the old rate
  s.oldBytes = await s.files.headArtifacts(s.task);
  return s.files.trainers.fresh !== null;
}"""

AFTER_NEW_RATE = """async () => {
  const { api, files, round, atClick, maxDiff, p0, before, oldBytes, task: oldTask } = window.__rounds;
  const task = await api.task();
  const trainer = await files.takeTrainer(task);
  const after = await round(trainer, p0, 3);
  await files.giveBackTrainer(trainer, task);
  await files.trainers.clear();
  const newBytes = await files.headArtifacts(task);
  const refNew = await atClick(newBytes, p0, 3);
  const refOld = await atClick(oldBytes, p0, 3);
  return {
    rate: task.training.learning_rate,
    optimizerChanged: task.artifacts.optimizer_model.sha256 !== oldTask.artifacts.optimizer_model.sha256,
    beforeVsOld: maxDiff(before, refOld), afterVsNew: maxDiff(after, refNew), afterVsOld: maxDiff(after, refOld),
  };
}"""


def run_in_page(browser, server, steps):
    page = browser.open_page()
    try:
        page.goto(server.url + "/?profile=fresh-state")
        results = [step(page) for step in steps]
        errors = [m for m in page.console_messages() if m.startswith("pageerror:")]
        assert not errors, errors
        return results
    finally:
        page.close()


def test_rounds_prepared_ahead_equal_fresh_sessions(browser, tmp_path):
    server = start_server(tmp_path / "server", {"title": "Fresh state", "classes": ["a", "b", "c", "d"]})
    try:
        _, result = run_in_page(
            browser, server, [lambda p: p.evaluate(SETUP, server.join_code), lambda p: p.evaluate(TWO_ROUNDS)]
        )
    finally:
        server.stop()
    print(f"\n{browser.engine}: {result}")
    assert result["length"] == result["expected"] and result["masked"], result
    assert result["moved"] > 1e-3, f"training changed nothing: {result}"
    assert result["first"] <= 1e-6, result
    assert result["second"] <= 1e-6, result
    assert result["reused"] > 1e-5, f"a reused session trains like a fresh one; the check could not see stale state: {result}"


def test_a_new_learning_rate_replaces_the_session_prepared_ahead(browser, tmp_path):
    server = start_server(tmp_path / "server", {"title": "New rate", "classes": ["a", "b", "c"], "learning_rate": 0.001})

    def new_rate(_page):
        server.admin("PATCH", "", json.dumps({"learning_rate": 0.02}).encode(), "application/json")

    try:
        old_rate, prepared, _, result = run_in_page(
            browser,
            server,
            [
                lambda p: p.evaluate(SETUP, server.join_code),
                lambda p: p.evaluate(BEFORE_NEW_RATE),
                new_rate,
                lambda p: p.evaluate(AFTER_NEW_RATE),
            ],
        )
    finally:
        server.stop()
    print(f"\n{browser.engine}: {result}")
    assert (old_rate, prepared) == (0.001, True)
    assert result["rate"] == 0.02 and result["optimizerChanged"], result
    assert result["beforeVsOld"] <= 1e-6, result
    assert result["afterVsNew"] <= 1e-6, result
    assert result["afterVsOld"] > 1e-4, f"the round after the new rate trained with the old one: {result}"
