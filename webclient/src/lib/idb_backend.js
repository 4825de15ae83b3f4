// IndexedDB behind the backend interface of storage.js (get/getAll/put/delete/deleteWhere).
import { STORES } from './storage.js';
import { t } from './messages.js';

const VERSION = 2; // 2: studyQueue (lib/study_log.js)

function promisify(request) {
  return new Promise((resolve, reject) => {
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

export class IndexedDBBackend {
  static async open(name, idb = globalThis.indexedDB) {
    if (!idb) throw new Error(t('errorNoStorage'));
    const request = idb.open(name, VERSION);
    request.onupgradeneeded = () => {
      const db = request.result;
      for (const store of STORES) if (!db.objectStoreNames.contains(store)) db.createObjectStore(store);
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
  getAll(store) { return this.tx(store, 'readonly', (s) => s.getAll()); }
  put(store, key, value) { return this.tx(store, 'readwrite', (s) => s.put(value, key)); }
  delete(store, key) { return this.tx(store, 'readwrite', (s) => s.delete(key)); }

  deleteWhere(store, predicate) {
    return this.tx(store, 'readwrite', (s) => {
      const cursorRequest = s.openCursor();
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
