// Sending one scan to the server until it answers. The scan carries its scan_id: sent again
// (the network failed, the server was down or slow to answer) it is answered by the server
// once and recorded once, so sending again is always safe.
//
// One request at a time, never more: each attempt waits for its answer or gives up after
// ANSWER_TIMEOUT_MS (the server may still record it: the next attempt, with the same
// scan_id, then gets that first answer), and the pauses between attempts grow to a ceiling.
// What the sender is doing is in `sender.state`, for the page and its tests.

export const RETRY_MS = [250, 500, 1000, 2000, 3000]; // then 3000 each time
export const ANSWER_TIMEOUT_MS = 3000;

/** What `send` resolves to. */
export const Outcome = Object.freeze({
  ANSWERED: "answered", // the server's answer to the scan: `result` (ok, invalid, ...)
  REFUSED: "refused", // the request itself was refused (4xx): `message`, maybe empty
  REVOKED: "revoked", // 401: this kiosk's device token is revoked (or unknown)
});

/** What the sender is doing. */
export const Phase = Object.freeze({
  IDLE: "idle", // nothing to send
  SENDING: "sending", // a request is out, waiting for its answer
  WAITING: "waiting", // the last attempt got no answer: pausing before the next
});

const TRANSIENT = new Set([408, 425, 429]); // the request was not looked at: send again

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

export class ScanSender {
  constructor({ url = "/api/v1/checkins", retryMs = RETRY_MS,
                timeoutMs = ANSWER_TIMEOUT_MS } = {}) {
    this.url = url;
    this.retryMs = retryMs;
    this.timeoutMs = timeoutMs;
    // scanId: the scan being sent; attempts: requests made for it; retries: requests sent
    // again, all scans together.
    this.state = { phase: Phase.IDLE, scanId: null, attempts: 0, retries: 0 };
  }

  /**
   * Sends `body` (a check-in with its scan_id) with the device's `token` until the server
   * answers; `onRetry(attempt)` hears of each attempt that got no answer. Resolves to
   * {outcome, result?, message?} (see `Outcome`).
   */
  async send(body, { token, language, onRetry = () => {} }) {
    const state = this.state;
    state.scanId = body.scan_id;
    state.attempts = 0;
    const request = JSON.stringify(body);
    try {
      for (;;) {
        state.phase = Phase.SENDING;
        state.attempts += 1;
        const response = await this.#attempt(request, token, language);
        if (response?.status === 401) return { outcome: Outcome.REVOKED };
        if (response?.ok) return { outcome: Outcome.ANSWERED, result: response.body };
        if (response && response.status < 500 && !TRANSIENT.has(response.status)) {
          return { outcome: Outcome.REFUSED, message: response.body?.error?.message || "" };
        }
        state.phase = Phase.WAITING;
        state.retries += 1;
        onRetry(state.attempts);
        await sleep(this.retryMs[Math.min(state.attempts - 1, this.retryMs.length - 1)]);
      }
    } finally {
      state.phase = Phase.IDLE;
      state.scanId = null;
    }
  }

  /** One request: {ok, status, body}, or null when no answer came in time (or the network
   * failed, or an answer that says OK cannot be read). */
  async #attempt(request, token, language) {
    try {
      const response = await fetch(this.url, {
        method: "POST",
        headers: { "Content-Type": "application/json", "Accept-Language": language,
                   Authorization: `Bearer ${token}` },
        body: request,
        signal: AbortSignal.timeout(this.timeoutMs), // the body too must come in time
      });
      const text = await response.text();
      let body = {};
      try {
        body = JSON.parse(text);
      } catch {
        if (response.ok) return null;
      }
      return { ok: response.ok, status: response.status, body };
    } catch {
      return null;
    }
  }
}
