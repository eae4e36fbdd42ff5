// A tiny promise wrapper over IndexedDB: one database, one object store of
// named records. The worker keeps the trained model and the files it was
// trained on here, so a reload restores both.

const DB_NAME = 'towerlens';
const STORE = 'state';
const VERSION = 1;

function request(req) {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error || new Error('IndexedDB request failed'));
  });
}

export async function openStore() {
  if (typeof indexedDB === 'undefined') return null;
  let db;
  try {
    // some browsers throw here rather than fail the request (Safari, file://)
    const open = indexedDB.open(DB_NAME, VERSION);
    open.onupgradeneeded = () => {
      if (!open.result.objectStoreNames.contains(STORE)) open.result.createObjectStore(STORE);
    };
    db = await request(open);
  } catch {
    return null; // private mode, a page opened from disk, storage disabled: run without persistence
  }
  const tx = (mode, fn) =>
    new Promise((resolve, reject) => {
      const t = db.transaction(STORE, mode);
      const result = fn(t.objectStore(STORE));
      t.oncomplete = () => resolve(result && 'result' in result ? result.result : undefined);
      t.onerror = () => reject(t.error || new Error('IndexedDB transaction failed'));
      t.onabort = () => reject(t.error || new Error('IndexedDB transaction aborted (storage full?)'));
    });
  return {
    get: (key) => tx('readonly', (s) => s.get(key)),
    put: (key, value) => tx('readwrite', (s) => { s.put(value, key); }),
    delete: (key) => tx('readwrite', (s) => { s.delete(key); }),
    clear: () => tx('readwrite', (s) => { s.clear(); }),
  };
}
