// The participant's on-device data: images, labels, cached features and the join token — of one
// session (lib/sessions.js scopes a backend to it). `ParticipantStore` holds the rules; a backend holds the bytes. `MemoryBackend` serves
// node's tests; `IndexedDBBackend` (idb_backend.js) serves the browser. Images never
// leave this store except as object URLs for thumbnails.
import { t } from './messages.js';

export const STORES = ['images', 'features', 'meta', 'studyQueue'];

/** Every profile (?profile=) gets its own database, so tabs can be independent clients. */
export function databaseName(profile) {
  const clean = String(profile || 'default').trim().replace(/[^A-Za-z0-9_.-]/g, '_').slice(0, 64) || 'default';
  return `influx-participant-${clean}`;
}

export function featureKey(imageId, backboneSha256) {
  return `${imageId}|${backboneSha256}`;
}

export class QuotaError extends Error {
  constructor(message) { super(message); this.name = 'QuotaError'; }
}

export function isQuotaError(err) {
  return !!err && (err.name === 'QuotaExceededError' || err.name === 'QuotaError' ||
    (err.inner && err.inner.name === 'QuotaExceededError'));
}

/**
 * A backend with the same shape as the IndexedDB one, keeping structured clones in maps. Like
 * WebKit's IndexedDB in an ephemeral session, it refuses a Blob or File inside a value.
 */
export class MemoryBackend {
  constructor() { this.maps = Object.fromEntries(STORES.map((s) => [s, new Map()])); this.failNextPut = null; }
  async get(store, key) { return this.maps[store].get(key); }
  /** Every value of `store`, or only those whose (string) key starts with `prefix`. */
  async getAll(store, prefix = null) {
    return [...this.maps[store]].filter(([k]) => prefix === null || (typeof k === 'string' && k.startsWith(prefix))).map(([, v]) => v);
  }
  async keys(store) { return [...this.maps[store].keys()]; }
  async put(store, key, value) {
    if (this.failNextPut) { const err = this.failNextPut; this.failNextPut = null; throw err; }
    if (value && typeof value === 'object' && Object.values(value).some((v) => v instanceof Blob)) {
      throw new Error('Error preparing Blob/File data to be stored in object store');
    }
    this.maps[store].set(key, structuredClone(value));
  }
  async delete(store, key) { this.maps[store].delete(key); }
  async deleteWhere(store, predicate) {
    for (const [k, v] of this.maps[store]) if (predicate(k, v)) this.maps[store].delete(k);
  }
}

let counter = 0;
function newImageId() {
  counter += 1;
  return `img-${Date.now().toString(36)}-${counter.toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
}

/**
 * An image record. `role` is "train" or "test" (test images never reach training).
 * `label` is a class name; `labelConfirmed` says the participant accepted or chose it.
 * `number` is the image's number within this profile (1, 2, …): what the study log names it by,
 * since the id holds a timestamp and the name may say who or where.
 * The photo is kept as `bytes` (an ArrayBuffer) plus its `type`, not as a Blob: WebKit (every
 * iPhone browser) refuses Blob/File values in IndexedDB in ephemeral sessions, as Safari's Private
 * Browsing does ("Error preparing Blob/File data to be stored in object store"). Records stored
 * before this change hold a `blob`; `imageBlob` reads both.
 * @typedef {{id:string, number:number, name:string, type:string, size:number, bytes:ArrayBuffer, role:'train'|'test',
 *            label:string|null, labelConfirmed:boolean, addedAt:number}} ImageRecord
 */

/** The photo of an image record as a Blob (for decoding and thumbnails). */
export function imageBlob(record) {
  if (record.bytes) return new Blob([record.bytes], { type: record.type || '' });
  return record.blob;
}

export class ParticipantStore {
  /**
   * @param backend MemoryBackend | IndexedDBBackend | ScopedBackend: the session's data
   * @param profile the backend of what the whole profile shares (device key, nickname, photo numbers, guide)
   */
  constructor(backend, profile = backend) { this.backend = backend; this.profile = profile; this.numbering = Promise.resolve(); }

  /** The next image number of this profile (across its sessions); numbers are never reused, even after a delete. */
  nextImageNumber() {
    const next = this.numbering.then(async () => {
      const n = ((await this.profile.get('meta', 'imageCounter')) || 0) + 1;
      await this.profile.put('meta', 'imageCounter', n);
      return n;
    });
    this.numbering = next.catch(() => {});
    return next;
  }

  /** Give a number to images stored before numbers existed (oldest first). */
  async numberImages() {
    for (const r of await this.listImages()) {
      if (!Number.isInteger(r.number)) await this.backend.put('images', r.id, { ...r, number: await this.nextImageNumber() });
    }
  }

  // --- join state -------------------------------------------------------------------------
  /** This profile's random device key (made once by `makeKey`), so rejoining finds the same participant. */
  async deviceKey(makeKey) {
    let key = await this.profile.get('meta', 'deviceKey');
    if (!key) { key = makeKey(); await this.profile.put('meta', 'deviceKey', key); }
    return key;
  }

  /** The name last typed on this device, to prefill the next join. */
  async getNickname() { return (await this.profile.get('meta', 'nickname')) || ''; }
  async setNickname(nickname) { await this.profile.put('meta', 'nickname', nickname); }

  /** The image ids (per session) whose class statistics the server has, to send them again only when they change. */
  async getClassStatsSent() { return (await this.backend.get('meta', 'classStatsSent')) || null; }
  async setClassStatsSent(sent) { await this.backend.put('meta', 'classStatsSent', sent); }

  async getJoin() { return (await this.backend.get('meta', 'join')) || null; }
  async setJoin(join) { await this.backend.put('meta', 'join', join); }
  async clearJoin() { await this.backend.delete('meta', 'join'); }

  /** Whether this profile has dismissed the first-run guide. */
  async getGuideSeen() { return (await this.profile.get('meta', 'guideSeen')) === true; }
  async setGuideSeen(seen) { await this.profile.put('meta', 'guideSeen', !!seen); }

  /**
   * The participant's last accepted update ({sessionId, baseVersion, resultVersion, signature}), to offer
   * a retrain later; `signature` (lib/next_step.js photoSignature) tells whether photos changed since.
   */
  async getLastContribution() { return (await this.backend.get('meta', 'lastContribution')) || null; }
  async setLastContribution(c) { await this.backend.put('meta', 'lastContribution', c); }

  /**
   * The head this device trained last ({sessionId, participantId, baseVersion, params}: a Float32Array),
   * so "Why?" and "Try it" can show what the participant's own model looks at, after a reload too.
   */
  async getOwnModel() { return (await this.backend.get('meta', 'ownModel')) || null; }
  async setOwnModel(own) { await this.backend.put('meta', 'ownModel', own); }

  // --- images -------------------------------------------------------------------------------
  /** @returns {Promise<ImageRecord[]>} oldest first */
  async listImages(role = null) {
    const all = await this.backend.getAll('images');
    return all.filter((r) => role === null || r.role === role).sort((a, b) => a.addedAt - b.addedAt || (a.id < b.id ? -1 : 1));
  }

  async getImage(id) { return this.backend.get('images', id); }

  /**
   * Store several files, each checked by `validate(file)` first (it throws with a message
   * a person can act on, e.g. "not an image"). One bad file or a full quota never touches
   * what is already stored; each file gets its own result.
   * @returns {Promise<{name:string, ok:boolean, id?:string, error?:string}[]>}
   */
  async addFiles(files, { role = 'train', label = null, validate = async () => {} } = {}) {
    const results = [];
    let quotaHit = false;
    for (const file of files) {
      const name = file.name || 'photo';
      if (quotaHit) {
        results.push({ name, ok: false, error: t('fileStorageFull') });
        continue;
      }
      try {
        await validate(file);
      } catch (err) {
        results.push({ name, ok: false, error: err.message || String(err) });
        continue;
      }
      const record = {
        id: newImageId(), number: null, name, type: file.type || '', size: file.size, bytes: null, role,
        label, labelConfirmed: role === 'test' ? label !== null : false, addedAt: Date.now() + results.length / 1000,
      };
      try {
        record.bytes = await file.arrayBuffer();
        record.number = await this.nextImageNumber(); // a write too: a full quota can refuse it
        await this.backend.put('images', record.id, record);
        results.push({ name, ok: true, id: record.id });
      } catch (err) {
        if (isQuotaError(err)) {
          quotaHit = true;
          results.push({ name, ok: false, error: t('fileStorageFull') });
        } else {
          results.push({ name, ok: false, error: t('fileNotStored', { message: err.message || err }) });
        }
      }
    }
    return results;
  }

  /** A photo of another session stored here too (lib/sessions.js copyPhoto): its bytes and role, no label. @returns its new id */
  async addCopy(record) {
    const bytes = record.bytes ? record.bytes.slice(0) : await imageBlob(record).arrayBuffer();
    const copy = {
      id: newImageId(), number: await this.nextImageNumber(), name: record.name, type: record.type || '', size: bytes.byteLength,
      bytes, role: record.role, label: null, labelConfirmed: false, addedAt: Date.now(),
    };
    await this.backend.put('images', copy.id, copy);
    return copy.id;
  }

  async setLabel(id, label, confirmed = true) {
    const record = await this.backend.get('images', id);
    if (!record) throw new Error(`no image ${id}`);
    record.label = label;
    record.labelConfirmed = confirmed;
    await this.backend.put('images', id, record);
    return record;
  }

  async deleteImage(id) {
    await this.backend.delete('images', id);
    await this.backend.deleteWhere('features', (key) => key.startsWith(`${id}|`));
  }

  // --- features -----------------------------------------------------------------------------
  async getFeatures(imageId, backboneSha256) {
    const v = await this.backend.get('features', featureKey(imageId, backboneSha256));
    return v ? new Float32Array(v) : null;
  }

  async putFeatures(imageId, backboneSha256, features) {
    await this.backend.put('features', featureKey(imageId, backboneSha256), features);
  }
}

/**
 * What still blocks training: the participant must have at least one training image,
 * all with a confirmed label (one of the task's classes) and cached features; a photo whose
 * features could not be computed (`unusable`) must be deleted first. While photos are still being
 * prepared that is what it says, not that they lack labels (labels can be given meanwhile).
 * `reason` is a catalogue entry (lib/messages.js) with its parameters, or null when ready;
 * `text` is it in words.
 * @returns {{ready:boolean, reason:{key:string, n:number}|null, text:string, counts:Object<string,number>,
 *            photos:number, unconfirmed:number, preparing:number, failed:number}}
 */
export function trainingReadiness(images, classes, hasFeatures, unusable = () => false) {
  const train = images.filter((r) => r.role === 'train');
  const counts = Object.fromEntries(classes.map((c) => [c, 0]));
  let unconfirmed = 0, unknownClass = 0, preparing = 0, failed = 0;
  for (const r of train) {
    if (!r.labelConfirmed || r.label === null) unconfirmed += 1;
    else if (!(r.label in counts)) unknownClass += 1;
    else counts[r.label] += 1;
    if (unusable(r.id)) failed += 1;
    else if (!hasFeatures(r.id)) preparing += 1;
  }
  let reason = null;
  if (train.length === 0) reason = { key: 'readyNoPhotos', n: 0 };
  else if (failed) reason = { key: 'readyUnusable', n: failed };
  else if (preparing) reason = { key: 'readyPreparing', n: preparing };
  else if (unconfirmed) reason = { key: 'readyUnlabelled', n: unconfirmed };
  else if (unknownClass) reason = { key: 'readyUnknownClass', n: unknownClass };
  return {
    ready: reason === null, reason, text: reason ? t(reason.key, { n: reason.n }) : '', counts,
    photos: train.length, unconfirmed, preparing, failed,
  };
}
