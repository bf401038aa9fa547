// What the console tells the user: a polite status line that clears itself,
// and a notice that stays (announced through a role="alert" region) for errors.

import { ApiError, LoginRequired } from "./api.js";
import { byId, el } from "./dom.js";

const STATUS_CLEAR_MS = 8000;
const UNREACHABLE = "The console server could not be reached. Check it is running.";
const FORBIDDEN = "Your role does not allow this.";
const CSRF = "The page's security token is out of date. Reload the page.";

let statusTimer = null;

export function announce(text) {
  const status = byId("status");
  clearTimeout(statusTimer);
  status.textContent = text;
  statusTimer = setTimeout(() => {
    status.textContent = "";
  }, STATUS_CLEAR_MS);
}

/** Read text out at once; a fresh node is announced even when text repeats. */
export function alertNow(text) {
  byId("alert").replaceChildren(el("span", "", text));
}

export function showNotice(text) {
  clearTimeout(statusTimer); // an older "done" must not stand beside this
  byId("status").textContent = "";
  byId("notice-text").textContent = text;
  byId("notice").hidden = false;
  alertNow(text);
}

export function hideNotice() {
  byId("notice").hidden = true;
  byId("notice-text").textContent = "";
  byId("alert").replaceChildren();
}

/** Say why an action did not work; a 401 has already shown the login form. */
export function reportError(error, what) {
  if (error instanceof LoginRequired || error?.name === "AbortError") return;
  if (!(error instanceof ApiError)) {
    console.warn(what, error);
    showNotice(`${what} did not work. ${UNREACHABLE}`);
    return;
  }
  if (error.status === 403) {
    const isCsrf = error.body.error === "csrf";
    showNotice(isCsrf ? CSRF : error.body.message || FORBIDDEN);
    return;
  }
  const detail = error.body.message || error.body.detail;
  const reason = detail || `the server answered with status ${error.status}`;
  showNotice(`${what} did not work: ${reason}`);
}

/** Run action with the button disabled and marked busy; errors are reported. */
export async function busy(control, what, action) {
  hideNotice();
  control.disabled = true;
  control.setAttribute("aria-busy", "true");
  try {
    return await action();
  } catch (error) {
    reportError(error, what);
    return undefined;
  } finally {
    control.disabled = false;
    control.removeAttribute("aria-busy");
  }
}

/** Put problems next to what they name; the rest go to a general paragraph. */
export function showProblems(general, problems, placeOne) {
  const unplaced = problems.filter((problem) => !placeOne(problem));
  general.replaceChildren();
  for (const problem of unplaced) {
    general.append(el("span", "problem-line", problem.message || String(problem)));
  }
  general.hidden = unplaced.length === 0;
}

export function setFieldProblem(control, slot, message) {
  const lines = slot.textContent ? `${slot.textContent} ${message}` : message;
  slot.textContent = lines;
  slot.hidden = false;
  control.setAttribute("aria-invalid", "true");
}

export function clearFieldProblems(container) {
  for (const slot of container.querySelectorAll(".field-problem")) {
    slot.textContent = "";
    slot.hidden = true;
  }
  for (const control of container.querySelectorAll("[aria-invalid]")) {
    control.removeAttribute("aria-invalid");
  }
}
