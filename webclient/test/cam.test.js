import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import {
  classActivationMap, logitFromMap, mapRange, normalised, upsample, heatColour, heatGradient, overlayPixels, hottestRegion,
  featureMapShape, HEAT_STOPS,
} from '../src/lib/cam.js';
import { computeLogits } from '../src/lib/head.js';

const shape = { depth: 3, height: 2, width: 2 };
// F[c, y, x]: channel 0 hot at the top left, channel 1 at the bottom right, channel 2 everywhere.
const F = Float32Array.from([4, 0, 0, 0, 0, 0, 0, 8, 1, 1, 1, 1]);
// W = [[1, 0, 0], [0, 1, 0]], b = [0.4, -2]
const params = Float32Array.from([1, 0, 0, 0, 1, 0, 0.4, -2]);
/** influx_desktop/models/cam.py's answers on a random 24-channel map and 3-class head (fixtures/make_cam_reference.py). */
const REF = JSON.parse(readFileSync(new URL('./fixtures/cam_reference.json', import.meta.url)));

const maxDiff = (a, b) => Math.max(...Array.from(a, (v, i) => Math.abs(v - b[i])));

test('a class map is W . F at every cell plus its bias spread over the cells', () => {
  assert.deepEqual(Array.from(classActivationMap(F, params, 2, shape, 0)), [4.1, 0.1, 0.1, 0.1].map(Math.fround));
  assert.deepEqual(Array.from(classActivationMap(F, params, 2, shape, 1)), [-0.5, -0.5, -0.5, 7.5]);
});

test('the maps give back the logits of the pooled features', () => {
  const pooled = Float32Array.from([1, 2, 1]); // the mean of F over the cells
  const logits = computeLogits(params, 2, 3, pooled);
  for (const k of [0, 1]) {
    const map = classActivationMap(F, params, 2, shape, k);
    assert.ok(Math.abs(logitFromMap(map, params, 2, 3, k) - logits[k]) < 1e-6);
  }
});

test('the maps, the logits they give back, the upsampling and the overlay are those of the desktop (cam.py)', () => {
  const { depth, height, width, classes, size } = REF;
  const fm = Float32Array.from(REF.feature_map);
  const p = Float32Array.from(REF.params);
  for (let k = 0; k < classes; k++) {
    const map = classActivationMap(fm, p, classes, { depth, height, width }, k);
    const { low, high } = mapRange(map);
    assert.ok(high - low > 1, 'a map with something to show');
    assert.ok(maxDiff(map, REF.maps[k]) <= 1e-5 * (high - low), `class ${k}: ${maxDiff(map, REF.maps[k])}`);
    assert.ok(Math.abs(logitFromMap(map, p, classes, depth, k) - REF.logits[k]) < 1e-4);
  }
  const map = Float32Array.from(REF.maps[1]);
  assert.ok(maxDiff(upsample(normalised(map), height, width, size), REF.upsampled_1) < 1e-6);
  const rgba = new Uint8ClampedArray(size * size * 4);
  REF.photo.forEach((v, i) => { rgba[Math.floor(i / 3) * 4 + (i % 3)] = v; });
  const drawn = overlayPixels(rgba, map, height, width, size);
  const rgb = Array.from(drawn).filter((_, i) => i % 4 !== 3);
  assert.ok(maxDiff(rgb, REF.overlay_1) <= 1, 'at most a rounding step from the desktop picture');
  assert.ok(rgb.filter((v, i) => v !== REF.overlay_1[i]).length <= rgb.length / 100, 'and almost every channel exactly');
  assert.ok(Array.from(drawn).every((v, i) => i % 4 !== 3 || v === 255), 'opaque');
});

test('shapes and classes are checked', () => {
  assert.deepEqual(featureMapShape([1, 1280, 7, 7]), { depth: 1280, height: 7, width: 7 });
  assert.throws(() => featureMapShape([2, 1280, 7, 7]), /feature map/);
  assert.throws(() => classActivationMap(F.subarray(1), params, 2, shape, 0), /values/);
  assert.throws(() => classActivationMap(F, params.subarray(1), 2, shape, 0), /parameters/);
  assert.throws(() => classActivationMap(F, params, 2, shape, 2), /no class/);
  assert.throws(() => overlayPixels(new Uint8ClampedArray(8), F, 2, 2, 4), /pixels/);
});

test('upsampling puts a hot cell over the middle of its patch, like the desktop app', () => {
  const map = new Float32Array(49);
  map[1 * 7 + 5] = 2;
  const up = upsample(map, 7, 7, 224);
  let best = 0;
  for (let i = 1; i < up.length; i++) if (up[i] > up[best]) best = i;
  assert.ok([47, 48].includes(Math.floor(best / 224)) && [175, 176].includes(best % 224));
  assert.equal(up[0], 0);
  const ramp = Float32Array.from({ length: 49 }, (_, i) => i);
  assert.deepEqual(Array.from(upsample(ramp, 7, 7, 7)), Array.from(ramp));
});

test('colours run along the ramp; a flat map is all low', () => {
  assert.deepEqual(heatColour(0), HEAT_STOPS[0].slice(1));
  assert.deepEqual(heatColour(1), HEAT_STOPS[4].slice(1));
  assert.deepEqual(heatColour(-3), HEAT_STOPS[0].slice(1));
  assert.deepEqual(heatColour(0.125), [44, 84, 139.5]);
  assert.deepEqual(Array.from(normalised(Float32Array.from([3, 3]))), [0, 0]);
  assert.deepEqual(Array.from(normalised(Float32Array.from([1, 3, 2]))), [0, 1, 0.5]);
  assert.match(heatGradient(), /^linear-gradient\(to right, rgb\(48 18 59\) 0%, .* rgb\(200 20 10\) 100%\)$/);
  // a grey photo under a map from low to high: the low corner bluish, the high one reddish
  const photo = new Uint8ClampedArray(4 * 4 * 4).fill(128);
  const drawn = overlayPixels(photo, Float32Array.from([0, 1, 2, 3]), 2, 2, 4, 0.5);
  assert.deepEqual(Array.from(drawn.slice(0, 4)), [88, 73, 94, 255]);
  assert.deepEqual(Array.from(drawn.slice(60, 64)), [164, 74, 69, 255]);
});

test('where a map is hottest, in thirds of the photo', () => {
  const at = (cell) => { const m = new Float32Array(49); m[cell] = 1; return hottestRegion(m, 7, 7); };
  assert.equal(at(0), 'top-left');
  assert.equal(at(1 * 7 + 3), 'top-centre');
  assert.equal(at(3 * 7 + 3), 'middle-centre');
  assert.equal(at(4 * 7 + 6), 'middle-right');
  assert.equal(at(5 * 7 + 2), 'bottom-centre');
  assert.equal(at(6 * 7 + 6), 'bottom-right');
  assert.equal(hottestRegion(new Float32Array(49), 7, 7), null, 'a flat map points nowhere');
});
