// Name badges, printed as guests arrive: the badge (A6, 300 dpi) is fetched with the
// device's token and printed from a frame of its own whose page is the badge's size. It
// starts once the answer is on screen and is never waited for: a badge that cannot be had
// leaves a small note, and scanning goes on. (A kiosk that prints runs Chromium with
// --kiosk-printing: print() then goes to the default printer without a dialog.)
const BADGE_TIMEOUT_MS = 10000;
const NOTE_MS = 4000;

let printing = Promise.resolve(); // one badge at a time through the one frame
let printFrame = null;
let shownBadge = null; // the object URL of the badge in the frame
let noteTimer = null;

const PAGE_STYLE = "@page { size: 105mm 148mm; margin: 0 }"
  + " html, body { margin: 0; padding: 0; background: #fff }"
  + " img { display: block; width: 105mm; height: 148mm; object-fit: contain }";

function printDocument() {
  if (!printFrame) {
    printFrame = document.createElement("iframe");
    printFrame.className = "print-frame";
    printFrame.title = "badge";
    printFrame.tabIndex = -1;
    printFrame.setAttribute("aria-hidden", "true");
    document.body.append(printFrame);
    const style = printFrame.contentDocument.createElement("style");
    style.textContent = PAGE_STYLE;
    printFrame.contentDocument.head.append(style);
  }
  return printFrame.contentDocument;
}

async function fetchBadge(device, language, invitationId) {
  const response = await fetch(
    `/api/v1/events/${device.event_id}/invitations/${invitationId}/badge.png`, {
      headers: { Authorization: `Bearer ${device.token}`, "Accept-Language": language },
      signal: AbortSignal.timeout(BADGE_TIMEOUT_MS),
    });
  if (!response.ok) throw new Error(`badge: ${response.status}`);
  return response.blob();
}

function notPrinted(note) {
  note.hidden = false;
  clearTimeout(noteTimer);
  noteTimer = setTimeout(() => { note.hidden = true; }, NOTE_MS);
}

/** Prints invitation `invitationId`'s badge, after the ones before it; `printed` (a list)
 * gets its id once it is sent to the printer, `note` shows a while if it could not be. */
export function printBadge(invitationId, { device, language, printed, note }) {
  const badge = fetchBadge(device, language, invitationId); // fetched at once, printed in turn
  badge.catch(() => {}); // (its failure is handled in turn below)
  printing = printing.then(async () => {
    const url = URL.createObjectURL(await badge);
    const page = printDocument();
    const image = page.createElement("img");
    image.alt = "";
    image.src = url;
    try {
      await image.decode();
    } catch (error) {
      URL.revokeObjectURL(url);
      throw error;
    }
    page.body.replaceChildren(image);
    if (shownBadge) URL.revokeObjectURL(shownBadge);
    shownBadge = url;
    printed.push(invitationId);
    printFrame.contentWindow.print();
  }).catch(() => notPrinted(note));
}
