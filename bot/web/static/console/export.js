// The Export tab (developers): write every console change into the repository's
// own YAML files and list the files written.

import { api } from "./api.js";
import { byId, el, plural } from "./dom.js";
import { announce, busy } from "./messages.js";

export class ExportView {
  constructor() {
    this.button = byId("export-button");
    this.button.addEventListener("click", () => this.export());
  }

  show() {}

  async export() {
    await busy(this.button, "The export", async () => {
      const answer = await api("POST", "/export");
      const written = answer.written || [];
      const counts = [
        plural(answer.responses || 0, "response"),
        plural(answer.intents || 0, "intent"),
        plural(answer.tests || 0, "test"),
      ].join(", ");
      const summary = written.length
        ? `Wrote ${plural(written.length, "file")}: ${counts}.`
        : "Nothing to write: the console has no changes to export.";
      byId("export-summary").textContent = summary;
      byId("export-files").replaceChildren(
        ...written.map((file) => {
          const item = el("li");
          item.append(el("code", "", file));
          return item;
        }),
      );
      byId("export-result").hidden = false;
      announce(summary);
    });
  }
}
