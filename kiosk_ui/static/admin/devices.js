// #/devices: the kiosk devices (optionally of one event), renaming and revoking them.
import { api, query } from "./api.js";
import { t } from "./i18n.js";
import {
  actionButton, confirmAction, el, field, makeForm, notify, row, select, table, textInput,
  underRow, valueOf, when,
} from "./ui.js";

function renameForm(device, reload) {
  return makeForm({
    className: "inline",
    fields: [field("name", t("deviceName"), textInput(device.name, { maxlength: 100 }))],
    submit: t("rename"),
    send: async (sent) => {
      await api(`/devices/${device.id}`, { method: "PATCH",
        body: { name: valueOf(sent, "name") } });
      notify(t("saved"));
      await reload();
    },
  });
}

function deviceRow(device, events, reload, admin) {
  const extra = underRow(6);
  // Renaming and revoking are for admins (the server refuses anyone else).
  const actions = device.revoked_at || !admin ? "" : el("span", { class: "row-actions" },
    actionButton(t("rename"), extra.opener(() => renameForm(device, reload)), "small"),
    actionButton(t("revoke"), async () => {
      if (!await confirmAction(t("revokeDeviceQ", { name: device.name }), t("revoke"))) return;
      await api(`/devices/${device.id}`, { method: "DELETE" });
      notify(t("deviceRevoked", { name: device.name }));
      await reload();
    }, "danger small"));
  const line = row(device.name, events.get(device.event_id) || "—", device.gate || "—",
    when(device.created_at),
    device.revoked_at ? `${t("revoked")} ${when(device.revoked_at)}` : t("active"), actions);
  line.dataset.deviceId = device.id;
  line.classList.toggle("inactive", Boolean(device.revoked_at));
  return [line, extra.row];
}

export async function devicesView(root, context) {
  const eventList = await api("/events");
  const events = new Map(eventList.map((event) => [event.id, event.name]));
  const filter = select([["", t("allEvents")], ...eventList.map((event) => [event.id,
    event.name])], "");
  filter.setAttribute("aria-label", t("filterByEvent"));
  const { node, body } = table([t("deviceName"), t("event"), t("gate"), t("created"),
    t("status"), ""], "devices");
  const empty = el("p", { class: "empty", text: t("noDevices"), hidden: true });
  const reload = async () => {
    const devices = await api(`/devices${query({ event_id: filter.value })}`);
    body.replaceChildren(...devices.flatMap((device) => deviceRow(device, events, reload,
      context.me.role === "admin")));
    empty.hidden = devices.length > 0;
  };
  filter.addEventListener("change", () => reload().catch((error) => notify(error.message,
    "error")));
  await reload();
  root.append(el("h1", { text: t("navDevices") }), el("section", { class: "panel" },
    el("div", { class: "toolbar" }, filter), node, empty));
}
