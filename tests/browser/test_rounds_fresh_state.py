"""Every round starts from fresh optimizer state, also with its TrainingSession prepared ahead of the
click (issue 17, item 3: webclient/src/lib/trainer_slot.js). In each of the three engines, in one page:
two rounds through the TrainerSlot as the web client runs them (the first session prepared before the
click, the second created after the first round was sent), then the same two rounds each in a
TrainingSession created at the click (the web client's way before), from the same global parameters,
features, labels and shuffling seed. The updates must agree within 1e-6. The same session trained a
second time (its AdamW moments and step count carried over) must not: the check can see stale state.
The page is the participant app's, under its CSP; the session's real head artifacts from a real server
on 127.0.0.1."""

from __future__ import annotations

from harness import start_server

ROUNDS = """async (code) => {
  const { HeadTrainer } = await import('/src/ort_runtime.js');
  const { TrainerSlot } = await import('/src/lib/trainer_slot.js');
  const { ApiClient } = await import('/src/lib/api.js');
  const { trainLocally } = await import('/src/lib/train_loop.js');
  const { seededRandom, logitOffsets } = await import('/src/lib/training.js');
  const { encodeParameters } = await import('/src/lib/head.js');
  const api = new ApiClient();
  api.token = (await api.join(code, { nickname: 'fresh-state', device: 'test' })).token;
  const task = await api.task();
  const K = task.classes.length;
  const D = task.backbone.feature_dim;
  const a = task.artifacts;
  const bytes = {
    trainingModel: await api.artifact(a.training_model.url), evalModel: await api.artifact(a.eval_model.url),
    optimizerModel: await api.artifact(a.optimizer_model.url), checkpoint: await api.artifact(a.checkpoint.url),
  };
  const rnd = seededRandom(7);
  const features = Array.from({ length: 20 }, () => Float32Array.from({ length: D }, () => rnd() * 2));
  const labels = features.map((_, i) => i % 2); // two of the classes: the masked softmax has work to do
  const offsets = task.training.mask_absent_classes ? logitOffsets(labels, K) : null;
  const p0 = (await api.model()).params;
  const p1 = p0.map((x, i) => x + 0.01 * Math.sin(i)); // the class model moved on between the rounds
  const round = async (trainer, params, seed) => {
    await trainer.loadParameters(encodeParameters(params));
    await trainLocally({ trainer, features, labels, featureDim: D, epochs: 10, batchSize: 16, offsets, random: seededRandom(seed) });
    return trainer.parameters();
  };
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
  const atClick = async (params, seed) => {
    const fresh = await HeadTrainer.create(bytes);
    try { return await round(fresh, params, seed); } finally { await fresh.release(); }
  };
  const refFirst = await atClick(p0, 1);
  const refSecond = await atClick(p1, 2);
  const maxDiff = (x, y) => x.reduce((m, v, i) => Math.max(m, Math.abs(v - y[i])), 0);
  return {
    first: maxDiff(first, refFirst), second: maxDiff(second, refSecond), reused: maxDiff(reused, refSecond),
    moved: maxDiff(second, p1), length: second.length, expected: K * (D + 1), masked: offsets !== null,
  };
}"""


def test_rounds_prepared_ahead_equal_fresh_sessions(browser, tmp_path):
    server = start_server(tmp_path / "server", {"title": "Fresh state", "classes": ["a", "b", "c", "d"]})
    try:
        page = browser.open_page()
        try:
            page.goto(server.url + "/?profile=fresh-state")
            result = page.evaluate(ROUNDS, server.join_code)
            errors = [m for m in page.console_messages() if m.startswith("pageerror:")]
            assert not errors, errors
        finally:
            page.close()
    finally:
        server.stop()
    print(f"\n{browser.engine}: {result}")
    assert result["length"] == result["expected"] and result["masked"], result
    assert result["moved"] > 1e-3, f"training changed nothing: {result}"
    assert result["first"] <= 1e-6, result
    assert result["second"] <= 1e-6, result
    assert result["reused"] > 1e-5, f"a reused session trains like a fresh one; the check could not see stale state: {result}"
