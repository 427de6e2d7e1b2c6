// #/staff (admins; the server answers 403 to anyone else and the page shows it): the staff
// users, adding one, changing a role or name, disabling, resetting a password, API tokens.
import { api } from "./api.js";
import { t } from "./i18n.js";
import {
  actionButton, confirmAction, el, field, makeForm, notify, row, select, table, textInput,
  underRow, valueOf, when,
} from "./ui.js";

const roles = () => [["staff", t("roleStaff")], ["admin", t("roleAdmin")]];
const newPassword = () => textInput("", { type: "password", autocomplete: "new-password" });

function addForm(reload) {
  const form = makeForm({
    className: "staff-form",
    fields: [
      el("div", { class: "pair" },
        field("username", t("username"), textInput("", { autocomplete: "off" }),
          t("usernameHint")),
        field("full_name", t("fullName"), textInput(""))),
      el("div", { class: "pair" }, field("role", t("role"), select(roles(), "staff")),
        field("password", t("password"), newPassword(), t("passwordRule"))),
    ],
    submit: t("addStaff"),
    send: async (sent) => {
      const added = await api("/staff", { method: "POST", body: {
        username: valueOf(sent, "username"), full_name: valueOf(sent, "full_name"),
        role: sent.elements.role.value, password: sent.elements.password.value } });
      sent.reset();
      notify(t("staffAdded", { name: added.username }));
      await reload();
    },
  });
  return el("details", { class: "panel add" }, el("summary", { text: t("addStaff") }), form);
}

function editForm(user, reload) {
  return makeForm({
    className: "inline",
    fields: [field("full_name", t("fullName"), textInput(user.full_name)),
      field("role", t("role"), select(roles(), user.role))],
    submit: t("save"),
    send: async (sent) => {
      await api(`/staff/${user.id}`, { method: "PATCH", body: {
        full_name: valueOf(sent, "full_name"), role: sent.elements.role.value } });
      notify(t("saved"));
      await reload();
    },
  });
}

function resetForm(user) {
  return makeForm({
    className: "inline",
    fields: [field("password", t("newPassword"), newPassword(), t("passwordRule"))],
    submit: t("resetPassword"),
    send: async (sent) => {
      await api(`/staff/${user.id}/password`, { method: "POST",
        body: { password: sent.elements.password.value } });
      sent.reset();
      notify(t("passwordReset", { name: user.username }));
    },
  });
}

async function tokensList(user) {
  const { node, body } = table([t("label"), t("created"), t("status"), ""], "tokens");
  const render = (tokens) => body.replaceChildren(...tokens.map((token) => row(
    token.label || "—", when(token.created_at),
    token.revoked_at ? `${t("revoked")} ${when(token.revoked_at)}` : t("active"),
    token.revoked_at ? "" : actionButton(t("revoke"), async () => {
      if (!await confirmAction(t("revokeTokenQ", { label: token.label || token.id }),
        t("revoke"))) return;
      await api(`/staff/${user.id}/tokens/${token.id}`, { method: "DELETE" });
      render(await api(`/staff/${user.id}/tokens`));
    }, "danger small"))));
  const tokens = await api(`/staff/${user.id}/tokens`);
  render(tokens);
  return tokens.length ? node : el("p", { class: "empty", text: t("noTokens") });
}

function staffRow(user, me, reload) {
  const extra = underRow(6);
  const open = extra.opener;
  const toggle = actionButton(t(user.active ? "disable" : "enable"), async () => {
    if (user.active && !await confirmAction(t("disableQ", { name: user.username }),
      t("disable"))) return;
    await api(`/staff/${user.id}`, { method: "PATCH", body: { active: !user.active } });
    await reload();
  }, user.active ? "danger small" : "small");
  toggle.hidden = user.id === me.id; // one does not lock oneself out
  const line = row(user.username, user.full_name || "—",
    t(user.role === "admin" ? "roleAdmin" : "roleStaff"),
    t(user.active ? "active" : "disabled"), when(user.created_at),
    el("span", { class: "row-actions" },
      actionButton(t("edit"), open(() => editForm(user, reload)), "small"),
      toggle,
      actionButton(t("resetPassword"), open(() => resetForm(user)), "small"),
      actionButton(t("tokens"), open(() => tokensList(user)), "small")));
  line.dataset.username = user.username;
  line.classList.toggle("inactive", !user.active);
  return [line, extra.row];
}

export async function staffView(root, context) {
  const { node, body } = table([t("username"), t("fullName"), t("role"), t("status"),
    t("created"), ""], "staff");
  const reload = async () => {
    const users = await api("/staff");
    body.replaceChildren(...users.flatMap((user) => staffRow(user, context.me, reload)));
  };
  await reload();
  root.append(el("h1", { text: t("navStaff") }), addForm(reload), el("section",
    { class: "panel" }, node));
}
