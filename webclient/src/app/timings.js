// Timings for tests/browser/benchmark_webclient.py, kept only when the page is opened with
// `?timings` (the benchmark adds it to its URLs): then `window.influxTimings` holds, for each photo
// prepared in the page, its preprocessing and extraction time (`photos`), the last training's
// time per step (`trainStepMs`), and each round's time from "Train" pressed to the update's answer with
// its training time (`rounds`). Without the flag the page keeps none of this.

/**
 * @returns {{photos: {preprocessMs: number, extractMs: number}[], trainStepMs: number|null,
 *   rounds: {clickToAcceptedMs: number, trainMs: number}[]}|null}
 */
export function benchmarkTimings(params) {
  if (!params.has('timings')) return null;
  const timings = { photos: [], trainStepMs: null, rounds: [] };
  window.influxTimings = timings;
  return timings;
}
