// Reading QR codes: from a camera, and the text a handheld scanner types. One module for
// every page that scans (the kiosk at a gate, the till).
//
// The camera's frames are decoded by the browser's own BarcodeDetector where it reads QR
// codes (Android, macOS, ChromeOS), else by ZXing compiled to WebAssembly, served by the
// Kiosk server itself under /ui/vendor/zxing/ (never from a CDN). Without either, or without
// a camera, the page still works with handheld scanners.

const ZXING = "/ui/vendor/zxing";
const SAME_CODE_MS = 3000; // a code held up to the camera is read once, not at every frame

/**
 * A function reading the QR codes' texts in a canvas (`read(canvas, context)`), or null when
 * this browser has no QR decoder.
 */
export async function qrReader() {
  if ("BarcodeDetector" in window) {
    const formats = await BarcodeDetector.getSupportedFormats().catch(() => []);
    if (formats.includes("qr_code")) {
      const detector = new BarcodeDetector({ formats: ["qr_code"] });
      return async (canvas) => (await detector.detect(canvas)).map((found) => found.rawValue);
    }
  }
  let zxing;
  try {
    zxing = await import(`${ZXING}/es/reader/index.js`);
  } catch {
    return null; // the server has no ZXing (npm ci was not run): handheld scanners only
  }
  zxing.prepareZXingModule({
    overrides: { locateFile: (path) => `${ZXING}/reader/${path}` },
    fireImmediately: true,
  });
  return async (canvas, context) => {
    const image = context.getImageData(0, 0, canvas.width, canvas.height);
    const found = await zxing.readBarcodes(image, { formats: ["QRCode"],
                                                    maxNumberOfSymbols: 1 });
    return found.filter((result) => result.isValid).map((result) => result.text);
  };
}

// Why a camera cannot be used, from the error getUserMedia gave.
const CAMERA_ERRORS = {
  NotFoundError: "no_camera", OverconstrainedError: "no_camera",
  NotAllowedError: "denied", SecurityError: "denied",
};

/**
 * Shows the camera in `video` and calls `onCode(text)` for each QR code it reads — once for
 * a code held in view (again only after 3 s). Frames are not decoded while `paused()` is
 * true. `stats.decodeMs` gets each frame's decoding time. Resolves to `{stop()}`, or null
 * when there is no camera, no permission or no decoder; `onUnavailable(reason)` then hears
 * why: "no_camera", "denied" (not allowed), "no_decoder" or "failed" (any other reason).
 */
export async function startCamera({ video, onCode, paused = () => false, stats = {},
                                    onUnavailable = () => {} }) {
  const unavailable = (reason) => {
    onUnavailable(reason);
    return null; // handheld scanners still work
  };
  if (!navigator.mediaDevices?.getUserMedia) return unavailable("no_camera");
  const read = await qrReader();
  if (!read) return unavailable("no_decoder");
  let stream;
  try {
    stream = await navigator.mediaDevices.getUserMedia({
      video: { facingMode: "environment", width: { ideal: 1280 }, height: { ideal: 720 } },
    });
  } catch (error) {
    return unavailable(CAMERA_ERRORS[error?.name] || "failed");
  }
  video.srcObject = stream;
  video.hidden = false;
  try {
    await video.play();
  } catch {
    for (const track of stream.getTracks()) track.stop();
    video.srcObject = null;
    video.hidden = true;
    return unavailable("failed");
  }
  const canvas = document.createElement("canvas");
  const context = canvas.getContext("2d", { willReadFrequently: true });
  const seen = new Map(); // code -> when the camera last saw it
  let stopped = false;
  const frame = async () => {
    if (stopped) return;
    if (!paused() && video.videoWidth) {
      canvas.width = video.videoWidth;
      canvas.height = video.videoHeight;
      context.drawImage(video, 0, 0);
      const started = performance.now();
      const codes = await read(canvas, context).catch(() => []);
      stats.decodeMs = performance.now() - started;
      const now = Date.now();
      for (const code of codes) {
        if (now - (seen.get(code) || 0) < SAME_CODE_MS) continue; // held up again: once
        seen.set(code, now);
        onCode(code);
      }
    }
    if (!stopped) video.requestVideoFrameCallback(frame);
  };
  video.requestVideoFrameCallback(frame);
  return {
    stop() {
      stopped = true;
      for (const track of stream.getTracks()) track.stop();
      video.srcObject = null;
      video.hidden = true;
    },
  };
}

// A signed Kiosk code (see kiosk_server/core/signing.py): version, kind letter, serial, tag.
export const TOKEN = /^([0-9])([A-Z])\.[A-Z2-7]{16}\.[A-Z2-7]{24}$/;
// The same at the end of a text, maybe as a link's last segment.
const TRAILING = /([a-z][a-z0-9+.-]*:\/\/\S*\/)?[0-9][a-z]\.[a-z2-7]{16}\.[a-z2-7]{24}$/i;
// What the server's str.strip() takes off both ends (Python's whitespace, not JavaScript's:
// trim() would also take U+FEFF and leave U+001C-U+001F and U+0085).
const SPACE = "[\\t\\n\\v\\f\\r\\x1c-\\x20\\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]";
const ENDS = new RegExp(`^${SPACE}+|${SPACE}+$`, "g");
export const MAX_SCANNED_LENGTH = 512;

/**
 * The candidate token in a scan, exactly as the server's `extract_token_text` finds it: the
 * text stripped and cut to 512 characters, "" unless all ASCII (upper-casing "ı" or "ſ" would
 * let look-alikes through), a link's last path segment (without ?query or #part), upper case.
 */
export function tokenText(scanned) {
  let text = [...scanned.replace(ENDS, "")].slice(0, MAX_SCANNED_LENGTH).join("");
  if (!/^[\x00-\x7f]*$/.test(text)) return "";
  if (text.includes("/")) {
    text = text.split("?", 1)[0].split("#", 1)[0].replace(/\/+$/, "");
    text = text.slice(text.lastIndexOf("/") + 1);
  }
  return text.toUpperCase();
}

/**
 * The Kiosk code in a scan — bare, or the last segment of a link (`HTTP://HOST/C/1C....`) —
 * as {code, kind} ("C" card, "V" coupon, "I" invitation, "F" feedback); null when the text
 * is not one (a name or a phone number typed in the same box).
 */
export function kioskCode(scanned) {
  const text = tokenText(scanned);
  const match = TOKEN.exec(text);
  return match ? { code: text, kind: match[2] } : null;
}

/**
 * A code a handheld scanner typed at the end of what was in a field (the focus was not where
 * scans go): {before, code}, or null when the text does not end with one.
 */
export function trailingKioskCode(text) {
  const match = TRAILING.exec(text);
  const found = match && kioskCode(match[0]);
  return found ? { before: text.slice(0, match.index), code: found.code } : null;
}
