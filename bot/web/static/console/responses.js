// The Responses tab: search the catalogue, edit one response's variants and
// buttons, preview them for a demo customer as they are typed, save, undo or
// reset, and read who changed what. Saved text is live from the next reply.

import { api, LoginRequired, segment } from "./api.js";
import { customers } from "./customers.js";
import {
  button,
  byId,
  clone,
  confirmDiscard,
  debounce,
  el,
  formatDate,
  labelled,
  plural,
  timeElement,
} from "./dom.js";
import {
  announce,
  busy,
  clearFieldProblems,
  hideNotice,
  reportError,
  setFieldProblem,
  showProblems,
} from "./messages.js";

const PREVIEW_DELAY_MS = 300;
const SEARCH_DELAY_MS = 250;
const PREVIEW_CHANNEL = "socketio"; // the web chat's channel (bot/channels.py)
const KEPT_KEYS = ["image", "custom", "channel", "condition"];
const HISTORY_ACTIONS = { edit: "Edited", undo: "Undone", reset: "Reset to default" };

// Profile values a response template may read (bot/responses/profile.py,
// customer_values); the actions' own placeholders come with each response.
const PROFILE_PLACEHOLDERS = [
  "{{ customer.first_name }}",
  "{{ customer.membership_level }}",
  "{{ customer.last_order.id }}",
  "{{ customer.last_order.summary }}",
  "{{ customer.last_order.status }}",
  "{{ customer.last_order.placed_date }}",
];

/** The variants as the server takes them: empty button lists left out. */
function normalVariants(variants) {
  return variants.map((variant) => {
    const copy = { ...variant };
    if (Array.isArray(copy.buttons) && copy.buttons.length === 0) delete copy.buttons;
    return copy;
  });
}

function firstText(variants) {
  const variant = (variants || []).find((item) => item.text);
  return variant ? variant.text : "";
}

export class ResponsesView {
  constructor() {
    this.list = byId("response-list");
    this.count = byId("response-count");
    this.query = byId("response-query");
    this.editor = byId("response-editor");
    this.variantList = byId("variant-list");
    this.customer = byId("preview-customer");
    this.items = [];
    this.loaded = false;
    this.current = null;
    this.draft = [];
    this.lastTextarea = null;
    this.previewRequest = null;
    this.schedulePreview = debounce(() => this.preview(), PREVIEW_DELAY_MS);
    this.wire();
  }

  wire() {
    const search = debounce(() => this.search(), SEARCH_DELAY_MS);
    this.query.addEventListener("input", search);
    byId("response-search").addEventListener("submit", (event) => {
      event.preventDefault();
      this.search();
    });
    this.customer.addEventListener("change", () => this.preview());
    byId("variant-add").addEventListener("click", () => this.addVariant());
    byId("response-form").addEventListener("submit", (event) => {
      event.preventDefault();
      this.save();
    });
    byId("response-undo").addEventListener("click", () => this.undo());
    byId("response-reset").addEventListener("click", () => this.reset());
    this.renderProfileHints();
  }

  get dirty() {
    if (!this.current) return false;
    const saved = JSON.stringify(normalVariants(this.current.variants));
    return saved !== JSON.stringify(normalVariants(this.draft));
  }

  async show() {
    if (this.loaded) return;
    this.loaded = true;
    await this.search();
    try {
      await customers.load();
      customers.fill(this.customer, "Guest");
    } catch (error) {
      reportError(error, "Loading the demo customers");
    }
  }

  async search() {
    const q = this.query.value.trim();
    try {
      const query = q ? `?q=${encodeURIComponent(q)}` : "";
      const answer = await api("GET", `/responses${query}`);
      if (q !== this.query.value.trim()) return; // a newer search is on its way
      this.items = answer.responses || [];
      this.renderList();
    } catch (error) {
      reportError(error, "Searching the responses");
    }
  }

  renderList() {
    this.count.textContent = plural(this.items.length, "response");
    this.list.replaceChildren(...this.items.map((item) => this.listItem(item)));
  }

  listItem(item) {
    const entry = el("li");
    const choice = el("button", "item");
    choice.type = "button";
    choice.dataset.name = item.name;
    if (this.current && this.current.name === item.name) {
      choice.setAttribute("aria-current", "true");
    }
    const head = el("span", "item-head");
    head.append(el("span", "item-name", item.name));
    if (item.edited) head.append(el("span", "badge edited", "Edited"));
    choice.append(head, el("span", "item-text", firstText(item.variants)));
    if (item.edited && item.updated_by) {
      const when = formatDate(item.updated_at);
      choice.append(el("span", "item-meta", `by ${item.updated_by}, ${when}`));
    }
    choice.addEventListener("click", () => this.open(item.name));
    entry.append(choice);
    return entry;
  }

  async open(name) {
    if (this.dirty && !confirmDiscard(this.current.name)) return;
    try {
      const detail = await api("GET", `/responses/${segment(name)}`);
      this.load(detail);
      byId("response-name").focus();
    } catch (error) {
      reportError(error, `Opening ${name}`);
    }
  }

  /** Show a response as the server has it now, dropping any draft. */
  load(detail) {
    this.current = detail;
    this.draft = clone(detail.variants) || [];
    this.lastTextarea = null;
    byId("response-empty").hidden = true;
    this.editor.hidden = false;
    byId("response-name").textContent = detail.name;
    byId("response-edited").hidden = !detail.edited;
    byId("response-problems").hidden = true;
    this.renderActionHints(detail.placeholders || []);
    this.renderVariants();
    this.renderDefaults(detail.default_variants || []);
    this.renderHistory(detail.history || []);
    this.updateState();
    this.syncListItem(detail);
    this.preview();
  }

  syncListItem(detail) {
    const item = this.items.find((entry) => entry.name === detail.name);
    if (item) {
      const latest = (detail.history || [])[0];
      Object.assign(item, {
        variants: detail.variants,
        edited: detail.edited,
        updated_by: latest ? latest.author : item.updated_by,
        updated_at: latest ? latest.at : item.updated_at,
      });
    }
    this.renderList();
  }

  updateState() {
    const dirty = this.dirty;
    byId("response-dirty").hidden = !dirty;
    byId("response-save").disabled = !dirty;
    byId("response-reset").disabled = !this.current.edited && !dirty;
    byId("response-undo").disabled = !(this.current.undo_steps > 0);
  }

  edited() {
    this.updateState();
    this.schedulePreview();
  }

  renderProfileHints() {
    const list = byId("profile-hints");
    list.replaceChildren(...PROFILE_PLACEHOLDERS.map((text) => this.hint(text)));
  }

  renderActionHints(names) {
    const list = byId("action-hints");
    if (names.length === 0) {
      list.replaceChildren(el("li", "empty small", "None for this response."));
      return;
    }
    list.replaceChildren(...names.map((name) => this.hint(`{${name}}`)));
  }

  hint(text) {
    const entry = el("li");
    const chip = button(text, "chip", () => this.insert(text));
    chip.setAttribute("aria-label", `Insert ${text}`);
    entry.append(chip);
    return entry;
  }

  /** Insert a placeholder where the cursor was in the last text box used. */
  insert(text) {
    const areas = [...this.variantList.querySelectorAll("textarea")];
    const area = areas.includes(this.lastTextarea) ? this.lastTextarea : areas[0];
    if (!area) return;
    area.focus();
    area.setRangeText(text, area.selectionStart, area.selectionEnd, "end");
    area.dispatchEvent(new Event("input", { bubbles: true }));
    announce(`Inserted ${text}.`);
  }

  renderVariants() {
    const items = this.draft.map((variant, index) => this.variantItem(variant, index));
    this.variantList.replaceChildren(...items);
  }

  variantItem(variant, index) {
    const id = `variant-${index}`;
    const entry = el("li", "variant");
    const group = el("fieldset", "variant-group");
    group.append(el("legend", "variant-title", `Variant ${index + 1}`));

    const text = el("textarea", "variant-text");
    text.rows = 3;
    text.value = variant.text || "";
    text.setAttribute("aria-describedby", `${id}-problem`);
    text.addEventListener("focus", () => {
      this.lastTextarea = text;
    });
    text.addEventListener("input", () => {
      this.draft[index].text = text.value;
      this.edited();
    });
    const problem = el("p", "problem field-problem");
    problem.id = `${id}-problem`;
    problem.hidden = true;
    group.append(labelled("Text", text, `${id}-text`), text, problem);

    const extras = this.extrasNote(variant);
    if (extras) group.append(extras);
    group.append(this.buttonEditor(variant, index), this.previewSlot(index));

    const remove = button(`Remove variant ${index + 1}`, "danger small", () =>
      this.removeVariant(index),
    );
    remove.disabled = this.draft.length === 1;
    group.append(remove);
    entry.append(group);
    return entry;
  }

  /** What the editor keeps but does not edit: image, custom, channel, condition. */
  extrasNote(variant) {
    const kept = KEPT_KEYS.filter(
      (key) => variant[key] !== undefined && variant[key] !== null,
    );
    if (kept.length === 0) return null;
    const parts = kept.map((key) => {
      const value = variant[key];
      return typeof value === "string" ? `${key}: ${value}` : key;
    });
    return el("p", "meta", `Kept as it is: ${parts.join("; ")}.`);
  }

  buttonEditor(variant, index) {
    const group = el("fieldset", "button-group");
    group.append(el("legend", "", "Buttons"));
    const rows = el("ol", "button-rows");
    (variant.buttons || []).forEach((choice, at) => {
      rows.append(this.buttonRow(index, at, choice));
    });
    const add = button("Add button", "small", () => {
      const blank = { title: "", payload: "" };
      const choices = [...(this.draft[index].buttons || []), blank];
      this.draft[index].buttons = choices;
      this.rerender(`#variant-${index}-button-${choices.length - 1}-title`);
    });
    group.append(rows, add);
    return group;
  }

  buttonRow(index, at, choice) {
    const id = `variant-${index}-button-${at}`;
    const row = el("li", "button-row");
    const title = el("input");
    title.type = "text";
    title.value = choice.title || "";
    title.addEventListener("input", () => {
      this.draft[index].buttons[at].title = title.value;
      this.edited();
    });
    const payload = el("input", "mono");
    payload.type = "text";
    payload.value = choice.payload || "";
    payload.spellcheck = false;
    payload.addEventListener("input", () => {
      this.draft[index].buttons[at].payload = payload.value;
      this.edited();
    });
    const remove = button(`Remove button ${at + 1}`, "small", () => {
      this.draft[index].buttons.splice(at, 1);
      this.rerender(`#variant-${index}-text`);
    });
    const titleField = el("div", "field");
    titleField.append(labelled(`Button ${at + 1} title`, title, `${id}-title`), title);
    const payloadField = el("div", "field");
    payloadField.append(labelled("Payload", payload, `${id}-payload`), payload);
    row.append(titleField, payloadField, remove);
    return row;
  }

  previewSlot(index) {
    const slot = el("div", "preview");
    slot.id = `variant-${index}-preview`;
    slot.dataset.testid = "variant-preview";
    slot.append(el("p", "preview-title", "Preview"), el("div", "preview-body"));
    return slot;
  }

  /** Redraw the variants after a structural change and focus one control. */
  rerender(focusSelector) {
    this.renderVariants();
    this.edited();
    const target = this.variantList.querySelector(focusSelector);
    if (target) target.focus();
    else byId("variant-add").focus();
  }

  addVariant() {
    this.draft.push({ text: "" });
    this.rerender(`#variant-${this.draft.length - 1}-text`);
    announce(`Variant ${this.draft.length} added.`);
  }

  removeVariant(index) {
    this.draft.splice(index, 1);
    this.rerender(`#variant-${Math.max(0, index - 1)}-text`);
    announce(`Variant ${index + 1} removed.`);
  }

  async preview() {
    if (!this.current) return;
    this.previewRequest?.abort();
    const request = new AbortController();
    this.previewRequest = request;
    const body = {
      name: this.current.name,
      variants: normalVariants(this.draft),
      customer_id: this.customer.value || null,
      channel: PREVIEW_CHANNEL,
    };
    try {
      const answer = await api("POST", "/preview", body, { signal: request.signal });
      if (request === this.previewRequest) this.showPreview(answer.rendered || []);
    } catch (error) {
      if (request !== this.previewRequest || error.name === "AbortError") return;
      if (error instanceof LoginRequired) return;
      this.previewFailed(error);
    }
  }

  previewBody(index) {
    return byId(`variant-${index}-preview`)?.querySelector(".preview-body");
  }

  showPreview(rendered) {
    rendered.forEach((result, at) => {
      const index = Number.isInteger(result.variant) ? result.variant : at;
      const body = this.previewBody(index);
      if (body) body.replaceChildren(...this.previewNodes(result));
    });
  }

  /** The rendered message, or why there is none: a template problem, or a value
   *  this customer lacks (then the chat sends another variant or the default). */
  previewNodes(result) {
    const nodes = [];
    if (typeof result.text === "string") nodes.push(el("p", "bubble", result.text));
    const choices = Array.isArray(result.buttons) ? result.buttons : [];
    if (choices.length > 0) {
      const row = el("ul", "preview-buttons");
      row.setAttribute("aria-label", "Buttons");
      for (const choice of choices) {
        row.append(el("li", "preview-button", choice.title || "(no title yet)"));
      }
      nodes.push(row);
    }
    if (result.fell_back) {
      const why = result.problem || "a value is missing for this customer.";
      nodes.push(el("p", "warning", `Falls back: ${why}`));
    } else if (result.problem) {
      nodes.push(el("p", "problem", `Problem: ${result.problem}`));
    }
    if (nodes.length === 0) nodes.push(el("p", "meta", "Nothing to show."));
    return nodes;
  }

  previewFailed(error) {
    const reason = error.body?.message || "the server did not answer.";
    const byVariant = new Map();
    for (const problem of error.problems || []) {
      if (Number.isInteger(problem.variant)) {
        byVariant.set(problem.variant, problem.message);
      }
    }
    this.draft.forEach((_, index) => {
      const body = this.previewBody(index);
      if (!body) return;
      const message = byVariant.get(index) || `No preview: ${reason}`;
      body.replaceChildren(el("p", "problem", message));
    });
  }

  async save() {
    const name = this.current.name;
    hideNotice();
    clearFieldProblems(byId("response-form"));
    byId("response-problems").hidden = true;
    try {
      const variants = normalVariants(this.draft);
      // The newest change this editor saw: the server refuses the save if
      // someone else saved the response since.
      const base = this.current.history?.[0]?.id ?? null;
      const detail = await api("PUT", `/responses/${segment(name)}`, {
        variants,
        base_revision: base,
      });
      this.load(detail);
      announce(`Saved ${name}. The assistant uses it from its next reply.`);
    } catch (error) {
      if (error.status === 422) this.showSaveProblems(error.problems);
      else reportError(error, `Saving ${name}`);
    }
  }

  showSaveProblems(problems) {
    showProblems(byId("response-problems"), problems, (problem) => {
      const text = byId(`variant-${problem.variant}-text`);
      if (!Number.isInteger(problem.variant) || !text) return false;
      const slot = byId(`variant-${problem.variant}-problem`);
      setFieldProblem(text, slot, problem.message);
      return true;
    });
    const first = this.variantList.querySelector("[aria-invalid]");
    (first || byId("response-problems")).focus();
    announce(`Not saved: ${plural(problems.length, "problem")} to fix.`);
  }

  async undo() {
    const name = this.current.name;
    if (this.dirty && !confirmDiscard(name)) return;
    const what = `Undoing the last change to ${name}`;
    await busy(byId("response-undo"), what, async () => {
      try {
        await this.replaceWith(await api("POST", `/responses/${segment(name)}/undo`));
        announce(`${name}: the previous version is back.`);
      } catch (error) {
        if (error.status !== 409) throw error;
        announce(`${name} has no earlier version to go back to.`);
      }
    });
    this.updateState();
  }

  async reset() {
    const name = this.current.name;
    const question = `Reset ${name} to the text in domain.yml? The history is kept.`;
    if (!window.confirm(question)) return;
    await busy(byId("response-reset"), `Resetting ${name}`, async () => {
      await this.replaceWith(await api("POST", `/responses/${segment(name)}/reset`));
      announce(`${name} is back to its default text.`);
    });
    this.updateState();
  }

  /** Load an undo or reset answer; fetch the response if the answer is not it. */
  async replaceWith(answer) {
    const whole = answer && Array.isArray(answer.variants) && answer.history;
    const name = this.current.name;
    this.load(whole ? answer : await api("GET", `/responses/${segment(name)}`));
  }

  renderDefaults(variants) {
    const list = byId("response-defaults");
    list.replaceChildren(...variants.map((variant) => this.variantSummary(variant)));
  }

  variantSummary(variant) {
    const entry = el("li", "", variant.text || "(no text)");
    const titles = (variant.buttons || []).map((choice) => choice.title);
    if (titles.length > 0) {
      entry.append(el("span", "meta", ` Buttons: ${titles.join(", ")}`));
    }
    return entry;
  }

  renderHistory(history) {
    const list = byId("response-history");
    byId("response-history-empty").hidden = history.length > 0;
    list.replaceChildren(...history.map((entry) => this.historyItem(entry)));
  }

  historyItem(entry) {
    const item = el("li", "history-item");
    const line = el("p", "history-line");
    const action = HISTORY_ACTIONS[entry.action] || entry.action;
    line.append(el("strong", "", action), ` by ${entry.author || "someone"}, `);
    line.append(timeElement(entry.at));
    item.append(line);
    const variants = entry.variants || [];
    if (variants.length === 0) {
      // No variants of its own: the response went back to domain.yml's text.
      item.append(el("p", "meta", "The text then: the default from domain.yml."));
      return item;
    }
    const details = el("details");
    const summary = `The text then (${plural(variants.length, "variant")})`;
    details.append(el("summary", "", summary));
    const texts = el("ol", "plain-list");
    texts.append(...variants.map((variant) => this.variantSummary(variant)));
    details.append(texts);
    item.append(details);
    return item;
  }
}
