// The kiosk's own database in the browser (IndexedDB), kept across reloads and restarts:
//   meta        "copy": the offline copy's event, salt, message templates, feed position
//   entries     the copy's entries by lookup (a digest of a token, never the token), by ref
//   admissions  the guests this kiosk admitted while offline (by invitation ref: time, gate)
//   queue       the scans waiting to be uploaded, in the order they were scanned
// Nothing here names a guest: names travel only sealed in `entries[].box`.

const NAME = "kiosk-offline";
const VERSION = 1;
export const STORES = ["meta", "entries", "admissions", "queue"];

let opening = null;

/** The database, opened (and made, the first time) once per page. */
export function database() {
  opening = opening || new Promise((resolve, reject) => {
    const request = indexedDB.open(NAME, VERSION);
    request.onupgradeneeded = () => {
      const db = request.result;
      db.createObjectStore("meta");
      db.createObjectStore("entries", { keyPath: "id" }).createIndex("ref", "ref");
      db.createObjectStore("admissions", { keyPath: "ref" });
      const queue = db.createObjectStore("queue", { keyPath: "seq", autoIncrement: true });
      queue.createIndex("scan_id", "scan_id", { unique: true });
      queue.createIndex("event_id", "event_id"); // in scan order within an event
    };
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
  return opening;
}

/** The result of one IndexedDB request, as a promise. */
export function done(request) {
  return new Promise((resolve, reject) => {
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

/**
 * Runs `work(stores)` in one transaction over the stores named (`stores.entries`...) and
 * resolves to what it returned once the transaction is committed (all or nothing). `work`
 * may await only this transaction's own requests (anything else lets it commit early).
 */
export async function transaction(names, mode, work) {
  const db = await database();
  return new Promise((resolve, reject) => {
    const tx = db.transaction(names, mode);
    const stores = Object.fromEntries(names.map((name) => [name, tx.objectStore(name)]));
    let result;
    let failed = null;
    Promise.resolve().then(() => work(stores)).then((value) => { result = value; }, (error) => {
      failed = error;
      try {
        tx.abort();
      } catch {
        // already finished
      }
    });
    tx.oncomplete = () => (failed ? reject(failed) : resolve(result));
    tx.onabort = () => reject(failed || tx.error);
  });
}
