// The console's only way to the server: the public GraphQL API and the
// admin REST endpoints, with the operator's bearer token on every call.

const tokenKey = "orderflow.console.token";

/** The bearer token kept for this tab, or "". */
export function token() {
  return sessionStorage.getItem(tokenKey) || "";
}

/** Keeps t for this tab. */
export function keepToken(t) {
  sessionStorage.setItem(tokenKey, t);
}

/** Forgets the token. */
export function forgetToken() {
  sessionStorage.removeItem(tokenKey);
}

/**
 * Refused is a call the server refused because of the token: 401 (no
 * valid token) or 403 / GraphQL "forbidden" (not an admin).
 */
export class Refused extends Error {
  constructor(status, message) {
    super(message);
    this.name = "Refused";
    this.status = status;
  }
}

/** Failed is any other failed call, with what the server said. */
export class Failed extends Error {
  constructor(message) {
    super(message);
    this.name = "Failed";
  }
}

// Listeners told of every refusal, so the page can sign out at once.
const refusalListeners = [];

/** Calls f(refused) whenever a call is refused. */
export function onRefused(f) {
  refusalListeners.push(f);
}

function refused(status, message) {
  const err = new Refused(status, message);
  for (const f of refusalListeners) f(err);
  return err;
}

function headers(extra) {
  const h = { Accept: "application/json", ...extra };
  const t = token();
  if (t) h.Authorization = "Bearer " + t;
  return h;
}

// describe words a problem+json body or a status for the operator.
async function describe(res) {
  let detail = "";
  try {
    const body = await res.json();
    detail = body.detail || body.title || "";
  } catch {
    // not JSON: the status says enough
  }
  return `${res.status} ${res.statusText || ""}`.trim() + (detail ? `: ${detail}` : "");
}

async function refusalOf(res) {
  const what = await describe(res);
  if (res.status === 401) {
    return refused(401, `The server did not accept the token (${what}). It may be malformed, expired or signed with another key.`);
  }
  return refused(403, `The server refused this token (${what}): the operator console is for admins only.`);
}

/**
 * Runs a GraphQL query with its variables and returns its data. A
 * "forbidden" error is a Refused; any other error a Failed.
 */
export async function gql(query, variables = {}) {
  let res;
  try {
    res = await fetch("/api/v1/graphql", {
      method: "POST",
      headers: headers({ "Content-Type": "application/json" }),
      body: JSON.stringify({ query, variables }),
      cache: "no-store",
    });
  } catch (e) {
    throw new Failed(`The server did not answer: ${e.message}`);
  }
  if (res.status === 401 || res.status === 403) throw await refusalOf(res);
  let body;
  try {
    body = await res.json();
  } catch {
    throw new Failed(`The GraphQL API answered ${res.status} without a GraphQL response.`);
  }
  const errors = body.errors || [];
  if (errors.some((e) => e.extensions && e.extensions.code === "FORBIDDEN")) {
    throw refused(403, "The GraphQL API answered \"forbidden\": the operator console's queries are for admins only.");
  }
  if (errors.length > 0) {
    throw new Failed("The GraphQL API answered: " + errors.map((e) => e.message).join("; "));
  }
  return body.data;
}

/**
 * Sends a REST call to path and returns its JSON body. 401 and 403 are a
 * Refused; any other failure a Failed carrying the problem's detail.
 */
export async function rest(method, path) {
  let res;
  try {
    res = await fetch(path, { method, headers: headers({}), cache: "no-store" });
  } catch (e) {
    throw new Failed(`The server did not answer: ${e.message}`);
  }
  if (res.status === 401 || res.status === 403) throw await refusalOf(res);
  if (!res.ok) throw new Failed(await describe(res));
  return res.json();
}

/**
 * claims returns the subject and role a token says it has, for display
 * only: the server decides what the token may do.
 */
export function claims(t) {
  try {
    const part = t.split(".")[1].replace(/-/g, "+").replace(/_/g, "/");
    const json = JSON.parse(atob(part.padEnd(part.length + ((4 - (part.length % 4)) % 4), "=")));
    return { sub: String(json.sub || "?"), role: String(json.role || "?") };
  } catch {
    return { sub: "?", role: "?" };
  }
}
