// The user-study log of one participant page (docs/study-data.md): typed helpers build the only
// events the server accepts (influx_desktop/study.py BROWSER_EVENTS, mirrored in STUDY_EVENTS),
// a queue in the profile's database keeps them across reloads and lost Wi-Fi, and batches of at
// most MAX_BATCH go to POST /api/v1/events. The server de-duplicates by `seq`, so a batch whose
// answer was lost is simply sent again. No DOM here: main.js wires visibility and `online`.
//
// An event holds counts, sizes, class names, numbers, the page's own image numbers and which model
// explained ('class' or 'own') — no helper takes a file, a name or pixels, and anything outside the
// schema is refused before it is queued.

export const MAX_BATCH = 200;
const QUEUE = 'studyQueue';
const SEQ_KEY = 'studySeq';
const STATE_KEY = 'study';

const isCount = (v) => Number.isInteger(v) && v >= 0 && v <= 1e9;
const isNumber = (v) => typeof v === 'number' && Number.isFinite(v) && Math.abs(v) < 1e12;
const isUnit = (v) => isNumber(v) && v >= 0 && v <= 1;
const isClass = (v, classes) => typeof v === 'string' && classes.includes(v);
const isSplit = (v) => v === 'train' || v === 'test';
const isVisibility = (v) => v === 'visible' || v === 'hidden';
const isLosses = (v) => Array.isArray(v) && v.length <= 1000 && v.every(isNumber);
const isModel = (v) => v === 'class' || v === 'own';

/** kind -> {field: check(value, classes)}: every field required, no other allowed (as the server). */
export const STUDY_EVENTS = Object.freeze({
  image_added: { split: isSplit, count: isCount, bytes: isCount },
  image_deleted: { split: isSplit, count: isCount },
  suggestion_shown: { image: isCount, suggested: isClass, confidence: isUnit },
  suggestion_accepted: { image: isCount, label: isClass },
  suggestion_changed: { image: isCount, from: isClass, to: isClass },
  training_started: { base_version: isCount, epochs: isCount, batch_size: isCount, samples: isCount },
  training_finished: { duration_ms: isNumber, epochs: isCount, loss_per_epoch: isLosses },
  update_submitted: { base_version: isCount, sample_count: isCount },
  visibility: { state: isVisibility },
  explanation_viewed: { image: isCount, class: isClass, model: isModel, version: isCount },
  photo_tried: { top: isClass, confidence: isUnit, model: isModel, version: isCount },
});

export class StudyEventError extends Error {
  constructor(message) { super(message); this.name = 'StudyEventError'; }
}

/** The event's data exactly as the schema wants it, or StudyEventError naming what is wrong. */
export function checkEvent(kind, data, classes) {
  const schema = STUDY_EVENTS[kind];
  if (!schema) throw new StudyEventError(`'${kind}' is not a study event`);
  const fields = Object.keys(schema);
  const given = Object.keys(data);
  if (given.length !== fields.length || !fields.every((f) => Object.hasOwn(data, f))) {
    throw new StudyEventError(`'${kind}' takes exactly ${fields.join(', ')}; got ${given.join(', ')}`);
  }
  for (const f of fields) {
    if (!schema[f](data[f], classes)) throw new StudyEventError(`'${kind}'.${f} cannot be ${JSON.stringify(data[f])}`);
  }
  return Object.fromEntries(fields.map((f) => [f, data[f]]));
}

/** Retry delay after `failures` failed sends in a row: doubling from 1 s to 60 s, with jitter. */
export function backoffMs(failures, random = Math.random) {
  const base = Math.min(60_000, 1000 * 2 ** Math.max(0, failures - 1));
  return Math.round(base * (0.5 + random() / 2));
}

/** What to do with a failed send: `off` (drop all, stop), `bad` (drop the named event or batch), `auth`, `retry`. */
export function classifyFailure(err) {
  const status = err?.status;
  if (status === 409 && err.code === 'study_logging_off') return 'off';
  if (status === 403 && err.code === 'consent_required') return 'off';
  if (status === 401) return 'auth';
  if (status === 400 || status === 413 || status === 422) return 'bad';
  return 'retry'; // no answer (offline), 5xx, 429, anything else passing
}

/** `events[3].data.confidence` -> 3 */
function badIndex(err) {
  const m = /^events\[(\d+)\]/.exec(err?.field || '');
  return m ? Number(m[1]) : null;
}

/**
 * One profile's study log over a storage backend (storage.js interface: get/getAll/put/delete/deleteWhere,
 * stores `meta` and `studyQueue`). `send(events, {keepalive})` posts a batch and throws on failure with
 * `.status`/`.code`/`.field` like api.js's ApiError.
 */
export class StudyLog {
  constructor({ backend, send, now = () => Date.now() / 1000, timers = globalThis, random = Math.random,
    batchDelayMs = 1000, warn = (...a) => console.warn(...a) }) {
    Object.assign(this, { backend, send, now, timers, random, batchDelayMs, warn });
    this.active = false;
    this.classes = [];
    this.failures = 0;
    this.timer = null;
    this.sending = null;
    this.paused = false; // after a 401: no timed retries until the next join
    this.lastSeq = null;
    this.chain = Promise.resolve(); // records are persisted one after another, so seq order = queue order
  }

  /**
   * Start recording for one join (`owner`, e.g. "session:participant") if the participant consented
   * while logging was on. A different owner's unsent events are dropped: its token is gone. A join
   * the server already said "logging off" to stays off across reloads.
   */
  async begin({ owner, classes, consented }) {
    const state = (await this.backend.get('meta', STATE_KEY)) || null;
    if (!state || state.owner !== owner) {
      await this.backend.deleteWhere(QUEUE, () => true);
      await this.backend.put('meta', STATE_KEY, { owner, recording: !!consented });
    } else if (!consented && state.recording) {
      await this.stop();
    }
    const recording = consented && (await this.backend.get('meta', STATE_KEY)).recording;
    this.classes = [...classes];
    this.active = !!recording;
    this.paused = false;
    if (this.active && (await this.pending())) this.schedule(0);
    return this.active;
  }

  /** Stop recording for this join and forget what was not sent (logging switched off, consent gone). */
  async stop() {
    this.active = false;
    this.clearTimer();
    await this.chain;
    await this.backend.deleteWhere(QUEUE, () => true);
    const state = await this.backend.get('meta', STATE_KEY);
    if (state) await this.backend.put('meta', STATE_KEY, { ...state, recording: false });
  }

  async pending() { return (await this.backend.getAll(QUEUE)).length; }

  // --- the typed helpers: the only way an event is made ------------------------------------------
  imageAdded(split, count, bytes) { return this.record('image_added', { split, count, bytes }); }
  imageDeleted(split, count) { return this.record('image_deleted', { split, count }); }
  suggestionShown(image, suggested, confidence) { return this.record('suggestion_shown', { image, suggested, confidence }); }
  suggestionAccepted(image, label) { return this.record('suggestion_accepted', { image, label }); }
  suggestionChanged(image, from, to) { return this.record('suggestion_changed', { image, from, to }); }
  trainingStarted({ baseVersion, epochs, batchSize, samples }) {
    return this.record('training_started', { base_version: baseVersion, epochs, batch_size: batchSize, samples });
  }
  trainingFinished({ durationMs, epochs, lossPerEpoch }) {
    return this.record('training_finished', { duration_ms: durationMs, epochs, loss_per_epoch: lossPerEpoch });
  }
  updateSubmitted({ baseVersion, sampleCount }) { return this.record('update_submitted', { base_version: baseVersion, sample_count: sampleCount }); }
  visibility(state) { return this.record('visibility', { state }); }
  /** A "Why?" map shown: `image` is the photo's number, 0 for the photo in Try it (never stored, so it has none). */
  explanationViewed({ image, shown, model, version }) { return this.record('explanation_viewed', { image, class: shown, model, version }); }
  /** A photo scored in Try it (the photo itself is neither kept nor sent): the top class and its probability. */
  photoTried({ top, confidence, model, version }) { return this.record('photo_tried', { top, confidence, model, version }); }

  /**
   * Queue one event, stamped now. Never throws into the app: an event the schema refuses is
   * reported with `warn` and dropped (a study log must not break the participant's work).
   * @returns {Promise<number|null>} its seq, or null when not recorded
   */
  record(kind, data) {
    if (!this.active) return Promise.resolve(null);
    let event;
    try {
      event = { seq: 0, at: this.now(), kind, data: checkEvent(kind, data, this.classes) };
    } catch (err) {
      this.warn(`study log: not recorded: ${err.message}`);
      return Promise.resolve(null);
    }
    const done = this.chain.then(async () => {
      if (!this.active) return null;
      if (this.lastSeq === null) this.lastSeq = (await this.backend.get('meta', SEQ_KEY)) ?? -1;
      event.seq = this.lastSeq + 1;
      // the counter first: a crash between the two writes leaves a gap, never a reused seq
      await this.backend.put('meta', SEQ_KEY, event.seq);
      this.lastSeq = event.seq;
      await this.backend.put(QUEUE, event.seq, event);
      return event.seq;
    });
    this.chain = done.catch((err) => { this.warn(`study log: could not store an event: ${err.message || err}`); });
    return done.then(async (seq) => {
      if (seq !== null) this.schedule((await this.pending()) >= MAX_BATCH ? 0 : this.batchDelayMs);
      return seq;
    }, () => null);
  }

  // --- sending ----------------------------------------------------------------------------------
  schedule(delayMs) {
    if (!this.active || this.sending || this.paused) return;
    if (this.timer !== null) {
      if (delayMs > 0 || this.failures > 0) return; // one is already due (or we are backing off)
      this.clearTimer();
    }
    this.timer = this.timers.setTimeout(() => { this.timer = null; this.flush(); }, delayMs);
  }

  clearTimer() {
    if (this.timer !== null) this.timers.clearTimeout(this.timer);
    this.timer = null;
  }

  /**
   * Send everything queued, batch by batch; resolves when the queue is empty or a send failed
   * (a retry is then scheduled with backoff). `keepalive` lets the last batch outlive the page.
   */
  flush({ keepalive = false } = {}) {
    if (this.sending) return this.sending;
    this.clearTimer();
    this.sending = this.sendAll(keepalive).finally(() => { this.sending = null; }).then(async () => {
      // an event recorded just after the last look at the queue waits for the next batch
      if (this.active && this.timer === null && (await this.pending())) this.schedule(this.batchDelayMs);
    });
    return this.sending;
  }

  async sendAll(keepalive) {
    await this.chain;
    while (this.active) {
      const queued = (await this.backend.getAll(QUEUE)).sort((a, b) => a.seq - b.seq).slice(0, MAX_BATCH);
      if (!queued.length) return;
      const batch = queued.map(({ seq, at, kind, data }) => ({ seq, at, kind, data }));
      try {
        await this.send(batch, { keepalive });
      } catch (err) {
        const what = classifyFailure(err);
        if (what === 'off') { await this.stop(); return; }
        if (what === 'auth') { this.failures = 0; this.paused = true; return; } // the app rejoins; a new join drops this queue
        if (what === 'bad') {
          const i = badIndex(err);
          const dropped = i !== null && i < batch.length ? [batch[i]] : batch;
          this.warn(`study log: the server refused ${dropped.length === 1 ? `event ${dropped[0].seq}` : 'a batch'}: ${err.message}`);
          await this.remove(dropped);
          continue;
        }
        this.failures += 1;
        this.timer = this.timers.setTimeout(() => { this.timer = null; this.flush(); }, backoffMs(this.failures, this.random));
        return;
      }
      this.failures = 0;
      this.paused = false;
      await this.remove(batch); // stored or duplicates: either way the server has them
    }
  }

  async remove(events) {
    const seqs = new Set(events.map((e) => e.seq));
    await this.backend.deleteWhere(QUEUE, (key) => seqs.has(Number(key)));
  }
}
