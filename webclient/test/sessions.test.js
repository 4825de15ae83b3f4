import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryBackend, ParticipantStore } from '../src/lib/storage.js';
import { ScopedBackend, SessionList, migrateToSessions } from '../src/lib/sessions.js';
import { StudyLog } from '../src/lib/study_log.js';

const file = (name, bytes = [1, 2, 3]) => new File([new Uint8Array(bytes)], name, { type: 'image/png' });

/** A profile as the web client stored it before sessions (IndexedDB version 2). */
async function oldProfile() {
  const backend = new MemoryBackend();
  const old = new ParticipantStore(backend);
  await old.deviceKey(() => 'device-key-1');
  await old.setNickname('Mia');
  const added = await old.addFiles([file('a.png'), file('b.png'), file('c.png', [7])]);
  await old.setLabel(added[0].id, 'bag');
  await old.putFeatures(added[0].id, 'sha-A', Float32Array.from([1, 2]));
  await old.setJoin({ token: 'tok', joinCode: 'ABC123', participantId: 4, sessionId: 7, study: true });
  await old.setOwnModel({ sessionId: 7, participantId: 4, baseVersion: 2, params: Float32Array.from([3]) });
  await old.setLastContribution({ sessionId: 7, baseVersion: 1, resultVersion: 2 });
  await backend.put('meta', 'study', { owner: '7:4', recording: true });
  await backend.put('meta', 'studySeq', 1);
  await backend.put('studyQueue', 0, { seq: 0, kind: 'visibility' });
  await backend.put('studyQueue', 1, { seq: 1, kind: 'visibility' });
  return { backend, ids: added.map((r) => r.id) };
}

test('an old profile moves under the session its join names: every photo, label, feature and queued event', async () => {
  const { backend, ids } = await oldProfile();
  assert.equal(await migrateToSessions(backend), true);
  const sessions = new SessionList(backend);
  const current = await sessions.current();
  assert.deepEqual([current.key, current.sessionId, current.joinCode], ['s1', 7, 'ABC123']);
  const store = sessions.storeFor('s1');
  assert.deepEqual((await store.listImages()).map((r) => r.id), ids);
  assert.equal((await store.getImage(ids[0])).label, 'bag');
  assert.deepEqual(Array.from(await store.getFeatures(ids[0], 'sha-A')), [1, 2]);
  assert.equal((await store.getJoin()).token, 'tok');
  assert.equal((await store.getOwnModel()).baseVersion, 2);
  assert.equal((await store.getLastContribution()).resultVersion, 2);
  assert.equal((await new ScopedBackend(backend, 's1').getAll('studyQueue')).length, 2);
  // what the profile shares stays the profile's
  assert.equal(await store.getNickname(), 'Mia');
  assert.equal(await store.deviceKey(() => 'new'), 'device-key-1');
  // nothing is left outside the session, and a second run changes nothing
  for (const s of ['images', 'features', 'studyQueue']) assert.ok((await backend.keys(s)).every((k) => String(k).startsWith('s1/')), s);
  assert.equal(await backend.get('meta', 'join'), undefined);
  assert.equal(await migrateToSessions(backend), false);
  assert.equal((await store.listImages()).length, 3);
});

test('a profile with photos but no join left (removed) keeps them for the next join; an empty one gets no session', async () => {
  const { backend } = await oldProfile();
  await backend.delete('meta', 'join');
  await migrateToSessions(backend);
  const sessions = new SessionList(backend);
  assert.equal((await sessions.current()).sessionId, null);
  const key = await sessions.pendingKey();
  assert.equal(key, 's1', 'the next join adopts the photos');
  assert.equal(await sessions.settle(key, { sessionId: 9, joinCode: 'XYZ' }), 's1');
  assert.equal((await sessions.storeFor('s1').listImages()).length, 3);
  const empty = new MemoryBackend();
  await new ParticipantStore(empty).setNickname('Ben');
  assert.equal(await migrateToSessions(empty), false);
  assert.deepEqual(await new SessionList(empty).all(), []);
});

test('two sessions of one profile see only their own photos, labels, features, token and study queue', async () => {
  const backend = new MemoryBackend();
  const sessions = new SessionList(backend);
  const a = await sessions.settle(await sessions.pendingKey(), { sessionId: 1, joinCode: 'AAA' });
  const b = await sessions.settle(await sessions.pendingKey(), { sessionId: 2, joinCode: 'BBB' });
  assert.deepEqual([a, b], ['s1', 's2']);
  const [sa, sb] = [sessions.storeFor(a), sessions.storeFor(b)];
  const [pa] = await sa.addFiles([file('a.png')]);
  await sb.addFiles([file('b1.png'), file('b2.png')]);
  await sa.setLabel(pa.id, 'cat');
  await sa.putFeatures(pa.id, 'sha', Float32Array.from([1]));
  await sa.setJoin({ token: 'ta' });
  await sb.setJoin({ token: 'tb' });
  assert.deepEqual((await sa.listImages()).map((r) => r.name), ['a.png']);
  assert.deepEqual((await sb.listImages()).map((r) => r.name), ['b1.png', 'b2.png']);
  assert.equal(await sb.getImage(pa.id), undefined);
  assert.equal(await sb.getFeatures(pa.id, 'sha'), null);
  assert.deepEqual((await sessions.storeFor(a).listImages()).map((r) => r.number), [1], 'numbers are the profile\'s');
  assert.deepEqual((await sb.listImages()).map((r) => r.number), [2, 3]);
  // one session's token going away leaves the other's
  await sa.clearJoin();
  assert.equal(await sa.getJoin(), null);
  assert.equal((await sb.getJoin()).token, 'tb');
  // deleting a photo deletes its features only in its session
  await sa.deleteImage(pa.id);
  assert.equal((await sb.listImages()).length, 2);
  // study logs: each session its own queue and seq
  const log = (key) => new StudyLog({ backend: new ScopedBackend(backend, key), send: async () => {}, timers: { setTimeout: () => 0, clearTimeout: () => {} } });
  const la = log(a);
  const lb = log(b);
  await la.begin({ owner: '1:1', classes: ['cat'], consented: true });
  await lb.begin({ owner: '2:1', classes: ['dog'], consented: true });
  assert.equal(await la.visibility('hidden'), 0);
  assert.equal(await lb.visibility('hidden'), 0);
  assert.equal(await la.visibility('visible'), 1);
  assert.deepEqual([await la.pending(), await lb.pending()], [2, 1]);
  await lb.begin({ owner: '2:9', classes: ['dog'], consented: true }); // a new join of b drops only b's queue
  assert.deepEqual([await la.pending(), await lb.pending()], [2, 0]);
});

test('the list: a code or a session id finds the session, a group link to a joined session reuses it, the last used is current', async () => {
  const sessions = new SessionList(new MemoryBackend());
  assert.equal(await sessions.current(), null);
  const a = await sessions.settle(await sessions.pendingKey(), { sessionId: 5, joinCode: 'abc 123' });
  await sessions.use(a);
  const pending = await sessions.pendingKey();
  assert.equal(await sessions.settle(pending, { sessionId: 5, joinCode: 'GROUP1' }), a, 'the same server session: the same key');
  assert.equal((await sessions.byCode('group1')).key, a);
  assert.equal((await sessions.bySessionId(5)).key, a);
  const b = await sessions.settle(await sessions.pendingKey(), { sessionId: 6, joinCode: 'DEF' });
  assert.notEqual(a, b);
  await sessions.update(b, { title: 'Animals', backbone: 'sha' });
  await sessions.use(b);
  assert.equal((await sessions.current()).title, 'Animals');
  assert.equal((await sessions.all()).length, 2);
  assert.throws(() => new ScopedBackend(new MemoryBackend(), 'a/b'));
});

test('copying a photo to another session: one new photo with the bytes, no label; features only for the same backbone', async () => {
  const backend = new MemoryBackend();
  const sessions = new SessionList(backend);
  const a = await sessions.settle('s1', { sessionId: 1, joinCode: 'A' });
  const b = await sessions.settle('s2', { sessionId: 2, joinCode: 'B' });
  const c = await sessions.settle('s3', { sessionId: 3, joinCode: 'C' });
  await sessions.update(b, { backbone: 'sha-A' });
  await sessions.update(c, { backbone: 'sha-B' });
  const sa = sessions.storeFor(a);
  const [p, q] = await sa.addFiles([file('p.png', [5, 6]), file('q.png')]);
  await sa.setLabel(p.id, 'cat');
  await sa.putFeatures(p.id, 'sha-A', Float32Array.from([4, 2]));
  const record = await sa.getImage(p.id);
  const copyB = await sessions.copyPhoto(record, { from: a, to: b, fromBackbone: 'sha-A' });
  const copyC = await sessions.copyPhoto(record, { from: a, to: c, fromBackbone: 'sha-A' });
  const [inB] = await sessions.storeFor(b).listImages();
  assert.equal((await sessions.storeFor(b).listImages()).length, 1);
  assert.deepEqual([inB.id, inB.label, inB.labelConfirmed, inB.role], [copyB, null, false, 'train']);
  assert.notEqual(inB.id, p.id);
  assert.notEqual(inB.number, record.number);
  assert.deepEqual(new Uint8Array(inB.bytes), new Uint8Array([5, 6]));
  assert.deepEqual(Array.from(await sessions.storeFor(b).getFeatures(copyB, 'sha-A')), [4, 2]);
  assert.equal(await sessions.storeFor(c).getFeatures(copyC, 'sha-A'), null, 'another backbone: prepared again there');
  assert.deepEqual((await sa.listImages()).map((r) => r.id), [p.id, q.id], 'the original stays, labelled');
  assert.equal((await sa.getImage(p.id)).label, 'cat');
  await assert.rejects(sessions.copyPhoto(record, { from: a, to: a, fromBackbone: 'sha-A' }));
});

test('going to another session drops the join link and keeps the profile and language', async () => {
  const { pageUrl } = await import('../src/app/session_switcher.js');
  assert.equal(pageUrl('http://127.0.0.1:8/?join=ABC&profile=mia&lang=de'), 'http://127.0.0.1:8/?profile=mia&lang=de');
  assert.equal(pageUrl('http://127.0.0.1:8/?profile=mia&another=1', { another: false }), 'http://127.0.0.1:8/?profile=mia');
  assert.equal(pageUrl('http://127.0.0.1:8/?join=ABC', { another: true }), 'http://127.0.0.1:8/?another=1');
});
