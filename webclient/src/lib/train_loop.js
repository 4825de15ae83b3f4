// The local training loop: epochs of shuffled batches through a head trainer (ort_runtime.js
// HeadTrainer, or anything with `step(features, labels, featureDim, logitOffset)` giving the loss).
// Shared by the participant app (app/train_panel.js) and the benchmark page (bench/web/bench.js).
// No DOM and no ONNX Runtime here: node's tests drive it with a fake trainer.
import { epochBatches, assembleBatch, stepsPerEpoch } from './training.js';

/**
 * Train `epochs` epochs on all examples, in batches of `batchSize` shuffled by `random`.
 * `offsets` is the training graph's logit_offset input (training.js logitOffsets) or null.
 * `onStep` is awaited after every step (the app paints its progress bar there).
 * @param {{trainer: {step: Function}, features: Float32Array[], labels: number[], featureDim: number,
 *          epochs: number, batchSize: number, offsets?: Float32Array|null, random?: () => number,
 *          onStep?: (p: {epoch: number, epochs: number, step: number, total: number, loss: number}) => unknown,
 *          now?: () => number}} options
 * @returns {Promise<{steps: number, lossPerEpoch: number[], durationMs: number, stepMs: number}>}
 */
export async function trainLocally({
  trainer, features, labels, featureDim, epochs, batchSize, offsets = null, random = Math.random, onStep = null,
  now = () => performance.now(),
}) {
  const total = epochs * stepsPerEpoch(features.length, batchSize);
  const lossPerEpoch = [];
  let step = 0;
  const start = now();
  for (let epoch = 1; epoch <= epochs; epoch++) {
    let lossSum = 0;
    let batches = 0;
    for (const batch of epochBatches(features.length, batchSize, random)) {
      const { features: x, labels: y } = assembleBatch(features, labels, batch, featureDim);
      const loss = await trainer.step(x, y, featureDim, offsets);
      lossSum += loss;
      batches += 1;
      step += 1;
      if (onStep) await onStep({ epoch, epochs, step, total, loss });
    }
    lossPerEpoch.push(lossSum / Math.max(batches, 1));
  }
  const durationMs = now() - start;
  return { steps: step, lossPerEpoch, durationMs, stepMs: durationMs / Math.max(step, 1) };
}
