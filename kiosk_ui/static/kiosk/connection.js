// Whether the kiosk can reach the server, and what it does about it. About every 3 s it
// syncs (POST /api/v1/kiosk/sync: its state for the monitor, the check-ins since its copy
// was made), which is also its probe: no answer within 1.5 s and the kiosk is offline
// (as it is when a check-in gets no answer in time). Once the server answers again: the
// kiosk is online and its queue goes up in order; then a fresh full copy of the event
// comes when the one kept is 5 minutes old (or missing). One round (sync and upload) at a
// time: a scan that must wait for the queue to drain waits for the round under way (not
// for the copy, which may take a while on a large event).
import { FIRST_ANSWER_MS, deviceRequest } from "../scan-sender.js";

export const SYNC_MS = 3000;
const OFFLINE_SINCE = "kiosk.offlineSince";
const UPLOAD_MS = 15000; // a batch of 100 scans may take the server a while
const COPY_MS = 30000;
const COPY_AGAIN_MS = 30000; // a copy that could not be had is asked for again after this
const MORE_ROUNDS = 20; // changes asked again at most this often in one sync (500 each)

class Revoked extends Error {}

export class Connection {
  /**
   * `device()` and `language()` say who calls and in which language; `copy` (OfflineCopy) and
   * `queue` (ScanQueue) are kept up to date; `onChange()` hears when the state changed and
   * `onRevoked()` when the server refused the device's token.
   */
  constructor({ copy, queue, device, language, onChange, onRevoked }) {
    Object.assign(this, { copy, queue, device, language, onChange, onRevoked });
    // offlineSince: a Date while offline (kept across reloads); syncs and uploaded: syncs
    // answered, scans the server took.
    const since = localStorage.getItem(OFFLINE_SINCE);
    this.state = { online: !since, offlineSince: since ? new Date(since) : null,
                   lastUploadAt: null, syncs: 0, uploaded: 0 };
    this.round = null;
    this.timer = null;
    this.loops = 0; // the loop started last (a start() ends the one before)
    this.copyAskedAt = -Infinity;
  }

  /** Starts syncing now (and asks for a full copy if there is none), then about every
   * SYNC_MS. */
  start() {
    this.copyAskedAt = -Infinity;
    this.#loop();
  }

  #loop() {
    clearTimeout(this.timer);
    const loop = ++this.loops;
    this.#beat().catch((error) => console.error(error)).finally(() => {
      if (loop === this.loops) this.timer = setTimeout(() => this.#loop(), SYNC_MS);
    });
  }

  async #beat() {
    await this.sync();
    const device = this.device();
    if (device && this.state.online && this.copy.due()
        && Date.now() - this.copyAskedAt >= COPY_AGAIN_MS) {
      this.copyAskedAt = Date.now();
      await this.#fetchCopy(device).catch((error) => {
        if (error instanceof Revoked) this.onRevoked();
        else throw error;
      });
    }
  }

  /** The server did not answer (a check-in, a sync): the kiosk is offline from `at` on. */
  offline(at = new Date()) {
    if (!this.state.online) return;
    this.state.online = false;
    this.state.offlineSince = at;
    localStorage.setItem(OFFLINE_SINCE, at.toISOString());
    this.onChange();
  }

  #online() {
    if (this.state.online) return;
    this.state.online = true;
    this.state.offlineSince = null;
    localStorage.removeItem(OFFLINE_SINCE);
    this.onChange();
  }

  /** One round (sync, upload), or the one under way. Resolves once it is over. */
  sync() {
    this.round = this.round || this.#round().catch((error) => {
      if (error instanceof Revoked) this.onRevoked();
      else throw error;
    }).finally(() => { this.round = null; });
    return this.round;
  }

  async #round() {
    const device = this.device();
    if (!device) return;
    const wasOffline = !this.state.online;
    if (!await this.#report(device)) {
      this.offline();
      return;
    }
    this.#online();
    const uploaded = await this.#upload(device);
    if (wasOffline || uploaded) await this.#report(device); // the monitor sees it at once
  }

  /** A call to the server: its answer, null when none came in time; throws on a 401. */
  async #call(device, url, body, timeoutMs) {
    const answer = await deviceRequest(url, body, { token: device.token,
                                                    language: this.language(), timeoutMs });
    if (answer?.status === 401) throw new Revoked();
    return answer && answer.status < 500 ? answer : null;
  }

  /** The sync: reports this kiosk's state, applies the check-ins since its copy. Resolves
   * to whether the server answered. */
  async #report(device) {
    for (let round = 0; round < MORE_ROUNDS; round += 1) {
      const answer = await this.#call(device, "/api/v1/kiosk/sync", {
        after: this.copy.ready ? this.copy.meta.last_seq : 0,
        sent_at: new Date().toISOString(),
        state: {
          offline_since: this.state.offlineSince?.toISOString() ?? null,
          queued: this.queue.count, oldest_queued_at: this.queue.oldest,
          last_upload_at: this.state.lastUploadAt?.toISOString() ?? null,
        },
      }, FIRST_ANSWER_MS);
      if (!answer) return false;
      this.state.syncs += 1;
      if (!answer.ok || !this.copy.ready) return true; // answered; nothing to apply
      await this.copy.apply(answer.body.changes, answer.body.last_seq);
      if (!answer.body.more) return true;
    }
    return true;
  }

  /** Uploads the queue; resolves to the number of scans the server took. */
  async #upload(device) {
    if (!this.queue.count) return 0;
    const taken = await this.queue.upload(async (scans) => {
      const answer = await this.#call(device, "/api/v1/kiosk/uploads",
                                      { sent_at: new Date().toISOString(), scans }, UPLOAD_MS);
      if (!answer) this.offline();
      if (!answer?.ok) return null;
      this.state.lastUploadAt = new Date();
      return answer.body.results;
    });
    this.state.uploaded += taken;
    this.onChange();
    return taken;
  }

  async #fetchCopy(device) {
    const answer = await this.#call(device, "/api/v1/kiosk/copy", null, COPY_MS);
    // (Not if the kiosk was paired again meanwhile: the copy is another device's.)
    if (answer?.ok && answer.body.event.id === device.event_id && this.device() === device) {
      await this.copy.replace(answer.body);
      this.copyAskedAt = -Infinity;
      this.onChange();
    }
  }
}
