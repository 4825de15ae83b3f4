// IndexedDB behind the backend interface of storage.js (get/getAll/put/delete/deleteWhere).
import { STORES } from './storage.js';
import { migrateToSessions } from './sessions.js';
import { t } from './messages.js';

// 2: studyQueue (lib/study_log.js). 3: each session's data under keys of its own (lib/sessions.js):
// a profile from before is moved under the session its stored join names, in the upgrade's transaction
// (all or nothing: if it fails, the database stays at 2 with everything in it).
const VERSION = 3;

function promisify(request) {
  return new Promise((resolve, reject) => {
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

/** The keys from `prefix` on that start with it (string keys sort after numbers, so none of those). */
const under = (prefix) => (prefix === null ? undefined : IDBKeyRange.bound(prefix, `${prefix}\uffff`));

/** migrateToSessions' view of the upgrade transaction: every request on it, so it stays alive throughout. */
function upgradeAccess(transaction) {
  const store = (name) => transaction.objectStore(name);
  return {
    keys: (name) => promisify(store(name).getAllKeys()),
    get: (name, key) => promisify(store(name).get(key)),
    put: (name, key, value) => promisify(store(name).put(value, key)),
    delete: (name, key) => promisify(store(name).delete(key)),
  };
}

export class IndexedDBBackend {
  static async open(name, idb = globalThis.indexedDB) {
    if (!idb) throw new Error(t('errorNoStorage'));
    const request = idb.open(name, VERSION);
    request.onupgradeneeded = (e) => {
      const db = request.result;
      for (const store of STORES) if (!db.objectStoreNames.contains(store)) db.createObjectStore(store);
      if (e.oldVersion > 0 && e.oldVersion < 3) {
        const transaction = request.transaction;
        migrateToSessions(upgradeAccess(transaction)).catch((err) => {
          console.error('moving the stored photos under their session failed; nothing was changed', err);
          transaction.abort();
        });
      }
    };
    const db = await promisify(request);
    return new IndexedDBBackend(db);
  }

  constructor(db) { this.db = db; }

  async tx(store, mode, fn) {
    const transaction = this.db.transaction(store, mode);
    const result = fn(transaction.objectStore(store));
    const done = new Promise((resolve, reject) => {
      transaction.oncomplete = () => resolve();
      // A full quota surfaces as a transaction abort with a QuotaExceededError.
      transaction.onabort = () => reject(transaction.error || new DOMException('transaction aborted', 'AbortError'));
      transaction.onerror = () => reject(transaction.error);
    });
    const value = result ? promisify(result) : Promise.resolve(undefined);
    const [v] = await Promise.all([value, done]);
    return v;
  }

  get(store, key) { return this.tx(store, 'readonly', (s) => s.get(key)); }
  /** Every value of `store`, or only those whose key starts with `prefix` (a session's: lib/sessions.js). */
  getAll(store, prefix = null) { return this.tx(store, 'readonly', (s) => s.getAll(under(prefix))); }
  put(store, key, value) { return this.tx(store, 'readwrite', (s) => s.put(value, key)); }
  delete(store, key) { return this.tx(store, 'readwrite', (s) => s.delete(key)); }

  deleteWhere(store, predicate, prefix = null) {
    return this.tx(store, 'readwrite', (s) => {
      const cursorRequest = s.openCursor(under(prefix));
      cursorRequest.onsuccess = () => {
        const cursor = cursorRequest.result;
        if (!cursor) return;
        if (predicate(cursor.key, cursor.value)) cursor.delete();
        cursor.continue();
      };
      return null;
    });
  }
}
