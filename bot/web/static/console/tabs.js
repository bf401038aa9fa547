// Tabs after the WAI-ARIA tabs pattern: one tab in the tab order, arrow keys,
// Home and End move between the visible tabs, the URL's hash keeps the choice.

import { byId } from "./dom.js";

export class Tabs {
  constructor(onShow) {
    this.onShow = onShow;
    this.tabs = [...document.querySelectorAll('[role="tab"]')];
    this.current = null;
    for (const tab of this.tabs) {
      tab.addEventListener("click", () => this.select(tab.dataset.tab));
      tab.addEventListener("keydown", (event) => this.key(event, tab));
    }
  }

  visible() {
    return this.tabs.filter((tab) => !tab.hidden);
  }

  key(event, tab) {
    const tabs = this.visible();
    const at = tabs.indexOf(tab);
    const moves = {
      ArrowRight: at + 1,
      ArrowLeft: at - 1,
      Home: 0,
      End: tabs.length - 1,
    };
    if (!(event.key in moves)) return;
    event.preventDefault();
    const next = tabs[(moves[event.key] + tabs.length) % tabs.length];
    this.select(next.dataset.tab);
    next.focus();
  }

  /** Show a tab by name; an unknown or hidden one falls back to the first. */
  select(name) {
    const tabs = this.visible();
    const chosen = tabs.find((tab) => tab.dataset.tab === name) || tabs[0];
    for (const tab of this.tabs) {
      const selected = tab === chosen;
      tab.setAttribute("aria-selected", String(selected));
      tab.tabIndex = selected ? 0 : -1;
      byId(tab.getAttribute("aria-controls")).hidden = !selected;
    }
    this.current = chosen.dataset.tab;
    window.history.replaceState(null, "", `#${this.current}`);
    this.onShow(this.current);
  }
}
