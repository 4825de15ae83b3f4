// The sessions one profile has joined (issue 18): each keeps its photos, labels, features, own model,
// token and study queue apart, under keys of its own in the profile's one database. A session's data
// lives under `<key>/…` in every store (`ScopedBackend`); what belongs to the profile — the device key,
// the nickname, the photo counter, the guide, this list of sessions and which one was used last —
// under keys without a `/`. A session's key (`s1`, `s2`, …) is made on this device: the server's
// session id can only be known after joining, and a join code may be a group's (it gives a session).
// `migrateToSessions` moves a profile from before sessions (one join, photos of no session) under one
// key: the session its stored join names. No DOM here.
import { ParticipantStore, featureKey } from './storage.js';
import { sameJoinCode } from './api.js';

const LIST_KEY = 'sessions';
const CURRENT_KEY = 'currentSession';
const COUNTER_KEY = 'sessionCounter';
/** The meta entries that belong to one join (everything else in `meta` is the profile's). */
export const SESSION_META = ['join', 'ownModel', 'lastContribution', 'classStatsSent', 'study', 'studySeq'];
/** The stores whose every entry belongs to one session. */
export const SESSION_STORES = ['images', 'features', 'studyQueue'];

/**
 * One session's view of a backend: the same interface (get/getAll/put/delete/deleteWhere) on the keys
 * under `<scope>/`, so ParticipantStore and StudyLog work on it unchanged and cannot see other sessions.
 */
export class ScopedBackend {
  constructor(base, scope) {
    if (!/^[A-Za-z0-9_-]+$/.test(scope)) throw new Error(`bad session key ${scope}`);
    this.base = base;
    this.scope = scope;
    this.prefix = `${scope}/`;
  }

  key(k) { return `${this.prefix}${k}`; }
  get(store, k) { return this.base.get(store, this.key(k)); }
  getAll(store) { return this.base.getAll(store, this.prefix); }
  put(store, k, value) { return this.base.put(store, this.key(k), value); }
  delete(store, k) { return this.base.delete(store, this.key(k)); }
  deleteWhere(store, predicate) {
    const n = this.prefix.length;
    return this.base.deleteWhere(store, (k, v) => typeof k === 'string' && k.startsWith(this.prefix) && predicate(k.slice(n), v), this.prefix);
  }
}

/**
 * Move a profile stored before sessions existed under the session key `s1`: every photo, feature and
 * queued study event, and the join's meta entries; the list then holds that session (the one the stored
 * join names, or none yet if the join was cleared: the next join adopts it). `db` gives
 * keys(store)/get/put/delete — the upgrade transaction (idb_backend.js) or a MemoryBackend in tests.
 * Runs once: a profile that has the list already is left alone. @returns {Promise<boolean>} moved
 */
export async function migrateToSessions(db) {
  if ((await db.get('meta', LIST_KEY)) !== undefined) return false;
  const key = 's1';
  const join = (await db.get('meta', 'join')) || null;
  let moved = 0;
  for (const store of SESSION_STORES) {
    for (const k of await db.keys(store)) {
      if (typeof k === 'string' && k.includes('/')) continue;
      await db.put(store, `${key}/${k}`, await db.get(store, k));
      await db.delete(store, k);
      moved += 1;
    }
  }
  for (const k of SESSION_META) {
    const v = await db.get('meta', k);
    if (v === undefined) continue;
    await db.put('meta', `${key}/${k}`, v);
    await db.delete('meta', k);
    moved += 1;
  }
  if (!moved) return false;
  await db.put('meta', LIST_KEY, [{ key, sessionId: join?.sessionId ?? null, joinCode: join?.joinCode ?? null, title: null, addedAt: 0 }]);
  await db.put('meta', CURRENT_KEY, key);
  await db.put('meta', COUNTER_KEY, 1);
  return true;
}

/**
 * The profile's sessions, in the order they were joined: `{key, sessionId, joinCode, title, classes,
 * backbone}` (title, classes and backbone sha as last seen, for the switcher and for copying a photo over), and which one the app opens without a join link (the last one used).
 */
export class SessionList {
  constructor(backend) { this.backend = backend; }

  async all() { return (await this.backend.get('meta', LIST_KEY)) || []; }
  async get(key) { return (await this.all()).find((s) => s.key === key) || null; }
  async byCode(code) { return (await this.all()).find((s) => s.joinCode && sameJoinCode(s.joinCode, code)) || null; }
  async bySessionId(id) { return (await this.all()).find((s) => s.sessionId === id) || null; }

  /** The session last used, or null when the profile has joined none. */
  async current() {
    const key = await this.backend.get('meta', CURRENT_KEY);
    return (key && (await this.get(key))) || null;
  }

  async use(key) { await this.backend.put('meta', CURRENT_KEY, key); }

  /** A key for a session about to be joined: one the list holds for no server session yet (a migrated profile whose join was cleared), else a new one. */
  async pendingKey() {
    const orphan = (await this.all()).find((s) => s.sessionId === null);
    if (orphan) return orphan.key;
    const n = ((await this.backend.get('meta', COUNTER_KEY)) || 0) + 1;
    await this.backend.put('meta', COUNTER_KEY, n);
    return `s${n}`;
  }

  /**
   * After a join answered `sessionId`: the key its data lives under — the one the list already has for
   * that session (a group link to a session joined before, a join again after being removed), else
   * `pendingKey`, which the list then holds. The join code is remembered as the one last used.
   */
  async settle(pendingKey, { sessionId, joinCode }) {
    const list = await this.all();
    const entry = list.find((s) => s.sessionId === sessionId) || list.find((s) => s.key === pendingKey);
    if (entry) Object.assign(entry, { sessionId, joinCode });
    else list.push({ key: pendingKey, sessionId, joinCode, title: null, addedAt: Date.now() });
    await this.backend.put('meta', LIST_KEY, list);
    return (entry || list[list.length - 1]).key;
  }

  /** Remember what the switcher shows of a session (its title, classes, backbone). */
  async update(key, fields) {
    const list = await this.all();
    const entry = list.find((s) => s.key === key);
    if (!entry) return;
    Object.assign(entry, fields);
    await this.backend.put('meta', LIST_KEY, list);
  }

  /** The store of one session's data (profile-wide things through the profile's own keys). */
  storeFor(key) { return new ParticipantStore(new ScopedBackend(this.backend, key), this.backend); }

  /**
   * "Use this photo in <other session> too": a new photo in session `to` with the same bytes, role and
   * no label; its features come along only when both sessions use the same backbone (`fromBackbone` is
   * the sha of the session it comes from), else that session prepares it when opened. @returns the new id
   */
  async copyPhoto(record, { from, to, fromBackbone }) {
    if (from === to) throw new Error('a photo is in its own session already');
    const target = await this.get(to);
    if (!target) throw new Error(`no session ${to}`);
    const source = this.storeFor(from);
    const store = this.storeFor(to);
    const id = await store.addCopy(record);
    const features = fromBackbone && target.backbone === fromBackbone ? await source.getFeatures(record.id, fromBackbone) : null;
    if (features) await store.backend.put('features', featureKey(id, fromBackbone), features);
    return id;
  }
}
