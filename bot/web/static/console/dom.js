// Small DOM and text helpers shared by every part of the console. Text is
// always set through textContent, so nothing from the server becomes markup.

const DATE_FORMAT = new Intl.DateTimeFormat("en", {
  dateStyle: "medium",
  timeStyle: "short",
});

export function byId(id) {
  return document.getElementById(id);
}

/** An element with a class and text content (text is never parsed as HTML). */
export function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined && text !== null) node.textContent = String(text);
  return node;
}

export function button(label, className, onClick) {
  const node = el("button", `button ${className || ""}`.trim(), label);
  node.type = "button";
  node.addEventListener("click", onClick);
  return node;
}

export function labelled(labelText, control, id) {
  control.id = id;
  const label = el("label", "", labelText);
  label.htmlFor = id;
  return label;
}

export function timeElement(iso) {
  const node = el("time", "", formatDate(iso));
  if (iso) node.dateTime = iso;
  return node;
}

export function formatDate(iso) {
  if (!iso) return "";
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? String(iso) : DATE_FORMAT.format(date);
}

export function plural(count, word) {
  return `${count} ${word}${count === 1 ? "" : "s"}`;
}

export function clone(value) {
  return JSON.parse(JSON.stringify(value ?? null));
}

export function debounce(action, delay) {
  let timer = null;
  return (...args) => {
    clearTimeout(timer);
    timer = setTimeout(() => action(...args), delay);
  };
}

export function confirmDiscard(name) {
  return window.confirm(`Discard your unsaved changes to ${name}?`);
}
