// The one way the admin pages talk to the server: JSON (or a CSV file) to /api/v1, and files
// from it, in the page's language; errors as ApiError, each problem with the field it is about.
import { lang, t } from "./i18n.js";
import { validationProblems } from "./problems.js";

/** The server said no (status > 0), or could not be reached (status 0). */
export class ApiError extends Error {
  constructor(status, problems) {
    super(problems.map((problem) => problem.message).join(" "));
    this.status = status;
    // [{field, message, rule?}]; field null when about the whole request; a refused value's
    // `rule` is its message without the field's name, for a form that shows its own label.
    this.problems = problems;
  }
}

let signedOut = () => {};

/** What to do when the server answers 401 (or a feed closes with 4401): the session ended. */
export function onSignedOut(handler) {
  signedOut = handler;
}

export const sessionEnded = () => signedOut();

/** `{error: {message, field}}` (in the page's language already), or FastAPI's 422
 * `{detail: [{type, loc, ctx}]}` (machine codes, made sentences here). */
function problemsOf(status, data) {
  if (data?.error) return [{ field: data.error.field || null, message: data.error.message }];
  if (Array.isArray(data?.detail) && data.detail.length) return validationProblems(data.detail);
  return [{ field: null, message: t("httpError", { status }) }];
}

/**
 * Calls /api/v1`path`. `body` is sent as JSON, `file` (a File or Blob) as text/csv.
 * Resolves to the answer's JSON (null for 204), rejects with an ApiError.
 */
export async function api(path, { method = "GET", body, file } = {}) {
  const headers = { "Accept-Language": lang() };
  const options = { method, headers };
  if (file !== undefined) {
    headers["Content-Type"] = "text/csv";
    options.body = file;
  } else if (body !== undefined) {
    headers["Content-Type"] = "application/json";
    options.body = JSON.stringify(body);
  }
  const response = await answer(path, options);
  if (response.status === 204) return null;
  return response.json().catch(() => null);
}

// The server's clock less this device's, narrowed by each answer's Date header: the server
// stamped it (whole seconds) between the question and the answer, so the difference lies in
// [Date - answered, Date + 1 s - asked]. Ages of what the server timed are counted on its
// clock, whatever this device's clock says.
const skew = { low: -Infinity, high: Infinity };

function noteServerClock(response, asked) {
  const date = Date.parse(response.headers.get("Date") || "");
  if (Number.isNaN(date)) return;
  const low = date - Date.now();
  const high = date + 1000 - asked;
  if (low > skew.high || high < skew.low) Object.assign(skew, { low, high }); // a clock moved
  else Object.assign(skew, { low: Math.max(skew.low, low), high: Math.min(skew.high, high) });
}

/** The time now on the server's clock, as far as the answers so far tell (ms since 1970). */
export const serverNow = () => Date.now() + (Number.isFinite(skew.low)
  ? (skew.low + skew.high) / 2 : 0);

/** The server's answer to /api/v1`path` if it said yes; rejects with an ApiError. */
async function answer(path, options) {
  let response;
  const asked = Date.now();
  try {
    response = await fetch(`/api/v1${path}`, options);
  } catch {
    throw new ApiError(0, [{ field: null, message: t("offline") }]);
  }
  noteServerClock(response, asked);
  if (response.ok) return response;
  const data = await response.json().catch(() => null);
  if (response.status === 401 && path !== "/auth/login") sessionEnded();
  throw new ApiError(response.status, problemsOf(response.status, data));
}

/**
 * Fetches the file at /api/v1`path` and has the browser save it under the name the server
 * gives (its Content-Disposition); resolves to that name, rejects with an ApiError (a
 * refusal is said on the page, not saved as a file).
 */
export async function download(path) {
  const response = await answer(path, { headers: { "Accept-Language": lang() } });
  const name = /filename="([^"]+)"/.exec(response.headers.get("Content-Disposition") || "")
    ?.[1] || "download";
  const url = URL.createObjectURL(await response.blob());
  const link = Object.assign(document.createElement("a"), { href: url, download: name });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
  return name;
}

/** `?a=1&b=2` from the values that are set (null, undefined and "" are left out). */
export function query(values) {
  const kept = Object.entries(values).filter(([, value]) => value !== null
    && value !== undefined && value !== "");
  return kept.length ? `?${new URLSearchParams(kept)}` : "";
}
