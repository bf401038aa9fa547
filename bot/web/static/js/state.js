// What the page keeps in localStorage: the signed-in account and the current
// conversation (session id, whose it is, and its rendered items). A
// conversation belongs to one owner, a customer id or "guest"; it is dropped
// whenever the owner changes, so no customer continues another's session.

const ACCOUNT_KEY = "concierge.account";
const CONVERSATION_KEY = "concierge.conversation";
const GUEST_CHOSEN_KEY = "concierge.guestChosen";
export const GUEST = "guest";
export const TRANSCRIPT_LIMIT = 200;

function read(key) {
  try {
    return JSON.parse(window.localStorage.getItem(key));
  } catch (error) {
    console.warn("ignoring unreadable saved state", key, error);
    return null;
  }
}

function write(key, value) {
  try {
    window.localStorage.setItem(key, JSON.stringify(value));
  } catch (error) {
    // Private windows and full storage refuse writes; the chat still works,
    // it only forgets the conversation on reload.
    console.warn("could not save state", key, error);
  }
}

function remove(key) {
  try {
    window.localStorage.removeItem(key);
  } catch (error) {
    console.warn("could not clear state", key, error);
  }
}

/** The saved sign-in, {token, expiresAt, customer}, or null for a guest. */
export function loadAccount() {
  const account = read(ACCOUNT_KEY);
  const valid = account && typeof account.token === "string" && account.customer;
  return valid ? account : null;
}

export function saveAccount(account) {
  write(ACCOUNT_KEY, account);
  remove(GUEST_CHOSEN_KEY);
}

export function clearAccount() {
  remove(ACCOUNT_KEY);
}

/** True once the account's expiry has passed (or cannot be read). */
export function isExpired(account, now = Date.now()) {
  const expiresAt = Date.parse(account.expiresAt);
  return Number.isNaN(expiresAt) || expiresAt <= now;
}

export function ownerOf(account) {
  return account ? account.customer.id : GUEST;
}

export function guestChosen() {
  return read(GUEST_CHOSEN_KEY) === true;
}

export function chooseGuest() {
  write(GUEST_CHOSEN_KEY, true);
}

/** The saved conversation of owner; a fresh one if the saved one is another's. */
export function loadConversation(owner) {
  const saved = read(CONVERSATION_KEY);
  if (saved && saved.owner === owner && Array.isArray(saved.items)) {
    return saved;
  }
  return newConversation(owner);
}

/** Start an empty conversation for owner; the next connect asks for a new id. */
export function newConversation(owner) {
  const conversation = { sessionId: null, owner, items: [] };
  write(CONVERSATION_KEY, conversation);
  return conversation;
}

export function setSessionId(conversation, sessionId) {
  conversation.sessionId = sessionId;
  write(CONVERSATION_KEY, conversation);
}

/** Add one rendered item, keeping only the last TRANSCRIPT_LIMIT. */
export function appendItem(conversation, item) {
  conversation.items.push(item);
  if (conversation.items.length > TRANSCRIPT_LIMIT) {
    conversation.items.splice(0, conversation.items.length - TRANSCRIPT_LIMIT);
  }
  write(CONVERSATION_KEY, conversation);
}
