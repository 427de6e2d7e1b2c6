// A random UUID (version 4) for a request's idempotency key or a scan's id. Browsers give
// `crypto.randomUUID` on secure origins only (HTTPS, or this machine's own address); a till
// or kiosk opened over plain HTTP on the shop's network has `crypto.getRandomValues`, from
// which the same is made here.
export function randomId() {
  if (crypto.randomUUID) return crypto.randomUUID();
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  bytes[6] = (bytes[6] & 0x0f) | 0x40; // version 4
  bytes[8] = (bytes[8] & 0x3f) | 0x80; // the RFC 4122 variant
  const hex = Array.from(bytes, (byte) => byte.toString(16).padStart(2, "0")).join("");
  return [hex.slice(0, 8), hex.slice(8, 12), hex.slice(12, 16), hex.slice(16, 20),
          hex.slice(20)].join("-");
}
