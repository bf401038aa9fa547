// The assistant console: one page over the JSON API under /console/api.
// Support leads edit responses and intent examples and read conversations;
// developers also validate, retrain, turn conversations into tests and export;
// administrators manage the users.
// This module signs in and out, applies the role and wires the tabs.

import { api, ApiError, LOGIN, LoginRequired, session } from "./api.js";
import { ConversationsView } from "./conversations.js";
import { byId } from "./dom.js";
import { ExportView } from "./export.js";
import { IntentsView } from "./intents.js";
import { alertNow, announce, busy, hideNotice } from "./messages.js";
import { ResponsesView } from "./responses.js";
import { Tabs } from "./tabs.js";
import { TrainingView } from "./training.js";
import { UsersView } from "./users.js";

const NOTE_KEY = "concierge-console-note";
const ROLE_NAMES = { lead: "Support lead", developer: "Developer" };
const TEXT = {
  unreachable: "The console server could not be reached. Check it is running.",
  sessionEnded: "Your session has ended. Sign in again; unsaved changes are kept.",
  loggedOut: "You have logged out.",
  badLogin: "That username and password do not match.",
  tooMany: "Too many sign-in attempts. Wait a few minutes, then try again.",
  tooManyWait: "Too many sign-in attempts. Try again in",
  missingLogin: "Enter your username and password.",
  logoutUnsaved: "Log out and lose your unsaved changes?",
};

class ConsolePage {
  constructor() {
    this.login = byId("login");
    this.main = byId("console-main");
    this.leaving = false;
    this.views = {
      responses: new ResponsesView(),
      intents: new IntentsView((action) => this.developerAction(action)),
      conversations: new ConversationsView(),
      training: new TrainingView(() => this.unsavedExamplesLeftOut()),
      export: new ExportView(),
      users: new UsersView(),
    };
    this.tabs = new Tabs((name) => {
      hideNotice();
      this.views[name].show();
    });
    session.onLoginRequired = () => this.loginRequired();
    this.wire();
  }

  wire() {
    byId("login-form").addEventListener("submit", (event) => {
      event.preventDefault();
      this.signIn();
    });
    byId("logout-button").addEventListener("click", () => this.logout());
    byId("notice-close").addEventListener("click", hideNotice);
    window.addEventListener("beforeunload", (event) => {
      if (!this.leaving && this.unsaved()) {
        event.preventDefault();
        event.returnValue = "";
      }
    });
  }

  async start() {
    const note = window.sessionStorage.getItem(NOTE_KEY);
    window.sessionStorage.removeItem(NOTE_KEY);
    try {
      this.enter(await api("GET", "/me"));
    } catch (error) {
      if (!(error instanceof LoginRequired)) this.showLogin(TEXT.unreachable);
      else if (note === "loggedOut") this.showLogin(TEXT.loggedOut);
    } finally {
      byId("loading").hidden = true;
    }
  }

  /** Show the console for a signed-in user; the role decides what is shown. */
  enter(me) {
    const before = session.user;
    session.user = me;
    session.csrf = me.csrf_token;
    if (before && before.username !== me.username) {
      window.location.reload(); // nothing of another user's work stays on screen
      return;
    }
    const developer = me.role === "developer";
    for (const node of document.querySelectorAll("[data-developer]")) {
      node.hidden = !developer;
    }
    for (const node of document.querySelectorAll("[data-admin]")) {
      node.hidden = !me.is_admin;
    }
    byId("who-username").textContent = me.username;
    const role = ROLE_NAMES[me.role] || me.role;
    byId("who-role").textContent = me.is_admin ? `${role} · admin` : role;
    byId("who").hidden = false;
    this.login.hidden = true;
    this.main.hidden = false;
    if (before) {
      announce("Signed in again. Save any unsaved changes now.");
      this.views[this.tabs.current]?.show();
      return;
    }
    this.tabs.select(window.location.hash.slice(1));
  }

  showLogin(note) {
    this.main.hidden = true;
    byId("who").hidden = true;
    this.login.hidden = false;
    const noteNode = byId("login-note");
    noteNode.textContent = note || "";
    noteNode.hidden = !note;
    byId("login-error").hidden = true;
    const username = byId("login-username");
    if (session.user && !username.value) username.value = session.user.username;
    (username.value ? byId("login-password") : username).focus();
  }

  loginRequired() {
    this.views.training.stop();
    if (this.login.hidden) this.showLogin(session.user ? TEXT.sessionEnded : "");
  }

  async signIn() {
    const username = byId("login-username");
    const password = byId("login-password");
    const problem = byId("login-error");
    problem.hidden = true;
    if (!username.value.trim() || !password.value) {
      this.loginProblem(TEXT.missingLogin, username.value.trim() ? password : username);
      return;
    }
    const submit = byId("login-button");
    submit.disabled = true;
    try {
      const body = { username: username.value.trim(), password: password.value };
      const me = await api("POST", LOGIN, body);
      password.value = "";
      this.enter(me);
    } catch (error) {
      password.value = "";
      this.loginProblem(this.loginFailure(error), password);
    } finally {
      submit.disabled = false;
    }
  }

  loginFailure(error) {
    if (!(error instanceof ApiError)) return TEXT.unreachable;
    if (error.status === 401) return TEXT.badLogin;
    if (error.status === 429) {
      const wait = Number(error.retryAfter);
      if (wait > 0) return `${TEXT.tooManyWait} ${wait} s.`;
      return error.body.message || TEXT.tooMany;
    }
    return error.body.message || `Signing in did not work (status ${error.status}).`;
  }

  loginProblem(text, focus) {
    const problem = byId("login-error");
    problem.textContent = text;
    problem.hidden = false;
    alertNow(text);
    focus.focus();
  }

  unsaved() {
    return this.views.responses.dirty || this.views.intents.dirty;
  }

  async logout() {
    if (this.unsaved() && !window.confirm(TEXT.logoutUnsaved)) return;
    await busy(byId("logout-button"), "Logging out", async () => {
      await api("POST", "/logout");
      window.sessionStorage.setItem(NOTE_KEY, "loggedOut");
      this.leaving = true;
      window.location.reload();
    });
  }

  /** Validation and training read saved examples only: say so before starting. */
  unsavedExamplesLeftOut() {
    const intents = this.views.intents;
    if (!intents.dirty) return true;
    return window.confirm(
      `${intents.current.name} has unsaved changes, which this leaves out. ` +
        "Go on anyway?",
    );
  }

  developerAction(action) {
    this.tabs.select("training");
    const training = this.views.training;
    if (action === "validate") training.validate();
    else training.train();
  }
}

new ConsolePage().start();
