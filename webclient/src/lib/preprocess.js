// Image preprocessing that reproduces the server's pipeline bit for bit where it can:
// center-crop to a square, resize with PIL's BILINEAR (a triangle filter that widens
// when shrinking, i.e. antialiased), RGB, NCHW float32, (x - mean[c]) / std[c], x in 0..255.
// Everything here works on plain pixel arrays so node's test runner can check it.

/** The square PIL would crop: side = min(w, h), offsets floored like Python's //. */
export function centerCropBox(width, height) {
  const side = Math.min(width, height);
  return { left: Math.floor((width - side) / 2), top: Math.floor((height - side) / 2), side };
}

function triangle(x) {
  x = Math.abs(x);
  return x < 1 ? 1 - x : 0;
}

/**
 * Per-output-pixel tap windows and normalised weights for one axis, as PIL's
 * ImagingResample computes them (precompute_coeffs in Resample.c).
 */
export function resampleCoefficients(inSize, outSize) {
  const scale = inSize / outSize;
  const filterScale = Math.max(scale, 1);
  const support = 1 * filterScale;
  const taps = [];
  for (let i = 0; i < outSize; i++) {
    const center = (i + 0.5) * scale;
    const start = Math.max(Math.trunc(center - support + 0.5), 0);
    const end = Math.min(Math.trunc(center + support + 0.5), inSize);
    const weights = [];
    let total = 0;
    for (let x = start; x < end; x++) {
      const w = triangle((x - center + 0.5) / filterScale);
      weights.push(w);
      total += w;
    }
    for (let k = 0; k < weights.length; k++) weights[k] = total ? weights[k] / total : 0;
    taps.push({ start, weights });
  }
  return taps;
}

// PIL resamples 8-bit images with fixed-point weights (PRECISION_BITS = 32 - 8 - 2) and
// rounds by starting each sum at half a unit; doing the same gives identical bytes.
const PRECISION_BITS = 22;
const ONE = 1 << PRECISION_BITS;
const HALF = 1 << (PRECISION_BITS - 1);

function fixedPointTaps(taps) {
  return taps.map(({ start, weights }) => ({
    start,
    weights: Int32Array.from(weights, (w) => Math.trunc(w * ONE + (w < 0 ? -0.5 : 0.5))),
  }));
}

function clip8(sum) {
  const v = Math.floor(sum / ONE);
  return v < 0 ? 0 : v > 255 ? 255 : v;
}

/**
 * Resize a square region of an RGBA (or RGB) pixel buffer to outSize x outSize RGB with
 * separable horizontal-then-vertical passes and an 8-bit image in between, as PIL does.
 * @param {Uint8ClampedArray|Uint8Array} pixels source, row-major, `channels` bytes per pixel
 * @returns {Uint8Array} outSize*outSize*3 RGB bytes
 */
export function resizeSquareRGB(pixels, width, height, channels, box, outSize) {
  const { left, top, side } = box;
  const hTaps = fixedPointTaps(resampleCoefficients(side, outSize));
  const vTaps = hTaps;
  const mid = new Uint8Array(side * outSize * 3);
  for (let y = 0; y < side; y++) {
    const rowBase = (top + y) * width;
    for (let x = 0; x < outSize; x++) {
      const { start, weights } = hTaps[x];
      let r = HALF, g = HALF, b = HALF;
      for (let k = 0; k < weights.length; k++) {
        const p = (rowBase + left + start + k) * channels;
        const w = weights[k];
        r += pixels[p] * w; g += pixels[p + 1] * w; b += pixels[p + 2] * w;
      }
      const o = (y * outSize + x) * 3;
      mid[o] = clip8(r); mid[o + 1] = clip8(g); mid[o + 2] = clip8(b);
    }
  }
  const out = new Uint8Array(outSize * outSize * 3);
  for (let y = 0; y < outSize; y++) {
    const { start, weights } = vTaps[y];
    for (let x = 0; x < outSize; x++) {
      let r = HALF, g = HALF, b = HALF;
      for (let k = 0; k < weights.length; k++) {
        const p = ((start + k) * outSize + x) * 3;
        const w = weights[k];
        r += mid[p] * w; g += mid[p + 1] * w; b += mid[p + 2] * w;
      }
      const o = (y * outSize + x) * 3;
      out[o] = clip8(r); out[o + 1] = clip8(g); out[o + 2] = clip8(b);
    }
  }
  return out;
}

/** RGB HWC bytes -> NCHW float32 with (x - mean[c]) / std[c], written into `target` at `offset`. */
export function normalizeToCHW(rgb, size, mean, std, target = new Float32Array(3 * size * size), offset = 0) {
  const plane = size * size;
  for (let i = 0; i < plane; i++) {
    for (let c = 0; c < 3; c++) {
      target[offset + c * plane + i] = (rgb[i * 3 + c] - mean[c]) / std[c];
    }
  }
  return target;
}

/**
 * The whole pipeline for one decoded image (RGBA pixels, e.g. from ImageData).
 * @param {{input_size:number, mean:number[], std:number[]}} backbone the manifest's backbone block
 */
export function preprocessPixels(pixels, width, height, channels, backbone) {
  const size = backbone.input_size;
  const rgb = resizeSquareRGB(pixels, width, height, channels, centerCropBox(width, height), size);
  return normalizeToCHW(rgb, size, backbone.mean, backbone.std);
}
