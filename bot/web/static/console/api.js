// The console's JSON API under /console/api: the session's CSRF token on every
// non-GET request, errors as ApiError, and a 401 that hands control to the page
// (session.onLoginRequired) so it can show the login form.

const API = "/console/api";
export const LOGIN = "/login";

export class ApiError extends Error {
  constructor(status, body, retryAfter) {
    super((body && (body.message || body.error)) || `status ${status}`);
    this.status = status;
    this.body = body && typeof body === "object" ? body : {};
    this.retryAfter = retryAfter;
  }

  get problems() {
    return Array.isArray(this.body.problems) ? this.body.problems : [];
  }
}

/** Thrown after a 401: the login form is already showing, nothing else to say. */
export class LoginRequired extends ApiError {}

export const session = { user: null, csrf: "", onLoginRequired: () => {} };

export async function api(method, path, body, { signal, retried = false } = {}) {
  const headers = { Accept: "application/json" };
  const options = { method, headers, credentials: "same-origin", signal };
  if (method !== "GET" && session.csrf) headers["X-CSRF-Token"] = session.csrf;
  if (body !== undefined) {
    headers["Content-Type"] = "application/json";
    options.body = JSON.stringify(body);
  }

  const response = await fetch(API + path, options);
  const answer = await readJson(response);
  if (response.ok) return answer;

  // Login answers for itself: its 401 is a wrong password, its 403 an origin.
  const signingIn = path === LOGIN;
  if (response.status === 401 && !signingIn) {
    session.onLoginRequired();
    throw new LoginRequired(401, answer);
  }
  if (response.status === 403 && answer?.error === "csrf" && !signingIn && !retried) {
    await refreshToken();
    return api(method, path, body, { signal, retried: true });
  }
  throw new ApiError(response.status, answer, response.headers.get("Retry-After"));
}

async function readJson(response) {
  if (response.status === 204) return null;
  try {
    return await response.json();
  } catch (error) {
    return null;
  }
}

async function refreshToken() {
  const me = await api("GET", "/me");
  session.csrf = me.csrf_token;
}

/** A name or id made safe as one path segment (a name may hold "/" or "?"). */
export function segment(value) {
  return encodeURIComponent(String(value));
}
