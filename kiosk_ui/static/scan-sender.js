// Sending one scan to the server until it answers. The scan carries its scan_id: sent again
// (the network failed, the server was down or slow to answer) it is answered by the server
// once and recorded once, so sending again is always safe.
//
// One request at a time, never more: each attempt waits for its answer or gives up after
// ANSWER_TIMEOUT_MS (the server may still record it: the next attempt, with the same
// scan_id, then gets that first answer), and the pauses between attempts grow to a ceiling.
// What the sender is doing is in `sender.state`, for the page and its tests.
//
// A kiosk that can judge a scan by itself (its offline copy) does not wait that long: it
// asks `send` for one attempt of at most FIRST_ANSWER_MS and, unanswered, judges the scan
// itself and keeps it for later (the same scan_id: recorded once even if that first request
// did reach the server). `deviceRequest` is the one request, also used for the kiosk's other
// calls (its sync and its uploads).

export const RETRY_MS = [250, 500, 1000, 2000, 3000]; // then 3000 each time
export const ANSWER_TIMEOUT_MS = 3000;
export const FIRST_ANSWER_MS = 1500;

/** What `send` resolves to. */
export const Outcome = Object.freeze({
  ANSWERED: "answered", // the server's answer to the scan: `result` (ok, invalid, ...)
  REFUSED: "refused", // the request itself was refused (4xx): `message`, maybe empty
  REVOKED: "revoked", // 401: this kiosk's device token is revoked (or unknown)
  UNANSWERED: "unanswered", // `once`: the one attempt got no answer (nor a judgement) in time
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
   * answers; `onRetry(attempt)` hears of each attempt that got no answer. With `once`, one
   * attempt of at most FIRST_ANSWER_MS only (Outcome.UNANSWERED when it gets no answer).
   * Resolves to {outcome, result?, message?} (see `Outcome`).
   */
  async send(body, { token, language, onRetry = () => {}, once = false }) {
    const state = this.state;
    state.scanId = body.scan_id;
    state.attempts = 0;
    const timeoutMs = once ? Math.min(FIRST_ANSWER_MS, this.timeoutMs) : this.timeoutMs;
    try {
      for (;;) {
        state.phase = Phase.SENDING;
        state.attempts += 1;
        const response = await deviceRequest(this.url, body, { token, language, timeoutMs });
        if (response?.status === 401) return { outcome: Outcome.REVOKED };
        if (response?.ok) return { outcome: Outcome.ANSWERED, result: response.body };
        if (response && response.status < 500 && !TRANSIENT.has(response.status)) {
          return { outcome: Outcome.REFUSED, message: response.body?.error?.message || "" };
        }
        if (once) return { outcome: Outcome.UNANSWERED };
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
}

/** One request (POST `body` as JSON, or GET when `body` is null, with the device's `token`):
 * {ok, status, body}, or null when no answer came within `timeoutMs` (or the network failed,
 * or an answer that says OK cannot be read). */
export async function deviceRequest(url, body, { token, language, timeoutMs = ANSWER_TIMEOUT_MS }) {
  try {
    const headers = { "Accept-Language": language, Authorization: `Bearer ${token}` };
    if (body !== null) headers["Content-Type"] = "application/json";
    const response = await fetch(url, {
      method: body === null ? "GET" : "POST",
      headers,
      body: body === null ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(timeoutMs), // the body too must come in time
    });
    const text = await response.text();
    let answer = {};
    try {
      answer = JSON.parse(text);
    } catch {
      if (response.ok) return null;
    }
    return { ok: response.ok, status: response.status, body: answer };
  } catch {
    return null;
  }
}
