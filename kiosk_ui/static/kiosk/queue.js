// The scans judged at the kiosk while the server could not be reached, kept in IndexedDB
// (they survive a reload, a crash, a restart) until the server has them: uploaded in the
// order scanned, in batches of up to 100 (POST /api/v1/kiosk/uploads), each batch removed
// only once the server has answered it. Each scan keeps its scan_id: a batch sent again
// (its answer was lost) is recorded once. Only the scans of the kiosk's own event count and
// go up (a kiosk paired again for another event keeps the old ones for that event).
import { done, transaction } from "./store.js";

export const BATCH = 100;

/** What the upload sends of a queued scan (what the server needs, nothing it does not). */
function wire(item) {
  const scan = { scan_id: item.scan_id, scanned_at: item.scanned_at,
                 offline_status: item.offline_status };
  if (item.sealed_code !== undefined) return { ...scan, sealed_code: item.sealed_code };
  return item.code !== undefined ? { ...scan, code: item.code }
    : { ...scan, lookup: item.lookup, ref: item.ref };
}

export class ScanQueue {
  constructor() {
    this.eventId = null; // the kiosk's event
    this.count = 0; // its scans waiting, and the oldest one's scanned_at
    this.oldest = null;
  }

  /** Queues `item` (a judged scan) and, in the same transaction, this kiosk's `admission`
   * of the guest (if they were let in): both are kept, or neither. */
  async add(item, admission) {
    await transaction(["queue", "admissions"], "readwrite", ({ queue, admissions }) => {
      queue.add(item);
      if (admission) admissions.put(admission);
    });
    await this.measure();
  }

  /** Counts the event's scans waiting and finds the oldest (kept in `count`, `oldest`). */
  async measure() {
    const [count, first] = await transaction(["queue"], "readonly", async ({ queue }) => {
      const ofEvent = queue.index("event_id");
      return [await done(ofEvent.count(this.eventId ?? -1)),
              await done(ofEvent.get(this.eventId ?? -1))];
    });
    this.count = count;
    this.oldest = first ? first.scanned_at : null;
    return count;
  }

  /**
   * Uploads the event's scans in order, batch after batch, with `post(scans)` (resolves to
   * the server's results, or null when it did not take the batch). Resolves to the number
   * of scans the server took; stops at the first batch not taken (it stays queued).
   */
  async upload(post) {
    let taken = 0;
    for (;;) {
      const batch = await transaction(["queue"], "readonly", ({ queue }) => done(
        queue.index("event_id").getAll(this.eventId ?? -1, BATCH)));
      if (!batch.length || !await post(batch.map(wire))) break;
      await transaction(["queue"], "readwrite", ({ queue }) => {
        for (const item of batch) queue.delete(item.seq);
      });
      taken += batch.length;
    }
    await this.measure();
    return taken;
  }
}
