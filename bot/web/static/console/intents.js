// The Intents tab: each intent's examples as an editable list. Adding, editing
// and removing are saved together; a move to another intent is saved at once.
// The examples reach the assistant with the next retrain.

import { api, segment } from "./api.js";
import { button, byId, confirmDiscard, el, labelled, plural } from "./dom.js";
import {
  announce,
  busy,
  clearFieldProblems,
  hideNotice,
  reportError,
  setFieldProblem,
  showNotice,
  showProblems,
} from "./messages.js";

const EXAMPLE_MAX_CHARS = 300;

export class IntentsView {
  constructor(onDeveloperAction) {
    this.list = byId("intent-list");
    this.count = byId("intent-count");
    this.query = byId("intent-query");
    this.editor = byId("intent-editor");
    this.exampleList = byId("example-list");
    this.intents = [];
    this.loaded = false;
    this.current = null;
    this.draft = [];
    this.wire(onDeveloperAction);
  }

  wire(onDeveloperAction) {
    this.query.addEventListener("input", () => this.renderList());
    byId("intent-search").addEventListener("submit", (event) => event.preventDefault());
    byId("example-add-form").addEventListener("submit", (event) => {
      event.preventDefault();
      this.addExample();
    });
    byId("intent-form").addEventListener("submit", (event) => {
      event.preventDefault();
      this.save();
    });
    byId("intent-undo").addEventListener("click", () => this.undo());
    for (const action of ["validate", "train"]) {
      const control = byId(`intents-${action}`);
      control.addEventListener("click", () => onDeveloperAction(action));
    }
  }

  get dirty() {
    if (!this.current) return false;
    return JSON.stringify(this.current.examples) !== JSON.stringify(this.draft);
  }

  async show() {
    if (this.loaded) return;
    this.loaded = true;
    await this.refresh();
  }

  async refresh() {
    try {
      const answer = await api("GET", "/intents");
      this.intents = answer.intents || [];
      this.renderList();
    } catch (error) {
      reportError(error, "Loading the intents");
    }
  }

  names() {
    return this.intents.map((intent) => intent.name);
  }

  renderList() {
    const q = this.query.value.trim().toLowerCase();
    const shown = this.intents.filter((item) => item.name.toLowerCase().includes(q));
    this.count.textContent = q
      ? `${shown.length} of ${plural(this.intents.length, "intent")}`
      : plural(this.intents.length, "intent");
    this.list.replaceChildren(...shown.map((intent) => this.listItem(intent)));
  }

  listItem(intent) {
    const entry = el("li");
    const choice = el("button", "item");
    choice.type = "button";
    choice.dataset.name = intent.name;
    if (this.current && this.current.name === intent.name) {
      choice.setAttribute("aria-current", "true");
    }
    const head = el("span", "item-head");
    head.append(el("span", "item-name", intent.name));
    if (intent.edited) head.append(el("span", "badge edited", "Edited"));
    const examples = intent.examples || [];
    choice.append(head, el("span", "item-meta", plural(examples.length, "example")));
    choice.addEventListener("click", () => this.open(intent.name));
    entry.append(choice);
    return entry;
  }

  open(name) {
    if (this.dirty && !confirmDiscard(this.current.name)) return;
    const intent = this.intents.find((entry) => entry.name === name);
    if (!intent) return;
    this.load(intent);
    byId("intent-name").focus();
  }

  load(intent) {
    this.current = intent;
    this.draft = [...(intent.examples || [])];
    byId("intent-empty").hidden = true;
    this.editor.hidden = false;
    byId("intent-name").textContent = intent.name;
    byId("intent-edited").hidden = !intent.edited;
    byId("intent-problems").hidden = true;
    this.renderExamples();
    this.updateState();
    this.renderList();
  }

  /** Replace intents in the list with the server's answer, keeping order. */
  merge(updated) {
    for (const intent of updated) {
      const at = this.intents.findIndex((entry) => entry.name === intent.name);
      if (at >= 0) this.intents[at] = intent;
      else this.intents.push(intent);
    }
  }

  updateState() {
    const dirty = this.dirty;
    byId("intent-dirty").hidden = !dirty;
    byId("intent-save").disabled = !dirty;
    byId("intent-undo").disabled = !(this.current?.undo_steps > 0);
  }

  renderExamples() {
    const rows = this.draft.map((example, index) => this.exampleRow(example, index));
    this.exampleList.replaceChildren(...rows);
  }

  exampleRow(example, index) {
    const id = `example-${index}`;
    const row = el("li", "example-row");
    const input = el("input", "example-text");
    input.type = "text";
    input.value = example;
    input.maxLength = EXAMPLE_MAX_CHARS;
    input.setAttribute("aria-describedby", `${id}-problem`);
    input.addEventListener("input", () => {
      this.draft[index] = input.value;
      this.updateState();
    });
    const problem = el("p", "problem field-problem");
    problem.id = `${id}-problem`;
    problem.hidden = true;
    const textField = el("div", "field example-field");
    const label = labelled(`Example ${index + 1}`, input, `${id}-text`);
    label.className = "visually-hidden"; // the list's own numbers show it
    textField.append(label, input, problem);
    row.append(textField, this.moveControls(index), this.removeButton(index));
    return row;
  }

  moveControls(index) {
    const id = `example-${index}-move`;
    const box = el("div", "move");
    const select = el("select");
    select.append(new Option("Move to…", ""));
    for (const name of this.names()) {
      if (name !== this.current.name) select.append(new Option(name, name));
    }
    const label = labelled(`Move example ${index + 1} to intent`, select, id);
    label.className = "visually-hidden";
    const move = button("Move", "small", () => this.move(index, select.value));
    move.setAttribute("aria-label", `Move example ${index + 1}`);
    box.append(label, select, move);
    return box;
  }

  removeButton(index) {
    const remove = button("Remove", "small danger", () => {
      this.draft.splice(index, 1);
      this.renderExamples();
      this.updateState();
      const next = byId(`example-${Math.min(index, this.draft.length - 1)}-text`);
      (next || byId("example-new")).focus();
      announce(`Example ${index + 1} removed. Save to keep the change.`);
    });
    remove.setAttribute("aria-label", `Remove example ${index + 1}`);
    return remove;
  }

  addExample() {
    const input = byId("example-new");
    const text = input.value.trim();
    if (!text) {
      announce("Type the new example first.");
      input.focus();
      return;
    }
    this.draft.push(text);
    input.value = "";
    this.renderExamples();
    this.updateState();
    input.focus();
    announce(`Added as example ${this.draft.length}. Save to keep it.`);
  }

  async move(index, to) {
    const from = this.current.name;
    if (!to) {
      announce("Choose the intent to move the example to.");
      byId(`example-${index}-move`).focus();
      return;
    }
    if (this.dirty) {
      showNotice(`Save or undo the other changes to ${from} before moving an example.`);
      return;
    }
    const example = this.draft[index];
    try {
      const answer = await api("POST", "/intents/move", { example, from, to });
      this.merge(answer.intents || []);
      this.load(this.intents.find((entry) => entry.name === from));
      announce(`Moved “${example}” from ${from} to ${to}.`);
      const next = byId(`example-${Math.min(index, this.draft.length - 1)}-text`);
      (next || byId("example-new")).focus();
    } catch (error) {
      if (error.status === 422) this.showSaveProblems(error.problems);
      else reportError(error, "Moving the example");
    }
  }

  async save() {
    const name = this.current.name;
    hideNotice();
    clearFieldProblems(this.exampleList);
    byId("intent-problems").hidden = true;
    try {
      // The newest change this editor saw: the server refuses the save if
      // someone else changed the intent since.
      const body = { examples: this.draft, base_revision: this.current.revision ?? null };
      const answer = await api("PUT", `/intents/${segment(name)}`, body);
      this.merge([answer]);
      this.load(answer);
      announce(`Saved ${name}. It reaches the assistant with the next retrain.`);
    } catch (error) {
      if (error.status === 422) this.showSaveProblems(error.problems);
      else reportError(error, `Saving ${name}`);
    }
  }

  /** A problem names its example by position or by text; either is placed. */
  exampleIndex(problem) {
    for (const key of ["example", "index"]) {
      const value = problem[key];
      if (Number.isInteger(value)) return value;
      if (typeof value === "string") return this.draft.indexOf(value);
    }
    return -1;
  }

  showSaveProblems(problems) {
    showProblems(byId("intent-problems"), problems, (problem) => {
      const index = this.exampleIndex(problem);
      const input = byId(`example-${index}-text`);
      if (!input) return false;
      setFieldProblem(input, byId(`example-${index}-problem`), problem.message);
      return true;
    });
    const first = this.exampleList.querySelector("[aria-invalid]");
    (first || byId("intent-problems")).focus();
    announce(`Not saved: ${plural(problems.length, "problem")} to fix.`);
  }

  async undo() {
    const name = this.current.name;
    if (this.dirty && !confirmDiscard(name)) return;
    await busy(byId("intent-undo"), `Undoing the last change to ${name}`, async () => {
      try {
        await api("POST", `/intents/${segment(name)}/undo`);
        // An undo may take a move back in another intent too: read them all.
        await this.refresh();
        this.load(this.intents.find((entry) => entry.name === name));
        announce(`${name}: the previous examples are back.`);
      } catch (error) {
        if (error.status !== 409) throw error;
        announce(error.body?.message || `${name} has no earlier version to go back to.`);
      }
    });
    this.updateState();
  }
}
