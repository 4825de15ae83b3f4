import { test } from 'node:test';
import assert from 'node:assert/strict';
import { StudyLog, STUDY_EVENTS, MAX_BATCH, checkEvent, backoffMs, classifyFailure } from '../src/lib/study_log.js';
import { MemoryBackend } from '../src/lib/storage.js';
import { ApiClient, ApiError, NetworkError } from '../src/lib/api.js';

const CLASSES = ['trouser', 'bag', 'sneaker'];
const OWNER = { owner: '1:7', classes: CLASSES, consented: true };

/** Timers that only fire when the test says so. */
function manualTimers() {
  const due = new Map();
  let next = 1;
  return {
    setTimeout(fn, ms) { due.set(next, { fn, ms }); return next++; },
    clearTimeout(id) { due.delete(id); },
    delays() { return [...due.values()].map((t) => t.ms); },
    async fire() {
      const all = [...due.values()];
      due.clear();
      for (const t of all) t.fn();
      await new Promise((r) => setImmediate(r));
    },
  };
}

/** A server stand-in: answers from a script (an Error is thrown, anything else returned), records every batch. */
function fakeServer(...answers) {
  const batches = [];
  const send = async (events) => {
    batches.push(structuredClone(events));
    const answer = answers.length > 1 ? answers.shift() : answers[0];
    if (answer instanceof Error) throw answer;
    return answer ?? { stored: events.length, duplicates: 0, max_seq: events.at(-1).seq };
  };
  return { send, batches };
}

async function openLog({ backend = new MemoryBackend(), server = fakeServer(), timers = manualTimers(), clock = 1_700_000_000 } = {}) {
  const warnings = [];
  const log = new StudyLog({ backend, send: server.send, timers, now: () => clock, random: () => 1, warn: (m) => warnings.push(m) });
  await log.begin(OWNER);
  return { log, backend, server, timers, warnings };
}

test('the helpers build exactly the fields the server schema allows, nothing else', async () => {
  const { log, server } = await openLog();
  await log.imageAdded('train', 3, 12345);
  await log.imageDeleted('test', 1);
  await log.suggestionShown(4, 'bag', 0.61);
  await log.suggestionAccepted(4, 'bag');
  await log.suggestionChanged(5, 'bag', 'sneaker');
  await log.trainingStarted({ baseVersion: 0, epochs: 2, batchSize: 8, samples: 6 });
  await log.trainingFinished({ durationMs: 812.5, epochs: 2, lossPerEpoch: [1.1, 0.7] });
  await log.updateSubmitted({ baseVersion: 0, sampleCount: 6 });
  await log.visibility('hidden');
  await log.explanationViewed({ image: 4, shown: 'bag', model: 'own', version: 3 });
  await log.photoTried({ top: 'sneaker', confidence: 0.9, model: 'class', version: 3 });
  await log.flush();
  const [batch] = server.batches;
  assert.deepEqual(batch.map((e) => e.kind), Object.keys(STUDY_EVENTS));
  for (const e of batch) {
    assert.deepEqual(Object.keys(e).sort(), ['at', 'data', 'kind', 'seq']);
    assert.deepEqual(Object.keys(e.data).sort(), Object.keys(STUDY_EVENTS[e.kind]).sort());
  }
  assert.deepEqual(batch[4].data, { image: 5, from: 'bag', to: 'sneaker' });
  assert.deepEqual(batch[6].data, { duration_ms: 812.5, epochs: 2, loss_per_epoch: [1.1, 0.7] });
  assert.deepEqual(batch[9].data, { image: 4, class: 'bag', model: 'own', version: 3 });
  assert.deepEqual(batch[10].data, { top: 'sneaker', confidence: 0.9, model: 'class', version: 3 });
  assert.equal(batch[0].at, 1_700_000_000);
});

test('events outside the schema are refused before they are queued, and never throw into the app', async () => {
  const { log, warnings } = await openLog();
  assert.equal(await log.suggestionShown(1, 'photo_of_bob.jpg', 0.5), null, 'only class names are allowed strings');
  assert.equal(await log.suggestionShown('IMG_0042.JPG', 'bag', 0.5), null, 'an image is a number, never a name');
  assert.equal(await log.imageAdded('train', 1, -5), null);
  assert.equal(await log.suggestionShown(1, 'bag', 1.5), null);
  assert.equal(await log.trainingFinished({ durationMs: 10, epochs: 1, lossPerEpoch: [NaN] }), null);
  assert.equal(await log.visibility('prerender'), null);
  assert.equal(await log.explanationViewed({ image: 0, shown: 'bag', model: 'teacher', version: 1 }), null, 'only the class model or their own');
  assert.equal(await log.photoTried({ top: 'IMG_0042.JPG', confidence: 0.5, model: 'class', version: 1 }), null);
  assert.equal(await log.record('image_added', { split: 'train', count: 1, bytes: 10, name: 'a.png' }), null);
  assert.equal(await log.record('participant_joined', {}), null, 'the server records joins itself');
  assert.equal(await log.record('test_result', { accuracy: 1 }), null);
  assert.equal(await log.pending(), 0);
  assert.equal(warnings.length, 11);
  assert.throws(() => checkEvent('image_added', { split: 'train', count: 1 }, CLASSES), /exactly split, count, bytes/);
});

test('seq is monotonic per profile and survives a reload; the queue survives too', async () => {
  const backend = new MemoryBackend();
  const first = await openLog({ backend, server: fakeServer(new NetworkError('offline')) });
  assert.equal(await first.log.imageAdded('train', 2, 100), 0);
  assert.equal(await first.log.visibility('hidden'), 1);
  // page reloaded while offline: a new StudyLog over the same database
  const second = await openLog({ backend });
  assert.equal(await second.log.pending(), 2);
  assert.equal(await second.log.visibility('visible'), 2);
  await second.log.flush();
  assert.deepEqual(second.server.batches[0].map((e) => e.seq), [0, 1, 2]);
  assert.equal(await second.log.pending(), 0);
});

test('seqs stay in call order when helpers are called without awaiting', async () => {
  const { log, server } = await openLog();
  const seqs = await Promise.all([1, 2, 3, 4, 5].map((n) => log.suggestionShown(n, 'bag', 0.5)));
  assert.deepEqual(seqs, [0, 1, 2, 3, 4]);
  await log.flush();
  assert.deepEqual(server.batches[0].map((e) => e.data.image), [1, 2, 3, 4, 5]);
});

test('a queue longer than a batch goes out in batches of at most 200', async () => {
  const { log, server } = await openLog();
  for (let i = 0; i < 450; i++) log.visibility(i % 2 ? 'visible' : 'hidden');
  await log.flush();
  assert.deepEqual(server.batches.map((b) => b.length), [MAX_BATCH, MAX_BATCH, 50]);
  assert.deepEqual(server.batches.flat().map((e) => e.seq), Array.from({ length: 450 }, (_, i) => i));
});

test('a recorded event is sent after a short delay, without anyone calling flush', async () => {
  const { log, server, timers } = await openLog();
  await log.visibility('hidden');
  await log.visibility('visible');
  assert.deepEqual(timers.delays(), [1000], 'one send is scheduled for both');
  await timers.fire();
  await log.sending;
  assert.deepEqual(server.batches.map((b) => b.length), [2]);
});

test('offline or a 5xx: the batch stays queued and is retried with growing backoff, then sent once', async () => {
  const server = fakeServer(new NetworkError('offline'), new ApiError(503, 'http_503', 'busy'), new ApiError(500, 'http_500', 'oops'), undefined);
  const { log, timers } = await openLog({ server });
  await log.imageAdded('test', 4, 4000);
  await log.flush();
  assert.deepEqual(timers.delays(), [1000]);
  await timers.fire(); await log.sending;
  assert.deepEqual(timers.delays(), [2000]);
  await timers.fire(); await log.sending;
  assert.deepEqual(timers.delays(), [4000]);
  await timers.fire(); await log.sending;
  assert.equal(await log.pending(), 0);
  assert.deepEqual(server.batches.map((b) => b.map((e) => e.seq)), [[0], [0], [0], [0]], 'the same seq each time');
  assert.equal(log.failures, 0);
  assert.deepEqual(timers.delays(), []);
});

test('backoff doubles up to a minute, with jitter down to half', () => {
  assert.deepEqual([1, 2, 3, 7, 8, 20].map((n) => backoffMs(n, () => 1)), [1000, 2000, 4000, 60000, 60000, 60000]);
  assert.equal(backoffMs(1, () => 0), 500);
});

test('a lost answer is safe: the re-sent batch is counted as duplicates by the server and then dropped', async () => {
  const server = fakeServer(new NetworkError('connection reset after the request was sent'), { stored: 0, duplicates: 2, max_seq: 1 });
  const { log, timers } = await openLog({ server });
  await log.imageAdded('train', 1, 10);
  await log.imageDeleted('train', 1);
  await log.flush();
  await timers.fire(); await log.sending;
  assert.equal(await log.pending(), 0);
  assert.deepEqual(server.batches[0], server.batches[1]);
});

test('409 study_logging_off drops the queue and stops recording, also after a reload', async () => {
  const backend = new MemoryBackend();
  const server = fakeServer(new ApiError(409, 'study_logging_off', 'Study logging is off for this session.'));
  const { log, timers } = await openLog({ backend, server });
  await log.imageAdded('train', 1, 10);
  await log.visibility('hidden');
  await log.flush();
  assert.equal(log.active, false);
  assert.equal(await log.pending(), 0);
  assert.equal(await log.visibility('visible'), null);
  assert.deepEqual(timers.delays(), [], 'no retry');
  const reloaded = await openLog({ backend });
  assert.equal(reloaded.log.active, false);
  assert.equal(await reloaded.log.imageAdded('train', 1, 10), null);
  assert.equal(reloaded.server.batches.length, 0);
});

test('403 consent_required stops as well: nothing of this participant may be recorded', async () => {
  const { log } = await openLog({ server: fakeServer(new ApiError(403, 'consent_required', 'not consented')) });
  await log.visibility('hidden');
  await log.flush();
  assert.equal(log.active, false);
  assert.equal(await log.pending(), 0);
});

test('a 400 naming one bad event drops that event and sends the rest', async () => {
  const server = fakeServer(new ApiError(400, 'invalid_input', "events[1].data.suggested has a value 'suggestion_shown' does not allow.", 'events[1].data.suggested'), undefined);
  const { log, warnings } = await openLog({ server });
  await log.suggestionShown(1, 'bag', 0.5);
  await log.suggestionShown(2, 'trouser', 0.5);
  await log.suggestionShown(3, 'bag', 0.5);
  await log.flush();
  assert.deepEqual(server.batches.map((b) => b.map((e) => e.seq)), [[0, 1, 2], [0, 2]]);
  assert.equal(await log.pending(), 0);
  assert.match(warnings[0], /refused event 1/);
});

test('401: sending pauses without a retry loop (the app rejoins, and a new join starts a new queue)', async () => {
  const backend = new MemoryBackend();
  const { log, timers } = await openLog({ backend, server: fakeServer(new ApiError(401, 'token_unknown', 'gone')) });
  await log.visibility('hidden');
  await log.flush();
  assert.deepEqual(timers.delays(), []);
  assert.equal(await log.pending(), 1);
  await log.begin({ owner: '2:9', classes: CLASSES, consented: true });
  assert.equal(await log.pending(), 0, "the old participant's events cannot be sent with the new token");
  assert.equal(await log.visibility('visible'), 1, 'seq keeps counting for the profile');
});

test('without consent (or with logging off at join) nothing is recorded', async () => {
  const log = new StudyLog({ backend: new MemoryBackend(), send: async () => assert.fail('must not send'), timers: manualTimers() });
  assert.equal(await log.begin({ owner: '1:7', classes: CLASSES, consented: false }), false);
  assert.equal(await log.imageAdded('train', 1, 10), null);
  await log.flush();
  assert.equal(await log.pending(), 0);
});

test('failures are sorted into stop, drop, pause and retry', () => {
  assert.equal(classifyFailure(new ApiError(409, 'study_logging_off', '')), 'off');
  assert.equal(classifyFailure(new ApiError(409, 'session_not_running', '')), 'retry');
  assert.equal(classifyFailure(new ApiError(403, 'consent_required', '')), 'off');
  assert.equal(classifyFailure(new ApiError(400, 'invalid_input', '')), 'bad');
  assert.equal(classifyFailure(new ApiError(401, 'token_unknown', '')), 'auth');
  assert.equal(classifyFailure(new ApiError(502, 'http_502', '')), 'retry');
  assert.equal(classifyFailure(new ApiError(429, 'rate_limited', '')), 'retry');
  assert.equal(classifyFailure(new NetworkError('x')), 'retry');
});

test('the API client posts {"events": [...]} with the token, keepalive when asked', async () => {
  const calls = [];
  const api = new ApiClient({ token: 'tok', fetchImpl: async (url, init) => { calls.push({ url, ...init }); return Response.json({ stored: 1, duplicates: 0, max_seq: 0 }); } });
  const events = [{ seq: 0, at: 1.5, kind: 'visibility', data: { state: 'hidden' } }];
  assert.deepEqual(await api.postStudyEvents(events, { keepalive: true }), { stored: 1, duplicates: 0, max_seq: 0 });
  assert.equal(calls[0].url, '/api/v1/events');
  assert.equal(calls[0].headers.Authorization, 'Bearer tok');
  assert.equal(calls[0].keepalive, true);
  assert.deepEqual(JSON.parse(calls[0].body), { events });
});
