// The Users tab (administrators): list every console user, add one, set a
// user's password, disable or enable them. The server refuses what an admin
// may not do (disabling themselves, a weak password) and says why.

import { api, session, segment } from "./api.js";
import { button, byId, el, formatDate } from "./dom.js";
import { alertNow, announce, busy, reportError } from "./messages.js";

const ROLE_NAMES = { lead: "Support lead", developer: "Developer" };

export class UsersView {
  constructor() {
    this.rows = byId("user-rows");
    this.form = byId("user-form");
    this.passwordForm = byId("password-form");
    this.passwordFor = null;
    this.form.addEventListener("submit", (event) => {
      event.preventDefault();
      this.add();
    });
    this.passwordForm.addEventListener("submit", (event) => {
      event.preventDefault();
      this.setPassword();
    });
    byId("password-cancel").addEventListener("click", () => this.closePassword());
    byId("user-role").addEventListener("change", () => this.roleChanged());
  }

  async show() {
    try {
      this.render((await api("GET", "/users")).users || []);
    } catch (error) {
      reportError(error, "Loading the users");
    }
  }

  render(users) {
    const rows = users.map((user) => this.row(user));
    this.rows.replaceChildren(...rows);
  }

  row(user) {
    const row = el("tr");
    row.dataset.username = user.username;
    const name = el("td");
    name.append(el("strong", "", user.username));
    if (user.username === session.user?.username) name.append(" (you)");
    const role = ROLE_NAMES[user.role] || user.role;
    const seen = user.last_login_at ? formatDate(user.last_login_at) : "never";
    const state = user.disabled
      ? el("span", "badge run-failed", "disabled")
      : el("span", "badge run-deployed", "active");
    const cells = [
      name,
      el("td", "", user.is_admin ? `${role}, admin` : role),
      el("td", "", seen),
      el("td"),
      el("td"),
    ];
    cells[3].append(state);
    const actions = el("div", "user-actions");
    actions.append(...this.actions(user));
    cells[4].append(actions);
    row.append(...cells);
    return row;
  }

  actions(user) {
    const you = user.username === session.user?.username;
    const password = button("Set password", "small", () => this.openPassword(user));
    password.setAttribute("aria-label", `Set a new password for ${user.username}`);
    if (user.disabled) {
      const enable = button("Enable", "small", () => this.change(user, "enable", enable));
      enable.setAttribute("aria-label", `Enable ${user.username}`);
      return [password, enable];
    }
    const disable = button("Disable", "small danger", () =>
      this.change(user, "disable", disable),
    );
    disable.setAttribute("aria-label", `Disable ${user.username}`);
    disable.disabled = you; // the server refuses it too
    if (you) disable.title = "Another administrator can disable you.";
    return [password, disable];
  }

  async change(user, action, control) {
    if (action === "disable") {
      const ask = `Disable ${user.username}? They are signed out at once.`;
      if (!window.confirm(ask)) return;
    }
    const [doing, done] =
      action === "disable" ? ["Disabling", "disabled"] : ["Enabling", "enabled"];
    await busy(control, `${doing} ${user.username}`, async () => {
      const answer = await api("POST", `/users/${segment(user.username)}/${action}`);
      this.render(answer.users || []);
      announce(`${user.username} ${done}.`);
    });
  }

  openPassword(user) {
    this.passwordFor = user.username;
    byId("password-title").textContent = `New password for ${user.username}`;
    byId("password-problem").hidden = true;
    byId("password-new").value = "";
    this.passwordForm.hidden = false;
    byId("password-new").focus();
  }

  closePassword() {
    this.passwordForm.hidden = true;
    this.passwordFor = null;
  }

  async setPassword() {
    const username = this.passwordFor;
    const input = byId("password-new");
    const own = username === session.user?.username;
    await busy(byId("password-save"), `Setting the password of ${username}`, async () => {
      try {
        const path = `/users/${segment(username)}/password`;
        const answer = await api("PUT", path, { password: input.value });
        input.value = "";
        this.closePassword();
        if (own) {
          // Every session of yours ended with the old password: sign in again.
          announce("Your password has changed. Sign in with the new one.");
          session.onLoginRequired();
          return;
        }
        this.render(answer.users || []);
        announce(`New password set for ${username}; their sessions have ended.`);
      } catch (error) {
        if (error.status !== 422) throw error;
        this.problem("password-problem", input, error.body.message);
      }
    });
  }

  roleChanged() {
    const admin = byId("user-admin");
    admin.disabled = byId("user-role").value !== "developer";
    if (admin.disabled) admin.checked = false;
  }

  async add() {
    const username = byId("user-name");
    const password = byId("user-password");
    byId("user-problem").hidden = true;
    if (!username.value.trim()) {
      this.problem("user-problem", username, "Enter a username.");
      return;
    }
    const body = {
      username: username.value.trim(),
      password: password.value,
      role: byId("user-role").value,
      is_admin: byId("user-admin").checked,
    };
    await busy(byId("user-add"), "Adding the user", async () => {
      try {
        const added = await api("POST", "/users", body);
        this.form.reset();
        this.roleChanged();
        await this.show();
        announce(`${added.username} added. Give them their password privately.`);
      } catch (error) {
        if (![409, 422].includes(error.status)) throw error;
        const field = error.body.error === "weak_password" ? password : username;
        this.problem("user-problem", field, error.body.message);
      }
    });
  }

  problem(slotId, field, message) {
    const slot = byId(slotId);
    slot.textContent = message;
    slot.hidden = false;
    alertNow(message);
    field.focus();
  }
}
