import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { centerCropBox, resizeSquareRGB, normalizeToCHW, preprocessPixels, resampleCoefficients } from '../src/lib/preprocess.js';

const pilCases = JSON.parse(readFileSync(new URL('./fixtures/pil_resize.json', import.meta.url)));

test('center crop takes the middle square, offsets floored like the server', () => {
  assert.deepEqual(centerCropBox(9, 7), { left: 1, top: 0, side: 7 });
  assert.deepEqual(centerCropBox(5, 8), { left: 0, top: 1, side: 5 });
  assert.deepEqual(centerCropBox(4000, 3000), { left: 500, top: 0, side: 3000 });
});

for (const c of pilCases) {
  test(`crop + bilinear resize of ${c.width}x${c.height} to ${c.size} matches PIL byte for byte`, () => {
    const out = resizeSquareRGB(Uint8Array.from(c.pixels), c.width, c.height, 3, centerCropBox(c.width, c.height), c.size);
    assert.deepEqual(Array.from(out), c.expected);
  });
}

test('RGBA input (canvas ImageData) ignores alpha and gives the same bytes as RGB', () => {
  const c = pilCases[2];
  const rgba = new Uint8ClampedArray(c.width * c.height * 4);
  for (let i = 0; i < c.width * c.height; i++) {
    rgba.set(c.pixels.slice(i * 3, i * 3 + 3), i * 4);
    rgba[i * 4 + 3] = 17;
  }
  const out = resizeSquareRGB(rgba, c.width, c.height, 4, centerCropBox(c.width, c.height), c.size);
  assert.deepEqual(Array.from(out), c.expected);
});

test('resample weights of every output pixel sum to one', () => {
  for (const [inSize, outSize] of [[3000, 224], [28, 224], [7, 3]]) {
    for (const { weights } of resampleCoefficients(inSize, outSize)) {
      assert.ok(Math.abs(weights.reduce((a, b) => a + b, 0) - 1) < 1e-9);
    }
  }
});

test('normalisation is planar NCHW with (x - mean[c]) / std[c]', () => {
  // 2x2 image, pixel i has RGB (i, 100 + i, 200 + i)
  const rgb = Uint8Array.from([0, 100, 200, 1, 101, 201, 2, 102, 202, 3, 103, 203]);
  const out = normalizeToCHW(rgb, 2, [0, 100, 200], [1, 2, 4]);
  assert.deepEqual(Array.from(out), [0, 1, 2, 3, 0, 0.5, 1, 1.5, 0, 0.25, 0.5, 0.75]);
});

test('the manifest backbone block drives size, mean and std', () => {
  const pixels = new Uint8ClampedArray(6 * 4 * 4).fill(255);
  const out = preprocessPixels(pixels, 6, 4, 4, { input_size: 3, mean: [127, 127, 127], std: [128, 128, 128] });
  assert.equal(out.length, 3 * 3 * 3);
  for (const v of out) assert.equal(v, (255 - 127) / 128);
});
