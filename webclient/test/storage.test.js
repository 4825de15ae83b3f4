import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ParticipantStore, MemoryBackend, databaseName, imageBlob, trainingReadiness } from '../src/lib/storage.js';

const file = (name, type = 'image/png', bytes = [1, 2, 3]) => new File([new Uint8Array(bytes)], name, { type });
const quotaError = () => Object.assign(new Error('quota'), { name: 'QuotaExceededError' });

test('each profile gets its own database name, sanitised', () => {
  assert.equal(databaseName(null), 'influx-participant-default');
  assert.equal(databaseName('alice'), 'influx-participant-alice');
  assert.notEqual(databaseName('alice'), databaseName('bob'));
  assert.equal(databaseName('a b/c'), 'influx-participant-a_b_c');
});

test('added images are kept with their bytes, role and an unconfirmed label', async () => {
  const store = new ParticipantStore(new MemoryBackend());
  const results = await store.addFiles([file('a.png'), file('b.png')]);
  assert.deepEqual(results.map((r) => r.ok), [true, true]);
  const images = await store.listImages('train');
  assert.deepEqual(images.map((r) => r.name), ['a.png', 'b.png']);
  assert.equal(images[0].labelConfirmed, false);
  assert.ok(images[0].bytes instanceof ArrayBuffer, 'bytes, not a Blob: WebKit refuses Blobs in IndexedDB');
  const blob = imageBlob(images[0]);
  assert.equal(blob.type, 'image/png');
  assert.deepEqual(new Uint8Array(await blob.arrayBuffer()), new Uint8Array([1, 2, 3]));
  assert.deepEqual(await store.listImages('test'), []);
});

test('a photo stored as a Blob before the change still reads back', async () => {
  const old = { id: 'img-old', blob: new Blob([new Uint8Array([9, 8])], { type: 'image/jpeg' }), type: 'image/jpeg' };
  assert.deepEqual(new Uint8Array(await imageBlob(old).arrayBuffer()), new Uint8Array([9, 8]));
});

test('a file that fails validation gets its own message and the others are stored', async () => {
  const store = new ParticipantStore(new MemoryBackend());
  const validate = async (f) => { if (f.name === 'notes.txt') throw new Error('not an image'); };
  const results = await store.addFiles([file('a.png'), file('notes.txt', 'text/plain'), file('c.png')], { validate });
  assert.deepEqual(results.map((r) => [r.name, r.ok, r.error]), [
    ['a.png', true, undefined], ['notes.txt', false, 'not an image'], ['c.png', true, undefined]]);
  assert.equal((await store.listImages()).length, 2);
});

test('a full quota is reported per file and nothing already stored is lost', async () => {
  const backend = new MemoryBackend();
  const store = new ParticipantStore(backend);
  await store.addFiles([file('old.png')]);
  backend.failNextPut = quotaError();
  const results = await store.addFiles([file('new1.png'), file('new2.png')]);
  assert.deepEqual(results.map((r) => r.ok), [false, false]);
  assert.match(results[0].error, /storage .* is full/);
  assert.match(results[1].error, /storage .* is full/);
  assert.deepEqual((await store.listImages()).map((r) => r.name), ['old.png']);
});

test('labels are confirmed explicitly and test images carry their true label', async () => {
  const store = new ParticipantStore(new MemoryBackend());
  const [{ id }] = await store.addFiles([file('a.png')]);
  await store.setLabel(id, 'shirt');
  assert.equal((await store.getImage(id)).labelConfirmed, true);
  const [t] = await store.addFiles([file('t.png')], { role: 'test', label: 'bag' });
  const testImage = await store.getImage(t.id);
  assert.equal(testImage.role, 'test');
  assert.equal(testImage.label, 'bag');
  assert.equal(testImage.labelConfirmed, true);
});

test('features are cached per (image, backbone) and go away with the image', async () => {
  const store = new ParticipantStore(new MemoryBackend());
  const [{ id }] = await store.addFiles([file('a.png')]);
  await store.putFeatures(id, 'sha-A', Float32Array.from([1, 2]));
  assert.deepEqual(Array.from(await store.getFeatures(id, 'sha-A')), [1, 2]);
  assert.equal(await store.getFeatures(id, 'sha-B'), null);
  await store.deleteImage(id);
  assert.equal(await store.getImage(id), undefined);
  assert.equal(await store.getFeatures(id, 'sha-A'), null);
});

test('the join token is stored per store and can be cleared after a 401', async () => {
  const store = new ParticipantStore(new MemoryBackend());
  assert.equal(await store.getJoin(), null);
  await store.setJoin({ token: 't', joinCode: 'ABC', participantId: 3 });
  assert.equal((await store.getJoin()).token, 't');
  await store.clearJoin();
  assert.equal(await store.getJoin(), null);
});

test('the last contribution survives (to offer a retrain when the global model moves on)', async () => {
  const backend = new MemoryBackend();
  await new ParticipantStore(backend).setLastContribution({ baseVersion: 2, resultVersion: 3 });
  assert.deepEqual(await new ParticipantStore(backend).getLastContribution(), { baseVersion: 2, resultVersion: 3 });
});

test('training unlocks only when every training image has a confirmed label and features', () => {
  const classes = ['a', 'b'];
  const img = (id, label, confirmed, role = 'train') => ({ id, label, labelConfirmed: confirmed, role });
  const all = () => true;
  assert.match(trainingReadiness([], classes, all).text, /Add some photos/);
  assert.match(trainingReadiness([img('1', 'a', true), img('2', 'b', false)], classes, all).text, /1 photo still needs a label/);
  assert.match(trainingReadiness([img('1', 'a', true), img('2', 'b', false), img('3', null, false)], classes, all).text, /2 photos still need a label/);
  assert.match(trainingReadiness([img('1', 'zzz', true)], classes, all).text, /does not use/);
  assert.match(trainingReadiness([img('1', 'a', true)], classes, () => false).text, /Getting 1 photo ready/);
  assert.match(trainingReadiness([img('1', 'a', true), img('2', 'a', true)], classes, (id) => id === '1', (id) => id === '2').text,
    /1 photo cannot be used: delete it/);
  // photos still being prepared are not said to lack labels: preparing is what they wait for first
  const preparing = trainingReadiness([img('1', null, false), img('2', null, false)], classes, () => false);
  assert.deepEqual([preparing.reason, preparing.preparing, preparing.unconfirmed], [{ key: 'readyPreparing', n: 2 }, 2, 2]);
  assert.match(preparing.text, /Getting 2 photos ready/);
  assert.doesNotMatch(preparing.text, /label/);
  const ok = trainingReadiness([img('1', 'a', true), img('2', 'a', true), img('3', null, false, 'test')], classes, all);
  assert.equal(ok.ready, true);
  assert.equal(ok.reason, null);
  assert.equal(ok.photos, 2);
  assert.deepEqual(ok.counts, { a: 2, b: 0 });
});

test('images are numbered 1, 2, … per profile, never reusing a number, and old records get one', async () => {
  const backend = new MemoryBackend();
  const store = new ParticipantStore(backend);
  const [a, b] = await store.addFiles([file('a.png'), file('b.png')]);
  await store.deleteImage(b.id);
  const [, c] = await Promise.all([store.addFiles([file('t.png')], { role: 'test', label: 'bag' }), store.addFiles([file('c.png')])]);
  const numbers = Object.fromEntries((await store.listImages()).map((r) => [r.name, r.number]));
  assert.equal(numbers['a.png'], 1);
  assert.deepEqual([numbers['t.png'], numbers['c.png']].sort(), [3, 4]);
  assert.equal(c[0].ok, true);
  // a record stored before numbers existed
  await backend.put('images', 'legacy', { id: 'legacy', name: 'old.png', role: 'train', addedAt: 0, label: null, labelConfirmed: false });
  await new ParticipantStore(backend).numberImages();
  assert.equal((await store.getImage('legacy')).number, 5);
  assert.equal((await store.getImage(a.id)).number, 1);
});

test('the device key is made once per profile and kept; the nickname is remembered', async () => {
  const store = new ParticipantStore(new MemoryBackend());
  let made = 0;
  const make = () => { made += 1; return `key-${made}`; };
  assert.equal(await store.deviceKey(make), 'key-1');
  assert.equal(await store.deviceKey(make), 'key-1');
  assert.equal(made, 1);
  assert.equal(await store.getNickname(), '');
  await store.setNickname('Mia');
  assert.equal(await store.getNickname(), 'Mia');
});
