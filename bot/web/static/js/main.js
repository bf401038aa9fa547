// The chat page: wires the account control, the transcript, the composer and
// the connection together. Signing in or out starts a new conversation; the
// conversation of the current owner survives a reload.

import { AccountPanel } from "./account.js";
import { ChatConnection } from "./connection.js";
import { renderItem } from "./render.js";
import * as state from "./state.js";

const TYPING_TIMEOUT_MS = 30000;
const LONGEST_TIMER_MS = 2 ** 31 - 1;
const DEFAULT_RASA_PORT = 5005;

const NOTES = {
  expired: "Your sign-in has expired, so you are chatting as a guest now. " +
    "Sign in again to talk about your orders.",
  signedOut: "You have signed out. This is a new conversation as a guest.",
  signInFailed: "Sorry, signing in did not work. Please try again.",
  unknownCustomer: "We could not find that customer. Please choose another one.",
  noChat: "The chat is unavailable right now. Please try again later.",
};

class ChatPage {
  constructor() {
    this.chat = document.getElementById("chat");
    this.transcript = document.getElementById("transcript");
    this.welcome = document.getElementById("welcome");
    this.typing = document.getElementById("typing");
    this.banner = document.getElementById("connection-banner");
    this.input = document.getElementById("message-input");
    this.account = state.loadAccount();
    this.conversation = null;
    this.connection = null;
    this.expiryTimer = null;
    this.typingTimer = null;
    this.panel = new AccountPanel({
      onSignIn: (customerId) => this.signIn(customerId),
      onSignOut: () => this.signOut(),
      onGuest: () => this.continueAsGuest(),
    });
  }

  async start() {
    this.wireComposer();
    if (this.account && state.isExpired(this.account)) this.expire();
    this.conversation = state.loadConversation(state.ownerOf(this.account));
    this.renderAccount();
    this.conversation.items.forEach((item) => this.showItem(item));
    this.scrollToEnd();
    this.scheduleExpiry();
    this.panel.loadCustomers();
    await this.connect();
  }

  wireComposer() {
    document.getElementById("composer").addEventListener("submit", (event) => {
      event.preventDefault();
      const text = this.input.value.trim();
      if (text && this.say(text)) this.input.value = "";
    });
    for (const starter of document.querySelectorAll(".starter")) {
      starter.addEventListener("click", () => this.choose(starter.textContent));
    }
  }

  async connect() {
    const url = await rasaUrl();
    if (typeof window.io !== "function") {
      console.error("socket.io client did not load from /vendor/socket.io.min.js");
      this.showBanner(NOTES.noChat);
      return;
    }
    this.connection = new ChatConnection(url, {
      sessionId: () => this.conversation.sessionId,
      onSession: (sessionId) => state.setSessionId(this.conversation, sessionId),
      onBotMessage: (message) => this.receive(message),
      onStatus: (status) => this.connectionStatus(status),
    });
    this.connection.connect();
  }

  /** Show and send one customer message; false when it could not be sent. */
  say(text, payload = text) {
    if (this.account && state.isExpired(this.account)) {
      this.expire();
      return false;
    }
    if (!this.connection) return false;
    this.addItem({ from: "user", text });
    this.showTyping();
    const metadata = this.account ? { customer_token: this.account.token } : {};
    this.connection.send(payload, metadata);
    return true;
  }

  choose(title, payload) {
    this.say(title, payload);
    this.input.focus();
  }

  receive(message) {
    if (!message || typeof message !== "object") return;
    this.hideTyping();
    const { text, quick_replies, attachment } = message;
    this.addItem({ from: "bot", message: { text, quick_replies, attachment } });
  }

  addItem(item) {
    state.appendItem(this.conversation, item);
    this.showItem(item);
    this.scrollToEnd();
  }

  showItem(item) {
    const node = renderItem(item, (title, payload) => this.choose(title, payload));
    if (!node) return;
    if (item.from === "user") this.retireQuickReplies();
    this.transcript.append(node);
    this.welcome.hidden = true;
  }

  /** Quick replies answer the question just asked; once the customer speaks,
   *  the earlier ones are spent. Product card buttons stay usable. */
  retireQuickReplies() {
    for (const button of this.transcript.querySelectorAll(".quick-reply")) {
      button.disabled = true;
    }
  }

  /** Forget the conversation on screen and on the server side of the socket. */
  startConversation() {
    this.conversation = state.newConversation(state.ownerOf(this.account));
    this.transcript.replaceChildren();
    this.welcome.hidden = false;
    this.hideTyping();
    if (this.connection) this.connection.restart();
  }

  async signIn(customerId) {
    this.panel.setBusy(true);
    this.panel.showNote("");
    try {
      const response = await fetch("/api/demo/sign-in", {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ customer_id: customerId }),
      });
      if (!response.ok) {
        const unknown = response.status === 404;
        this.panel.showNote(unknown ? NOTES.unknownCustomer : NOTES.signInFailed);
        return;
      }
      this.signedIn(await response.json());
    } catch (error) {
      console.warn("sign-in failed", error);
      this.panel.showNote(NOTES.signInFailed);
    } finally {
      this.panel.setBusy(false);
    }
  }

  signedIn(body) {
    const { token, expires_at: expiresAt, customer } = body;
    this.account = { token, expiresAt, customer };
    state.saveAccount(this.account);
    this.startConversation();
    this.renderAccount();
    this.scheduleExpiry();
    this.greet();
    this.input.focus();
  }

  /** Ask for the personal greeting (name, what is on their mind) without a
   *  customer bubble: the customer has just signed in, not said anything. */
  greet() {
    if (!this.connection || !this.account) return;
    this.showTyping();
    this.connection.send("/greet", { customer_token: this.account.token });
  }

  signOut() {
    this.leaveAccount();
    state.chooseGuest();
    this.panel.showGuest(true);
    this.panel.showNote(NOTES.signedOut);
  }

  /** The token's time is up: carry on as a guest, in a new conversation. */
  expire() {
    this.leaveAccount();
    this.panel.showGuest(false);
    this.panel.showNote(NOTES.expired);
  }

  leaveAccount() {
    this.account = null;
    state.clearAccount();
    clearTimeout(this.expiryTimer);
    if (this.conversation) this.startConversation();
  }

  continueAsGuest() {
    state.chooseGuest();
    this.panel.showGuest(true);
    this.panel.showNote("");
    this.input.focus();
  }

  renderAccount() {
    if (this.account) this.panel.showSignedIn(this.account.customer);
    else this.panel.showGuest(state.guestChosen());
  }

  scheduleExpiry() {
    clearTimeout(this.expiryTimer);
    if (!this.account) return;
    const wait = Date.parse(this.account.expiresAt) - Date.now();
    this.expiryTimer = setTimeout(() => {
      if (this.account && state.isExpired(this.account)) this.expire();
      else this.scheduleExpiry();
    }, Math.min(Math.max(wait, 0), LONGEST_TIMER_MS));
  }

  connectionStatus(status) {
    if (status === "lost") this.showBanner();
    if (status === "ready") this.banner.hidden = true;
  }

  showBanner(text) {
    if (text) this.banner.textContent = text;
    this.banner.hidden = false;
  }

  showTyping() {
    this.typing.hidden = false;
    clearTimeout(this.typingTimer);
    this.typingTimer = setTimeout(() => this.hideTyping(), TYPING_TIMEOUT_MS);
    this.scrollToEnd();
  }

  hideTyping() {
    clearTimeout(this.typingTimer);
    this.typing.hidden = true;
  }

  scrollToEnd() {
    this.chat.scrollTop = this.chat.scrollHeight;
  }
}

/** The dialogue engine's origin: configured, or this page's host on its port. */
async function rasaUrl() {
  let config = {};
  try {
    const response = await fetch("/api/config");
    if (response.ok) config = await response.json();
  } catch (error) {
    console.warn("page config unavailable, using defaults", error);
  }
  if (config.rasa_url) return config.rasa_url;
  const port = config.rasa_port || DEFAULT_RASA_PORT;
  return `${window.location.protocol}//${window.location.hostname}:${port}`;
}

new ChatPage().start();
