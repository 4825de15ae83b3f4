// Class activation maps of the head over the backbone's feature map (issue 16), with no DOM.
// The same arithmetic as influx_desktop/models/cam.py: CAM_k(y, x) = sum_c W[k, c] F(c, y, x) + b_k / (h w),
// the bias spread evenly over the h*w cells. A heatmap shows one map scaled to its own range, upsampled
// between cell centres to the picture's size, coloured along HEAT_STOPS (the desktop app's colours) and
// mixed into the photo as cam.overlay does.

/** The feature extractor's "feature_map" output dims [1, D, h, w] (NCHW) of one photo -> {depth, height, width}. */
export function featureMapShape(dims) {
  if (!Array.isArray(dims) || dims.length !== 4 || dims[0] !== 1) throw new Error(`a feature map must be [1, D, h, w], got [${dims}]`);
  return { depth: dims[1], height: dims[2], width: dims[3] };
}

/** Class k's map [h*w] (row-major, float32) from a feature map [D*h*w] and the head's parameter vector. */
export function classActivationMap(featureMap, params, numClasses, shape, k) {
  const { depth, height, width } = shape;
  const cells = height * width;
  if (featureMap.length !== depth * cells) throw new Error(`feature map has ${featureMap.length} values, not ${depth}x${height}x${width}`);
  if (params.length !== numClasses * depth + numClasses) throw new Error('parameters do not fit the feature map');
  if (!(Number.isInteger(k) && k >= 0 && k < numClasses)) throw new Error(`no class ${k}`);
  const map = new Float64Array(cells);
  const row = k * depth;
  for (let c = 0; c < depth; c++) {
    const w = params[row + c];
    if (w === 0) continue;
    const plane = c * cells;
    for (let i = 0; i < cells; i++) map[i] += w * featureMap[plane + i];
  }
  const bias = Math.fround(params[numClasses * depth + k] / cells); // cam.spread_bias: b/(h·w) in float32
  const out = new Float32Array(cells);
  for (let i = 0; i < cells; i++) out[i] = map[i] + bias;
  return out;
}

/** The logit the map gives back: mean(CAM_k) + b_k (1 - 1/(h w)) (cam.logits_from_maps). */
export function logitFromMap(map, params, numClasses, depth, k) {
  let sum = 0;
  for (const v of map) sum += v;
  const bias = params[numClasses * depth + k];
  return sum / map.length + bias * (1 - 1 / map.length);
}

/** The lowest and highest value of a map. */
export function mapRange(map) {
  let low = Infinity, high = -Infinity;
  for (const v of map) { if (v < low) low = v; if (v > high) high = v; }
  return { low, high };
}

/** One map scaled to 0..1 over its own range (all zeros when it is flat): what a heatmap shows. */
export function normalised(map) {
  const { low, high } = mapRange(map);
  const out = new Float32Array(map.length);
  if (!(high > low) || !Number.isFinite(high - low)) return out;
  for (let i = 0; i < map.length; i++) out[i] = (map[i] - low) / (high - low);
  return out;
}

function axis(n, size) {
  const low = new Int32Array(size), high = new Int32Array(size), frac = new Float32Array(size);
  for (let i = 0; i < size; i++) {
    const pos = Math.min(Math.max((i + 0.5) * n / size - 0.5, 0), n - 1);
    low[i] = Math.floor(pos);
    high[i] = Math.min(low[i] + 1, n - 1);
    frac[i] = pos - low[i];
  }
  return { low, high, frac };
}

/** A [h*w] map resized to [size*size] by bilinear interpolation between cell centres (edges held), as cam.upsample. */
export function upsample(map, height, width, size) {
  const ys = axis(height, size), xs = axis(width, size);
  const out = new Float32Array(size * size);
  for (let y = 0; y < size; y++) {
    const r0 = ys.low[y] * width, r1 = ys.high[y] * width, fy = ys.frac[y];
    for (let x = 0; x < size; x++) {
      const c0 = xs.low[x], c1 = xs.high[x], fx = xs.frac[x];
      const top = map[r0 + c0] * (1 - fx) + map[r0 + c1] * fx;
      const bottom = map[r1 + c0] * (1 - fx) + map[r1 + c1] * fx;
      out[y * size + x] = top * (1 - fy) + bottom * fy;
    }
  }
  return out;
}

/** [position, r, g, b] from low to high: the desktop app's ramp (cam.HEAT_STOPS), blue → green → yellow → red. */
export const HEAT_STOPS = Object.freeze([
  [0.0, 48, 18, 59], [0.25, 40, 150, 220], [0.5, 90, 210, 100], [0.75, 250, 200, 40], [1.0, 200, 20, 10],
].map(Object.freeze));

/** A value in 0..1 -> [r, g, b] (0..255, not rounded) along HEAT_STOPS. */
export function heatColour(value) {
  const v = Math.min(Math.max(value, 0), 1);
  for (let i = 1; i < HEAT_STOPS.length; i++) {
    const [p1, ...c1] = HEAT_STOPS[i];
    if (v <= p1) {
      const [p0, ...c0] = HEAT_STOPS[i - 1];
      const t = (v - p0) / (p1 - p0);
      return c0.map((c, j) => c + (c1[j] - c) * t);
    }
  }
  return HEAT_STOPS[HEAT_STOPS.length - 1].slice(1);
}

/** The CSS gradient of the ramp, for a legend beside the picture. */
export function heatGradient(direction = 'to right') {
  return `linear-gradient(${direction}, ${HEAT_STOPS.map(([p, r, g, b]) => `rgb(${r} ${g} ${b}) ${p * 100}%`).join(', ')})`;
}

/**
 * The photo with one class's map drawn over it, as cam.overlay: the map scaled to its own range,
 * upsampled to the picture, coloured and mixed in at `opacity`. `photo`: RGBA pixels (size*size*4,
 * e.g. an ImageData's data) of the square the backbone saw; gives new RGBA pixels (opaque).
 */
export function overlayPixels(photo, map, height, width, size, opacity = 0.5) {
  if (photo.length !== size * size * 4) throw new Error(`the photo has ${photo.length / 4} pixels, not ${size}x${size}`);
  const values = upsample(normalised(map), height, width, size);
  const out = new Uint8ClampedArray(size * size * 4); // rounds half to even, as numpy's rint
  for (let i = 0; i < values.length; i++) {
    const heat = heatColour(values[i]);
    for (let c = 0; c < 3; c++) out[4 * i + c] = photo[4 * i + c] * (1 - opacity) + heat[c] * opacity;
    out[4 * i + 3] = 255;
  }
  return out;
}

const ROWS = ['top', 'middle', 'bottom'];
const COLUMNS = ['left', 'centre', 'right'];

/**
 * Where a map is highest, in words a child can follow: 'top-left', 'top-centre', …, 'middle-centre',
 * …, 'bottom-right' (the photo cut into thirds), or null when the map is flat.
 */
export function hottestRegion(map, height, width) {
  const { low, high } = mapRange(map);
  if (!(high > low)) return null;
  const i = Array.prototype.indexOf.call(map, high);
  const third = (v, n) => Math.min(2, Math.floor(((v + 0.5) * 3) / n));
  return `${ROWS[third(Math.floor(i / width), height)]}-${COLUMNS[third(i % width, width)]}`;
}
