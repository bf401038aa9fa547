// The demo sign-in control: a picker of demo customers, Sign in, Continue as
// guest and Sign out. It only shows state and reports choices; main.js owns
// what a sign-in or sign-out does to the conversation.

const LEVEL_NAMES = {
  guest: "Guest",
  bronze: "Bronze member",
  silver: "Silver member",
  gold: "Gold member",
};

export class AccountPanel {
  /** handlers: onSignIn(customerId), onSignOut(), onGuest(). */
  constructor(handlers) {
    this.handlers = handlers;
    this.select = document.getElementById("signin-select");
    this.signInButton = document.getElementById("signin-button");
    this.rows = {
      signedOut: document.getElementById("account-signed-out"),
      guest: document.getElementById("account-guest"),
      signedIn: document.getElementById("account-signed-in"),
    };
    this.note = document.getElementById("account-note");
    this.wire();
  }

  wire() {
    this.signInButton.addEventListener("click", () => {
      if (this.select.value) this.handlers.onSignIn(this.select.value);
    });
    this.select.addEventListener("change", () => this.updateSignInButton());
    document.getElementById("guest-button").addEventListener("click", () => {
      this.handlers.onGuest();
    });
    document.getElementById("signin-open").addEventListener("click", () => {
      this.show("signedOut");
      this.select.focus();
    });
    document.getElementById("signout-button").addEventListener("click", () => {
      this.handlers.onSignOut();
    });
  }

  /** Fill the picker from the page server's list of demo customers. */
  async loadCustomers() {
    try {
      const response = await fetch("/api/demo/customers");
      if (!response.ok) throw new Error(`status ${response.status}`);
      this.fillCustomers(await response.json());
    } catch (error) {
      console.warn("demo customers unavailable", error);
      this.select.replaceChildren(new Option("Demo customers unavailable", ""));
      this.select.disabled = true;
    }
    this.updateSignInButton();
  }

  fillCustomers(customers) {
    const options = [new Option("Choose a customer…", "")];
    for (const customer of customers) {
      const level = LEVEL_NAMES[customer.membership_level] || customer.membership_level;
      options.push(new Option(`${customer.name} (${level})`, customer.id));
    }
    this.select.replaceChildren(...options);
    this.select.disabled = customers.length === 0;
  }

  updateSignInButton() {
    this.signInButton.disabled = this.select.disabled || !this.select.value;
  }

  show(name) {
    for (const [key, row] of Object.entries(this.rows)) row.hidden = key !== name;
  }

  showSignedIn(customer) {
    document.getElementById("account-name").textContent = customer.first_name;
    const level = LEVEL_NAMES[customer.membership_level] || "";
    document.getElementById("account-level").textContent = level;
    this.show("signedIn");
  }

  /** decided: the customer chose to stay a guest, so the picker folds away. */
  showGuest(decided) {
    this.show(decided ? "guest" : "signedOut");
  }

  setBusy(busy) {
    this.signInButton.disabled = busy || this.select.disabled || !this.select.value;
    this.signInButton.setAttribute("aria-busy", String(busy));
  }

  showNote(text) {
    this.note.textContent = text || "";
    this.note.hidden = !text;
  }
}
