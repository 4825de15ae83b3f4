import { test } from 'node:test';
import assert from 'node:assert/strict';
import { trainLocally } from '../src/lib/train_loop.js';
import { seededRandom } from '../src/lib/training.js';

/** Records every step it is given; its loss is the step number, so per-epoch means are known. */
function recordingTrainer() {
  const steps = [];
  return {
    steps,
    async step(x, y, featureDim, offsets) {
      steps.push({ rows: Array.from({ length: y.length }, (_, i) => Array.from(x.slice(i * featureDim, (i + 1) * featureDim))), labels: Array.from(y, Number), featureDim, offsets });
      return steps.length;
    },
  };
}

const features = Array.from({ length: 5 }, (_, i) => Float32Array.from([i, 10 + i]));
const labels = [0, 1, 0, 1, 1];

test('every epoch feeds each example once, with its own label, in batches of batch_size', async () => {
  const trainer = recordingTrainer();
  const run = await trainLocally({ trainer, features, labels, featureDim: 2, epochs: 3, batchSize: 2, random: seededRandom(4) });
  assert.equal(run.steps, 9); // 3 epochs of ceil(5 / 2) batches
  assert.deepEqual(trainer.steps.map((s) => s.labels.length), [2, 2, 1, 2, 2, 1, 2, 2, 1]);
  for (let epoch = 0; epoch < 3; epoch++) {
    const rows = trainer.steps.slice(epoch * 3, epoch * 3 + 3).flatMap((s) => s.rows.map((r, i) => [...r, s.labels[i]]));
    assert.deepEqual(rows.map(([first]) => first).sort(), [0, 1, 2, 3, 4]);
    for (const [first, second, label] of rows) assert.deepEqual([second, label], [10 + first, labels[first]]);
  }
  assert.deepEqual(run.lossPerEpoch, [2, 5, 8]); // the mean of steps 1-3, 4-6, 7-9
});

test('the same seed gives the same batches; the logit offsets reach every step', async () => {
  const offsets = Float32Array.from([0, -10000]);
  const a = recordingTrainer();
  const b = recordingTrainer();
  await trainLocally({ trainer: a, features, labels, featureDim: 2, epochs: 2, batchSize: 2, offsets, random: seededRandom(9) });
  await trainLocally({ trainer: b, features, labels, featureDim: 2, epochs: 2, batchSize: 2, offsets, random: seededRandom(9) });
  assert.deepEqual(a.steps.map((s) => s.labels), b.steps.map((s) => s.labels));
  assert.ok(a.steps.every((s) => s.offsets === offsets && s.featureDim === 2));
  const none = recordingTrainer();
  await trainLocally({ trainer: none, features, labels, featureDim: 2, epochs: 1, batchSize: 8 });
  assert.equal(none.steps[0].offsets, null);
});

test('onStep is awaited after each step with the progress, and the time per step is measured', async () => {
  let clock = 1000;
  const seen = [];
  const trainer = { async step() { clock += 4; return 0.5; } };
  const run = await trainLocally({
    trainer, features, labels, featureDim: 2, epochs: 2, batchSize: 4, now: () => clock,
    onStep: async (p) => { await new Promise((r) => setTimeout(r, 1)); seen.push(p); clock += 1; },
  });
  assert.deepEqual(seen.map((p) => [p.epoch, p.epochs, p.step, p.total, p.loss]), [[1, 2, 1, 4, 0.5], [1, 2, 2, 4, 0.5], [2, 2, 3, 4, 0.5], [2, 2, 4, 4, 0.5]]);
  assert.equal(run.durationMs, 20);
  assert.equal(run.stepMs, 5);
});

test('a real softmax head trained through the loop separates two classes', async () => {
  // plain gradient descent on W [2, 2] and b [2]: proves the batches pair each feature with its label
  const W = [0, 0, 0, 0];
  const b = [0, 0];
  const trainer = {
    async step(x, y, D) {
      let loss = 0;
      const gW = [0, 0, 0, 0], gb = [0, 0];
      for (let i = 0; i < y.length; i++) {
        const f = x.slice(i * D, (i + 1) * D);
        const z = [0, 1].map((k) => W[k * D] * f[0] + W[k * D + 1] * f[1] + b[k]);
        const m = Math.max(...z);
        const e = z.map((v) => Math.exp(v - m));
        const p = e.map((v) => v / (e[0] + e[1]));
        const label = Number(y[i]);
        loss -= Math.log(p[label]);
        for (let k = 0; k < 2; k++) {
          const g = (p[k] - (k === label ? 1 : 0)) / y.length;
          gW[k * D] += g * f[0];
          gW[k * D + 1] += g * f[1];
          gb[k] += g;
        }
      }
      for (let j = 0; j < 4; j++) W[j] -= 0.5 * gW[j];
      for (let k = 0; k < 2; k++) b[k] -= 0.5 * gb[k];
      return loss / y.length;
    },
  };
  const random = seededRandom(1);
  const points = Array.from({ length: 40 }, (_, i) => Float32Array.from([(i % 2 ? 1 : -1) + random() - 0.5, random() - 0.5]));
  const classes = points.map((_, i) => i % 2);
  const run = await trainLocally({ trainer, features: points, labels: classes, featureDim: 2, epochs: 20, batchSize: 8, random });
  assert.ok(run.lossPerEpoch.at(-1) < run.lossPerEpoch[0] / 4, run.lossPerEpoch);
  const right = points.filter((f, i) => (W[2] * f[0] + W[3] * f[1] + b[1] > W[0] * f[0] + W[1] * f[1] + b[0] ? 1 : 0) === classes[i]);
  assert.equal(right.length, points.length);
});
