// A scan judged at the kiosk, without the server, from its offline copy: the same statuses,
// in the same order, and the same sentences (the server's own templates, sent with the copy)
// as the server's answer (kiosk_server/checkin/service.py). What it judged goes up later:
// a guest the copy knows as their lookup and invitation ref (never their token), any other
// scan as the text scanned, sealed to the server (`sealCode`).
import { namesItself } from "../gate-name.js";
import { MAX_SCANNED_LENGTH, TOKEN, tokenText } from "../scanner.js";
import { fromBase64Url, sealCode } from "./offline-copy.js";

const LANGUAGES = ["vi", "en"];

function fill(template, values) {
  return template.replace(/\{(\w+)\}/g, (_, name) => values[name] ?? "");
}

/** HH:MM of an ISO time in the event's time zone, as the server writes {time}. */
export function clock(iso, zone) {
  return new Intl.DateTimeFormat("en-GB", { hour: "2-digit", minute: "2-digit",
                                            hourCycle: "h23", timeZone: zone })
    .format(new Date(iso));
}

/** The server's sentence `key` in both languages: {vi, en}. */
function sentences(meta, key, { name = "", time = "", gate = "" } = {}) {
  const said = {};
  for (const language of LANGUAGES) {
    const words = meta.messages[language];
    said[language] = fill(words[key], {
      name: name || words.guest, time,
      // (A copy fetched before the server had `at_named_gate` says "at gate" always.)
      at_gate: gate ? fill((namesItself(gate) && words.at_named_gate) || words.at_gate,
                           { gate }) : "",
    });
  }
  return said;
}

/**
 * Judges the text `scanned` with `copy` (an OfflineCopy that is ready) at `now` (a Date), at
 * this kiosk's `gate`. Resolves to {result, queued, admission}: the answer to show (shaped as
 * the server's, with `messages` in both languages and `offline: true`), the scan to queue,
 * and for a guest let in, this kiosk's admission of them (null otherwise).
 */
export async function judge(copy, scanned, { scanId, now, gate }) {
  const { event } = copy.meta;
  const token = tokenText(scanned);
  const found = TOKEN.test(token) ? await copy.find(token) : { entry: null };
  const { entry } = found;
  const scannedAt = now.toISOString();
  const base = { scan_id: scanId, event_id: event.id, offline: true, customer: null };
  const queued = { scan_id: scanId, scanned_at: scannedAt, event_id: event.id };
  if (!entry) {
    const result = { ...base, status: "invalid", messages: sentences(copy.meta, "invalid") };
    // (At most the characters the server reads of a scan: a longer text would make it refuse
    // the whole upload.) Sealed to the server; in clear only by a copy of before the key.
    const code = [...scanned].slice(0, MAX_SCANNED_LENGTH).join("");
    const key = copy.meta.upload_key;
    const kept = key ? { sealed_code: await sealCode(code, fromBase64Url(key)) } : { code };
    return { result, queued: { ...queued, offline_status: "invalid", ...kept },
             admission: null };
  }
  Object.assign(queued, { lookup: found.lookup, ref: entry.ref });
  const guest = await copy.guest(token, entry);
  const name = guest?.name || "";
  const answer = (status, key, values = {}, more = {}) => ({
    result: { ...base, ...more, status, messages: sentences(copy.meta, key, { name, ...values }),
              customer: guest && status !== "wrong_event" ? { ...guest } : null },
    queued: { ...queued, offline_status: status },
    admission: null,
  });
  if (entry.status === "revoked") return answer("revoked", "revoked");
  if (entry.status === "wrong_event") return answer("wrong_event", "wrong_event");
  if (now < new Date(event.opens_at)) {
    return answer("not_open", "not_yet_open", { time: clock(event.opens_at, event.timezone) });
  }
  if (event.closes_at && now > new Date(event.closes_at)) return answer("not_open", "closed");
  const admitted = await copy.admission(entry.ref);
  const first = admitted ? { at: admitted.at, gate: admitted.gate }
    : entry.checked_in_at ? { at: entry.checked_in_at, gate: entry.gate } : null;
  if (first && !event.allow_reentry) {
    return answer("already_checked_in", "already_checked_in",
                  { time: clock(first.at, event.timezone), gate: first.gate || "" },
                  { first_checked_in_at: first.at, checked_in_at: first.at, gate: first.gate });
  }
  const judged = answer("ok", "ok", {}, { checked_in_at: scannedAt, gate });
  if (guest) judged.result.customer.visit_count = guest.visit_count + 1; // with this visit
  judged.admission = first ? null : { ref: entry.ref, at: scannedAt, gate, scan_id: scanId };
  return judged;
}
