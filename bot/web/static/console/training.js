// The Training tab (developers): validate the data with the console's edits,
// start a retrain and follow it, polling every second, through its stages to
// deployed, rejected (a conversation test failed) or failed; list the
// conversation tests made in the console, which every retrain runs, and delete
// one.

import { api, LoginRequired, segment } from "./api.js";
import { button, byId, el, formatDate, timeElement } from "./dom.js";
import { announce, busy, reportError } from "./messages.js";

const POLL_MS = 1000;
const STAGES = ["validate", "train", "test", "deploy", "done"];
const STAGE_NAMES = {
  validate: "Validate data",
  train: "Train model",
  test: "Run conversation tests",
  deploy: "Put model in use",
  done: "Done",
};
const STAGE_STATES = {
  done: "done",
  current: "in progress",
  pending: "to do",
  stopped: "stopped here",
};
const RUN_RESULTS = {
  running: "Running",
  deployed: "Deployed: the new model is in use.",
  rejected: "Rejected: the conversation tests failed, so the running model was kept.",
  failed: "Failed: the running model was kept.",
};

export class TrainingView {
  /** mayStart() is asked before validating or retraining; false stops it. */
  constructor(mayStart) {
    this.mayStart = mayStart;
    this.validateButton = byId("validate-button");
    this.trainButton = byId("train-button");
    this.watching = null;
    this.timer = null;
    this.lastStage = null;
    this.validateButton.addEventListener("click", () => this.validate());
    this.trainButton.addEventListener("click", () => this.train());
  }

  async show() {
    await Promise.all([this.refreshRuns(), this.refreshTests()]);
  }

  async validate() {
    if (!this.mayStart()) return;
    await busy(this.validateButton, "Validation", async () => {
      announce("Validating the training data…");
      const answer = await api("POST", "/validate");
      const verdict = byId("validate-verdict");
      verdict.textContent = answer.ok
        ? "Valid: no problems found."
        : "Problems found: see the output below.";
      verdict.className = `result-text ${answer.ok ? "good" : "bad"}`;
      byId("validate-output").textContent = answer.output || "(no output)";
      byId("validate-result").hidden = false;
      announce(verdict.textContent);
    });
  }

  async train() {
    if (!this.mayStart()) return;
    await busy(this.trainButton, "Starting a retrain", async () => {
      try {
        const answer = await api("POST", "/train");
        announce("Retrain started.");
        this.follow(answer.run);
      } catch (error) {
        if (error.status !== 409) throw error;
        announce("A retrain is already running; showing it.");
        await this.refreshRuns();
      }
    });
    this.trainButton.disabled = this.watching !== null;
  }

  async refreshRuns() {
    try {
      const answer = await api("GET", "/train");
      const runs = answer.runs || [];
      this.renderRuns(runs);
      const running = runs.find((run) => run.status === "running");
      if (running && this.watching !== running.id) this.follow(running);
      else if (!this.watching && runs[0] && byId("run").hidden) this.renderRun(runs[0]);
    } catch (error) {
      reportError(error, "Loading the training runs");
    }
  }

  /** Show a run and poll it every second until it is no longer running. */
  follow(run) {
    this.stop();
    this.renderRun(run);
    if (run.status !== "running") return;
    this.watching = run.id;
    this.trainButton.disabled = true;
    this.timer = setTimeout(() => this.poll(run.id), POLL_MS);
  }

  stop() {
    clearTimeout(this.timer);
    this.timer = null;
    this.watching = null;
    this.trainButton.disabled = false;
  }

  async poll(id) {
    if (this.watching !== id) return;
    let run;
    try {
      run = await api("GET", `/train/${segment(id)}`);
      byId("run-message").classList.remove("bad");
    } catch (error) {
      if (error instanceof LoginRequired) {
        this.stop();
        return;
      }
      byId("run-message").textContent = "Lost contact with the server; trying again…";
      byId("run-message").classList.add("bad");
      this.timer = setTimeout(() => this.poll(id), POLL_MS);
      return;
    }
    if (this.watching !== id) return;
    this.renderRun(run);
    if (run.status === "running") {
      this.timer = setTimeout(() => this.poll(id), POLL_MS);
      return;
    }
    this.stop();
    announce(RUN_RESULTS[run.status] || `Run ended: ${run.status}`);
    await this.refreshRuns();
  }

  renderRun(run) {
    byId("run").hidden = false;
    const who = run.started_by ? ` by ${run.started_by}` : "";
    const when = formatDate(run.started_at);
    byId("run-title").textContent = `Run ${run.id}, started${who} ${when}`;
    this.renderStages(run);

    const progress = Math.min(Math.max(Number(run.progress) || 0, 0), 1);
    const percent = Math.round(progress * 100);
    byId("run-progress").value = percent;
    byId("run-percent").textContent = `${percent}%`;

    const result = byId("run-result");
    result.hidden = run.status === "running";
    result.textContent = RUN_RESULTS[run.status] || run.status;
    result.className = `run-result ${run.status}`;

    const took = seconds(run);
    byId("run-message").textContent = `${run.message || ""}${took ? ` (${took})` : ""}`;
    const log = byId("run-log");
    const tail = Array.isArray(run.log_tail) ? run.log_tail.join("\n") : run.log_tail;
    log.textContent = tail || "(nothing logged yet)";
    log.scrollTop = log.scrollHeight;

    if (run.status === "running" && run.stage !== this.lastStage) {
      announce(`Retrain: ${STAGE_NAMES[run.stage] || run.stage}.`);
    }
    this.lastStage = run.status === "running" ? run.stage : null;
  }

  renderStages(run) {
    const at = STAGES.indexOf(run.stage);
    const items = STAGES.map((stage, index) => {
      let state = index < at ? "done" : index === at ? "current" : "pending";
      if (index === at && run.status !== "running") {
        state = run.status === "deployed" ? "done" : "stopped";
      }
      const item = el("li", `stage ${state}`);
      item.append(el("span", "stage-name", STAGE_NAMES[stage]));
      item.append(el("span", "stage-state", STAGE_STATES[state]));
      if (state === "current") item.setAttribute("aria-current", "step");
      return item;
    });
    byId("run-stages").replaceChildren(...items);
  }

  renderRuns(runs) {
    byId("run-list-empty").hidden = runs.length > 0;
    const items = runs.map((run) => {
      const item = el("li", "run-item");
      const status = el("span", `badge run-${run.status}`, run.status);
      const who = run.started_by ? `by ${run.started_by}, ` : "";
      const took = seconds(run);
      item.append(status, ` Run ${run.id} ${who}`, timeElement(run.started_at));
      if (took) item.append(`, ${took}`);
      if (run.message) item.append(el("span", "meta run-item-message", run.message));
      return item;
    });
    byId("run-list").replaceChildren(...items);
  }

  // The tests made here, and deleting one

  async refreshTests() {
    try {
      const answer = await api("GET", "/tests");
      this.renderTests(answer.tests || []);
    } catch (error) {
      reportError(error, "Loading the conversation tests");
    }
  }

  renderTests(tests) {
    byId("made-test-empty").hidden = tests.length > 0;
    const items = tests.map((test) => {
      const item = el("li", "run-item made-test");
      item.dataset.name = test.name;
      const state = test.exported
        ? el("span", "badge run-deployed", "exported")
        : el("span", "badge", "runs at retrain");
      item.append(state, " ", el("strong", "", test.name), ` by ${test.author}, `);
      item.append(timeElement(test.at));
      const story = el("details", "made-test-story");
      story.append(el("summary", "", "Story"), el("pre", "code", test.yaml));
      const remove = button("Delete", "small danger", () =>
        this.deleteTest(test, remove),
      );
      remove.setAttribute("aria-label", `Delete the test ${test.name}`);
      item.append(" ", remove, story);
      return item;
    });
    byId("made-test-list").replaceChildren(...items);
  }

  async deleteTest(test, control) {
    const where = test.exported
      ? " Its exported copy stays in tests/conversations, to be removed in git."
      : "";
    if (!window.confirm(`Delete the test ${test.name}?${where}`)) return;
    await busy(control, `Deleting the test ${test.name}`, async () => {
      try {
        const answer = await api("DELETE", `/tests/${segment(test.name)}`);
        this.renderTests(answer.tests || []);
        announce(`Test ${test.name} deleted.`);
      } catch (error) {
        if (error.status !== 404) throw error;
        announce(`Test ${test.name} was already deleted.`);
        await this.refreshTests();
      }
    });
  }
}

function seconds(run) {
  return Number.isFinite(run.seconds) ? `${Math.round(run.seconds)} s` : "";
}
