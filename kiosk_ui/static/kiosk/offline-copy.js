// The kiosk's offline copy of its event (GET /api/v1/kiosk/copy), kept in IndexedDB: enough
// to judge a scan without the server, and nothing that gives the guest list away. Each entry
// is keyed by a digest of its token (the lookup) and holds the guest's name and visits only
// sealed with a key derived from that same token: a name is read when its QR is shown.
//
//   lookup = base64url(HKDF-SHA256(ikm = token text, salt = the event's salt,
//                                  info = "kiosk/offline/lookup", 16 bytes))
//   key    = HKDF-SHA256(same ikm and salt, info = "kiosk/offline/seal") -> AES-256-GCM
//   box    = base64url(12-byte nonce || ciphertext and tag), the lookup as associated data
// A code the copy does not know is queued sealed to the server (`sealCode`), never in
// clear: a stolen tablet must not give away a code that may be a guest's.
//
//   ECDH P-256 of a key pair drawn for the code with the server's `upload_key` -> x
//   key    = HKDF-SHA256(ikm = x, salt = the drawn public point, info = "kiosk/offline/upload")
//   sealed = base64url(the drawn public point (65) || 12-byte nonce || ciphertext and tag)
// (the server's side: kiosk_server/offline). Kept fresh from the sync's changes.
import { done, transaction } from "./store.js";

const LOOKUP_INFO = new TextEncoder().encode("kiosk/offline/lookup");
const SEAL_INFO = new TextEncoder().encode("kiosk/offline/seal");
const UPLOAD_INFO = new TextEncoder().encode("kiosk/offline/upload");

/** Bytes as base64url without padding, and back. */
export function toBase64Url(bytes) {
  let text = "";
  for (const byte of bytes) text += String.fromCharCode(byte);
  return btoa(text).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
}

export function fromBase64Url(text) {
  const binary = atob(text.replaceAll("-", "+").replaceAll("_", "/"));
  return Uint8Array.from(binary, (char) => char.charCodeAt(0));
}

async function tokenKey(token) {
  return crypto.subtle.importKey("raw", new TextEncoder().encode(token), "HKDF", false,
                                 ["deriveBits", "deriveKey"]);
}

/** The lookup of a token text under the event's `salt` (bytes). */
export async function lookupOf(token, salt) {
  const bits = await crypto.subtle.deriveBits(
    { name: "HKDF", hash: "SHA-256", salt, info: LOOKUP_INFO }, await tokenKey(token), 128);
  return toBase64Url(new Uint8Array(bits));
}

/** What a box holds ({name, visit_count, vip}), opened with the token it was sealed for;
 * null when it does not open (not that token's, or altered). */
export async function openBox(token, salt, lookup, box) {
  try {
    const key = await crypto.subtle.deriveKey(
      { name: "HKDF", hash: "SHA-256", salt, info: SEAL_INFO }, await tokenKey(token),
      { name: "AES-GCM", length: 256 }, false, ["decrypt"]);
    const sealed = fromBase64Url(box);
    const plain = await crypto.subtle.decrypt(
      { name: "AES-GCM", iv: sealed.slice(0, 12),
        additionalData: new TextEncoder().encode(lookup) },
      key, sealed.slice(12));
    return JSON.parse(new TextDecoder().decode(plain));
  } catch {
    return null;
  }
}

/** `text` sealed to the server's public point `serverPoint` (bytes): only it opens it. */
export async function sealCode(text, serverPoint) {
  const ecdh = { name: "ECDH", namedCurve: "P-256" };
  const server = await crypto.subtle.importKey("raw", serverPoint, ecdh, false, []);
  const drawn = await crypto.subtle.generateKey(ecdh, true, ["deriveBits"]);
  const point = new Uint8Array(await crypto.subtle.exportKey("raw", drawn.publicKey));
  const shared = await crypto.subtle.deriveBits({ name: "ECDH", public: server },
                                                drawn.privateKey, 256);
  const material = await crypto.subtle.importKey("raw", shared, "HKDF", false, ["deriveKey"]);
  const key = await crypto.subtle.deriveKey(
    { name: "HKDF", hash: "SHA-256", salt: point, info: UPLOAD_INFO }, material,
    { name: "AES-GCM", length: 256 }, false, ["encrypt"]);
  const nonce = crypto.getRandomValues(new Uint8Array(12));
  const sealed = new Uint8Array(await crypto.subtle.encrypt(
    { name: "AES-GCM", iv: nonce }, key, new TextEncoder().encode(text)));
  return toBase64Url(new Uint8Array([...point, ...nonce, ...sealed]));
}

/** Whether the scan `scanId` still waits in the queue (within a transaction over it). */
async function queued(queue, scanId) {
  return (await done(queue.index("scan_id").getKey(scanId))) !== undefined;
}

export const REFRESH_MS = 5 * 60 * 1000; // a full copy again every 5 minutes while online
// Whether this page can judge scans by itself: WebCrypto and IndexedDB are there only on a
// secure origin (HTTPS, or this machine's own address). Elsewhere the kiosk works online
// only, and says so.
export const CAN_JUDGE = Boolean(globalThis.isSecureContext && globalThis.crypto?.subtle
                                 && globalThis.indexedDB);

/** The copy of one event, as this kiosk keeps it. */
export class OfflineCopy {
  constructor() {
    this.meta = null; // {event, salt, messages, last_seq, generated_at, fetched_at}
    this.salt = null; // the salt's bytes
  }

  get ready() {
    return CAN_JUDGE && this.meta !== null;
  }

  /** Whether the copy is missing or older than REFRESH_MS (never, where it cannot be used). */
  due(now = Date.now()) {
    return CAN_JUDGE && (!this.meta || now - this.meta.fetched_at >= REFRESH_MS);
  }

  #use(meta) {
    this.meta = meta;
    this.salt = meta ? fromBase64Url(meta.salt) : null;
  }

  /** Takes the copy kept in IndexedDB if it is `eventId`'s; another event's is thrown away
   * (this kiosk was paired again elsewhere). */
  async load(eventId) {
    const meta = await transaction(["meta"], "readonly", ({ meta }) => done(meta.get("copy")));
    if (meta && meta.event.id === eventId) {
      this.#use(meta);
    } else {
      await this.forget();
    }
    return this.ready;
  }

  /** Throws the copy and this kiosk's offline admissions away (the queue stays: its scans
   * are still to be uploaded). */
  async forget() {
    this.#use(null);
    await transaction(["meta", "entries", "admissions"], "readwrite", (stores) => {
      for (const store of Object.values(stores)) store.clear();
    });
  }

  /**
   * Replaces the copy with `copy`, as the server sent it. Offline admissions whose scans
   * were uploaded are in it (it was made after their upload): only those of scans still
   * queued stay.
   */
  async replace(copy) {
    const { event, salt, upload_key: uploadKey, messages, last_seq: lastSeq,
            generated_at: generatedAt } = copy;
    const meta = { event, salt, upload_key: uploadKey, messages, last_seq: lastSeq,
                   generated_at: generatedAt, fetched_at: Date.now() };
    await transaction(["meta", "entries", "admissions", "queue"], "readwrite",
                      async ({ meta: metas, entries, admissions, queue }) => {
      entries.clear();
      for (const entry of copy.entries) entries.put(entry);
      for (const admission of await done(admissions.getAll())) {
        if (!await queued(queue, admission.scan_id)) admissions.delete(admission.ref);
      }
      metas.put(meta, "copy");
    });
    this.#use(meta);
  }

  /** Applies the sync's `changes` (whether each invitation is checked in) and its position
   * in the event's feed, `lastSeq`. The server's word on an invitation replaces this
   * kiosk's own admission of it once that scan is uploaded (an undone check-in is undone
   * here too). */
  async apply(changes, lastSeq) {
    const meta = { ...this.meta, last_seq: lastSeq };
    await transaction(["meta", "entries", "admissions", "queue"], "readwrite",
                      async ({ meta: metas, entries, admissions, queue }) => {
      for (const change of changes) {
        for (const entry of await done(entries.index("ref").getAll(change.ref))) {
          entries.put({ ...entry, checked_in_at: change.checked_in_at, gate: change.gate });
        }
        const admission = await done(admissions.get(change.ref));
        if (admission && !await queued(queue, admission.scan_id)) admissions.delete(change.ref);
      }
      metas.put(meta, "copy");
    });
    this.meta = meta;
  }

  /** The entry of a token text ({lookup, entry}; entry null when the copy has none). */
  async find(token) {
    const lookup = await lookupOf(token, this.salt);
    const entry = await transaction(["entries"], "readonly",
                                    ({ entries }) => done(entries.get(lookup)));
    return { lookup, entry: entry || null };
  }

  /** The guest's details in an entry's box, opened with the token scanned (null: none). */
  async guest(token, entry) {
    return entry.box ? openBox(token, this.salt, entry.id, entry.box) : null;
  }

  /** This kiosk's own offline admission of invitation `ref` ({ref, at, gate, scan_id}). */
  async admission(ref) {
    const found = await transaction(["admissions"], "readonly",
                                    ({ admissions }) => done(admissions.get(ref)));
    return found || null;
  }
}
