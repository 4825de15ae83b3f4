import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ApiClient, ApiError, NetworkError, describeJoinError, sameJoinCode } from '../src/lib/api.js';
import { encodeParameters } from '../src/lib/head.js';

function fakeFetch(handler) {
  const calls = [];
  const fn = async (url, init = {}) => { calls.push({ url, ...init }); return handler(url, init); };
  fn.calls = calls;
  return fn;
}

const json = (status, body) => new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } });

test('join posts the code without a token and returns the server body', async () => {
  const fetchImpl = fakeFetch(() => json(200, { participant_id: 1, token: 'tok', session_id: 2 }));
  const api = new ApiClient({ fetchImpl });
  assert.deepEqual(await api.join('ABC123', { nickname: 'ada' }), { participant_id: 1, token: 'tok', session_id: 2 });
  const [call] = fetchImpl.calls;
  assert.equal(call.url, '/api/v1/join');
  assert.equal(call.method, 'POST');
  assert.deepEqual(JSON.parse(call.body), { join_code: 'ABC123', nickname: 'ada' });
  assert.equal(call.headers.Authorization, undefined);
});

test('error bodies become ApiError with code and message; no answer becomes NetworkError', async () => {
  const api = new ApiClient({ fetchImpl: fakeFetch(() => json(404, { error: { code: 'join_code_unknown', message: 'No session has this code.', field: 'join_code' } })) });
  await assert.rejects(api.join('X'), (err) => err instanceof ApiError && err.code === 'join_code_unknown' && err.status === 404 && err.field === 'join_code');
  const down = new ApiClient({ fetchImpl: async () => { throw new TypeError('Failed to fetch'); } });
  await assert.rejects(down.status(), NetworkError);
  const html = new ApiClient({ fetchImpl: fakeFetch(() => new Response('<h1>oops</h1>', { status: 500, statusText: 'Internal Server Error' })) });
  await assert.rejects(html.task(), (err) => err instanceof ApiError && err.status === 500);
});

test('the model arrives as raw float32 with its version header', async () => {
  const params = Float32Array.from([1, 2, 3.5]);
  const api = new ApiClient({ token: 'tok', fetchImpl: fakeFetch(() => new Response(encodeParameters(params), { headers: { 'X-Model-Version': '7' } })) });
  const model = await api.model();
  assert.equal(model.version, 7);
  assert.deepEqual(model.params, params);
});

test('an update is raw float32 bytes with base version, sample count and the bearer token', async () => {
  const fetchImpl = fakeFetch(() => json(200, { accepted: true, version: 8, applied: true, staleness: 1, weight: 0.5 }));
  const api = new ApiClient({ token: 'tok', fetchImpl });
  const result = await api.postUpdate(Float32Array.from([0.25, -1]), 7, 20, 'key-0123456789');
  assert.equal(result.version, 8);
  const [call] = fetchImpl.calls;
  assert.equal(call.headers.Authorization, 'Bearer tok');
  assert.equal(call.headers['Content-Type'], 'application/octet-stream');
  assert.equal(call.headers['X-Base-Version'], '7');
  assert.equal(call.headers['X-Sample-Count'], '20');
  assert.equal(call.headers['Idempotency-Key'], 'key-0123456789');
  assert.deepEqual(Array.from(new Uint8Array(call.body)), Array.from(encodeParameters(Float32Array.from([0.25, -1]))));
});

test('join failures read as sentences a participant can act on', () => {
  assert.match(describeJoinError(new NetworkError('x'), 'A').message, /can't be reached/);
  assert.match(describeJoinError(new ApiError(404, 'join_code_unknown', 'nope'), 'ZZZ').message, /"ZZZ" is not known/);
  assert.match(describeJoinError(new ApiError(409, 'session_not_running', 'stopped'), 'A').message, /not running/);
  assert.equal(describeJoinError(new ApiError(409, 'session_not_running', 's')).retry, true);
  // removed and blocked by the teacher: retrying cannot help
  assert.equal(describeJoinError(new ApiError(403, 'device_blocked', 'The teacher removed this device from the session.')).retry, false);
  // no answer at all: the page retries by itself (lib/connection.js), so no Retry button
  assert.equal(describeJoinError(new NetworkError('x')).retry, false);
});

test('join codes match whatever their case and spacing', () => {
  assert.ok(sameJoinCode('ab12cd', 'AB12CD'));
  assert.ok(sameJoinCode(' AB 12CD ', 'ab12cd'));
  assert.ok(!sameJoinCode('AB12CD', 'AB12CE'));
});

test('class statistics go out as raw float32 sums then squares, with the counts in a header', async () => {
  const fetchImpl = fakeFetch(() => json(200, { version: 3, applied: true }));
  const api = new ApiClient({ token: 'tok', fetchImpl });
  const answer = await api.postClassStats({ sums: Float32Array.of(1, 2), squares: Float32Array.of(3, 4), counts: [2, 0] });
  assert.equal(answer.version, 3);
  const [call] = fetchImpl.calls;
  assert.equal(call.url, '/api/v1/class-stats');
  assert.equal(call.headers['X-Class-Counts'], '2,0');
  assert.deepEqual(Array.from(new Uint8Array(call.body)), Array.from(encodeParameters(Float32Array.of(1, 2, 3, 4))));
});

test('an update sent without a key carries no Idempotency-Key header (never the string "undefined")', async () => {
  const fetchImpl = fakeFetch(() => json(200, { accepted: true, version: 1, applied: true, staleness: 0, weight: 1 }));
  await new ApiClient({ token: 'tok', fetchImpl }).postUpdate(Float32Array.from([1]), 0, 1);
  assert.equal('Idempotency-Key' in fetchImpl.calls[0].headers, false);
});

test('task and model are downloaded again only when they changed: If-None-Match, and a 304 gives the held answer', async () => {
  const params = Float32Array.from([1, 2, 3.5]);
  let version = 7;
  const fetchImpl = fakeFetch((url, init) => {
    const etag = url.endsWith('/model') ? `"m${version}"` : '"t1"';
    if (init.headers['If-None-Match'] === etag) return new Response(null, { status: 304, headers: { ETag: etag } });
    if (url.endsWith('/model')) return new Response(encodeParameters(params.map((p) => p * version)), { headers: { 'X-Model-Version': String(version), ETag: etag } });
    return new Response(JSON.stringify({ version, classes: ['a', 'b'] }), { headers: { ETag: etag } });
  });
  const api = new ApiClient({ token: 'tok', fetchImpl });
  const first = await api.model();
  const again = await api.model();
  assert.deepEqual(again, first);
  again.params[0] = 99; // each answer is the caller's own: changing it changes nothing held
  assert.equal((await api.model()).params[0], 7);
  assert.deepEqual(fetchImpl.calls.map((c) => c.headers['If-None-Match'] ?? null), [null, '"m7"', '"m7"']);
  version = 8;
  const newer = await api.model();
  assert.equal(newer.version, 8);
  assert.deepEqual(newer.params, params.map((p) => p * 8));
  const task = await api.task();
  task.classes.push('c');
  assert.deepEqual(await api.task(), { version: 8, classes: ['a', 'b'] }, 'a 304 gives the held task, a new object');
  assert.equal(fetchImpl.calls.at(-1).headers['If-None-Match'], '"t1"');
  const stray = new ApiClient({ token: 'tok', fetchImpl: fakeFetch(() => new Response(null, { status: 304 })) });
  await assert.rejects(stray.task(), (err) => err instanceof ApiError && err.status === 304);
});
