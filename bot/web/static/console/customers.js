// The demo customers, loaded once and shared by the response preview and the
// conversation filter.

import { api } from "./api.js";

const LEVEL_NAMES = { bronze: "Bronze", silver: "Silver", gold: "Gold" };

export const customers = {
  list: null,
  loading: null,

  load() {
    this.loading ??= api("GET", "/customers")
      .then((answer) => {
        this.list = answer.customers || [];
        return this.list;
      })
      .catch((error) => {
        this.loading = null;
        throw error;
      });
    return this.loading;
  },

  label(customer) {
    const level = LEVEL_NAMES[customer.membership_level] || customer.membership_level;
    return level ? `${customer.name} (${level})` : customer.name;
  },

  fill(select, firstLabel) {
    const options = [new Option(firstLabel, "")];
    for (const customer of this.list || []) {
      options.push(new Option(this.label(customer), customer.id));
    }
    const chosen = select.value;
    select.replaceChildren(...options);
    select.value = chosen;
  },
};
