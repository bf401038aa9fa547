// The Conversations tab: filter the stored conversations, read one as a
// transcript with its fallback and handoff turns marked in colour and in
// words, and (developers) turn it into a conversation test.

import { api, segment } from "./api.js";
import { customers } from "./customers.js";
import { byId, el, formatDate, plural, timeElement } from "./dom.js";
import { announce, busy, reportError } from "./messages.js";

const CONVERSATION_LIMIT = 50;
const OUTCOMES = {
  handoff: "Handed to a person",
  fallback: "Not understood",
  resolved: "Resolved",
  open: "Open",
};
const FLAGS = { fallback: "Fallback", handoff: "Handoff" };

export class ConversationsView {
  constructor() {
    this.form = byId("conversation-filters");
    this.list = byId("conversation-list");
    this.customer = byId("filter-customer");
    this.intent = byId("filter-intent");
    this.outcome = byId("filter-outcome");
    this.loaded = false;
    this.current = null;
    this.items = [];
    this.form.addEventListener("submit", (event) => {
      event.preventDefault();
      this.load();
    });
    for (const select of [this.customer, this.intent, this.outcome]) {
      select.addEventListener("change", () => this.load());
    }
    byId("make-test-form").addEventListener("submit", (event) => {
      event.preventDefault();
      this.makeTest();
    });
  }

  async show() {
    if (this.loaded) return;
    this.loaded = true;
    await Promise.all([this.fillFilters(), this.load()]);
  }

  async fillFilters() {
    try {
      await customers.load();
      customers.fill(this.customer, "Any customer");
      const answer = await api("GET", "/intents");
      const chosen = this.intent.value;
      const options = [new Option("Any intent", "")];
      for (const intent of answer.intents || []) {
        options.push(new Option(intent.name, intent.name));
      }
      this.intent.replaceChildren(...options);
      this.intent.value = chosen;
    } catch (error) {
      reportError(error, "Loading the filters");
    }
  }

  async load() {
    const query = new URLSearchParams();
    if (this.customer.value) query.set("customer", this.customer.value);
    if (this.intent.value) query.set("intent", this.intent.value);
    if (this.outcome.value) query.set("outcome", this.outcome.value);
    query.set("limit", String(CONVERSATION_LIMIT));
    const asked = query.toString();
    this.asked = asked;
    try {
      const answer = await api("GET", `/conversations?${asked}`);
      if (this.asked !== asked) return;
      this.items = answer.conversations || [];
      this.renderList();
    } catch (error) {
      reportError(error, "Loading the conversations");
    }
  }

  renderList() {
    const count = this.items.length;
    const full = count >= CONVERSATION_LIMIT;
    const more = full ? `, the newest ${CONVERSATION_LIMIT}` : "";
    byId("conversation-count").textContent = `${plural(count, "conversation")}${more}`;
    this.list.replaceChildren(...this.items.map((item) => this.listItem(item)));
  }

  listItem(item) {
    const entry = el("li");
    const choice = el("button", "item");
    choice.type = "button";
    choice.dataset.id = item.id;
    if (this.current && this.current.id === item.id) {
      choice.setAttribute("aria-current", "true");
    }
    const head = el("span", "item-head");
    head.append(el("span", "item-name", customerName(item.customer)));
    head.append(outcomeBadge(item.outcome));
    const when = `${formatDate(item.started_at)} · ${plural(item.turns || 0, "turn")}`;
    choice.append(head, el("span", "item-meta", when));
    const intents = (item.intents || []).join(", ");
    if (intents) choice.append(el("span", "item-text", intents));
    choice.addEventListener("click", () => this.open(item.id));
    entry.append(choice);
    return entry;
  }

  async open(id) {
    try {
      const conversation = await api("GET", `/conversations/${segment(id)}`);
      this.render(conversation);
      byId("conversation-title").focus();
    } catch (error) {
      reportError(error, "Opening the conversation");
    }
  }

  render(conversation) {
    this.current = conversation;
    this.renderList();
    byId("conversation-empty").hidden = true;
    byId("conversation-view").hidden = false;
    byId("test-result").hidden = true;
    byId("conversation-title").textContent =
      `Conversation with ${customerName(conversation.customer)}`;
    const badge = byId("conversation-outcome");
    badge.textContent = OUTCOMES[conversation.outcome] || conversation.outcome || "";
    badge.className = `badge outcome-${conversation.outcome}`;
    const turns = conversation.turns || [];
    const first = turns[0] ? formatDate(turns[0].at) : "";
    const flagged = turns.filter((turn) => (turn.flags || []).length > 0).length;
    const meta = [first, plural(turns.length, "message"), `${flagged} flagged`];
    byId("conversation-meta").textContent = meta.filter(Boolean).join(" · ");
    byId("transcript").replaceChildren(...turns.map((turn) => turnItem(turn)));
  }

  async makeTest() {
    const id = this.current.id;
    const name = byId("test-name").value.trim();
    byId("test-result").hidden = true;
    await busy(byId("make-test"), "Making a test", async () => {
      const body = name ? { name } : {};
      const answer = await api("POST", `/conversations/${segment(id)}/test`, body);
      byId("test-result-text").textContent =
        `Saved as “${answer.name}”. Every retrain now runs it, and Export ` +
        "writes it to tests/conversations/console_stories.yml.";
      byId("test-yaml").textContent = answer.yaml || "";
      byId("test-result").hidden = false;
      announce(`Test ${answer.name} saved.`);
    });
  }
}

function customerName(customer) {
  if (!customer) return "Guest";
  return customer.name || customer.id || "Customer";
}

function outcomeBadge(outcome) {
  return el("span", `badge outcome-${outcome}`, OUTCOMES[outcome] || outcome || "");
}

function turnItem(turn) {
  const flags = (turn.flags || []).filter((flag) => flag in FLAGS);
  const speaker = turn.speaker === "customer" ? "customer" : "assistant";
  const classes = ["turn", speaker, ...flags.map((flag) => `flag-${flag}`)];
  const item = el("li", classes.join(" "));
  const head = el("p", "turn-head");
  const who = speaker === "customer" ? "Customer" : "Assistant";
  head.append(el("span", "turn-speaker", who), timeElement(turn.at));
  for (const flag of flags) {
    head.append(el("span", `badge flag flag-${flag}`, FLAGS[flag]));
  }
  item.append(head, el("p", "turn-text", turn.text || "(no text)"));

  const details = [];
  if (turn.intent) {
    const confidence = Number.isFinite(turn.confidence)
      ? ` (${turn.confidence.toFixed(2)})`
      : "";
    details.push(`intent: ${turn.intent}${confidence}`);
  }
  if (turn.action) details.push(`action: ${turn.action}`);
  if (details.length > 0) item.append(el("p", "turn-meta", details.join(" · ")));
  return item;
}
