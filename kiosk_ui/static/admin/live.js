// Live feeds over websockets (the session cookie signs them in): reconnect by themselves
// until the page leaves them; a 4401 close means signed out, 4404 that the thing is gone.
import { sessionEnded } from "./api.js";
import { t } from "./i18n.js";

const RECONNECT_MS = 1000;

function socketUrl(path) {
  const scheme = location.protocol === "https:" ? "wss" : "ws";
  return `${scheme}://${location.host}/api/v1${path}`;
}

/**
 * Follows the feed at `path()` (asked again on each reconnect) until `leave` is called.
 * `onMessage(data)` gets each message; `onStatus(live)` says whether it is connected.
 * Returns `leave`.
 */
export function follow(path, { onMessage, onStatus = () => {} }) {
  let socket = null;
  let left = false;
  let timer = null;

  function connect() {
    socket = new WebSocket(socketUrl(path()));
    socket.onopen = () => onStatus(true);
    socket.onmessage = (message) => onMessage(JSON.parse(message.data));
    socket.onclose = (closed) => {
      if (left) return;
      onStatus(false);
      if (closed.code === 4401) sessionEnded();
      else if (closed.code !== 4404) timer = setTimeout(connect, RECONNECT_MS);
    };
  }

  connect();
  return () => {
    left = true;
    clearTimeout(timer);
    socket?.close();
  };
}

/** "live" in green, or what went wrong in red. */
export function liveStatus() {
  const node = document.createElement("span");
  const show = (live, text) => {
    node.className = live ? "live" : "live offline";
    node.textContent = text;
  };
  show(false, t("connecting"));
  return { node, show };
}
