// Sagas: how many fulfillment sagas are in each state and at each step,
// the sagas of the chosen states least recently updated first (those
// stuck longer than the threshold are marked), and one saga in full.

import { gql, Refused } from "./api.js";
import { $, el, facts, replaceRows, showError, stamp } from "./dom.js";
import { age, count, instant, seconds, time, words } from "./format.js";

const pageSize = 50;

const listQuery = `query ConsoleSagas($state: [FulfillmentState!], $first: Int, $after: String, $stats: Boolean!) {
  fulfillmentStats @include(if: $stats) { byState { state count } byStep { step count } }
  fulfillments(state: $state, first: $first, after: $after) {
    edges { node { orderId state step lastError deadline retryAt updatedAt } }
    pageInfo { hasNextPage endCursor }
  }
}`;

const sagaQuery = `query ConsoleSaga($id: ID!) {
  fulfillment(orderId: $id) {
    orderId state step lastError reason deadline retryAt startedAt updatedAt
    history { step outcome detail at eventId commandId causationId }
  }
}`;

// pages is how many pages of sagas the operator asked to see.
let pages = 1;
// open is the order whose saga is shown, or "".
let open = "";

const inFlight = new Set(["RUNNING", "COMPENSATING"]);

function chosenStates() {
  return Array.from($("saga-filter").querySelectorAll('input[name="state"]:checked'), (i) => i.value);
}

function threshold() {
  const v = Number($("stuck-after").value);
  return v > 0 ? v : 30;
}

/** The Sagas panel. */
export const sagasPanel = {
  interval: 2000,
  async refresh() {
    try {
      await Promise.all([refreshList(), open ? refreshSaga(open) : null]);
      stamp($("sagas-updated"));
      showError($("sagas-error"), null);
    } catch (err) {
      if (!(err instanceof Refused)) showError($("sagas-error"), err);
      throw err;
    }
  },
};

async function refreshList() {
  const states = chosenStates();
  let nodes = [];
  let after = null;
  let more = false;
  let stats = null;
  for (let p = 0; p < pages; p++) {
    const data = await gql(listQuery, { state: states, first: pageSize, after, stats: p === 0 });
    stats = stats || data.fulfillmentStats;
    nodes = nodes.concat(data.fulfillments.edges.map((e) => e.node));
    more = data.fulfillments.pageInfo.hasNextPage;
    after = data.fulfillments.pageInfo.endCursor;
    if (!more) break;
  }
  renderStats(stats);
  renderList(nodes);
  $("sagas-more").hidden = !more;
}

// none is the row of an empty table of columns cells.
function none(columns) {
  return [el("tr", {}, el("td", { colSpan: columns }, "No sagas."))];
}

function renderStats(stats) {
  const states = stats.byState.map((s) =>
    el("tr", { "data-state": s.state }, el("th", { scope: "row" }, words(s.state)), el("td", { class: "num" }, count(s.count))));
  replaceRows($("saga-states").tBodies[0], JSON.stringify(stats.byState), states.length > 0 ? states : none(2));
  const steps = stats.byStep.map((s) =>
    el("tr", { "data-step": s.step }, el("th", { scope: "row", class: "mono" }, s.step), el("td", { class: "num" }, count(s.count))));
  replaceRows($("saga-steps").tBodies[0], JSON.stringify(stats.byStep), steps.length > 0 ? steps : none(2));
}

function renderList(nodes) {
  const limit = threshold();
  const rows = nodes.map((s) => {
    const idle = age(s.updatedAt);
    const stuck = inFlight.has(s.state) && idle > limit;
    return el(
      "tr",
      { "data-order": s.orderId, class: stuck ? "stuck" : "", "data-stuck": stuck ? "true" : "false" },
      el("td", {}, el("button", {
        type: "button",
        class: "link",
        "data-focus": "saga-" + s.orderId,
        "aria-label": `Open the saga of order ${s.orderId}` + (stuck ? " (stuck)" : ""),
        onclick: () => openSaga(s.orderId),
      }, s.orderId)),
      el("td", { "data-col": "state" }, words(s.state)),
      el("td", {}, stuck ? el("span", { class: "badge warn" }, "stuck")
        : s.retryAt && inFlight.has(s.state) ? el("span", { class: "badge", title: `parked until ${instant(s.retryAt)}: ${s.lastError || ""}` }, "parked") : ""),
      el("td", { class: "mono", "data-col": "step" }, s.step),
      el("td", { "data-col": "updated", title: instant(s.updatedAt) }, seconds(idle) + " ago"),
      el("td", { "data-col": "deadline" }, time(s.deadline)),
      el("td", { class: "mono", "data-col": "last-error" }, s.lastError || ""),
    );
  });
  // Ages change every second: the rows are keyed on them in whole
  // seconds, so focus is kept when they are rebuilt.
  const key = JSON.stringify([limit, nodes.map((s) => [s.orderId, s.state, s.step, s.lastError, s.retryAt, Math.floor(age(s.updatedAt))])]);
  replaceRows($("sagas-table").tBodies[0], key, rows.length > 0 ? rows : none(7));
}

async function refreshSaga(id) {
  const data = await gql(sagaQuery, { id });
  const f = data.fulfillment;
  const title = $("saga-detail-title");
  if (!f) {
    title.textContent = `No saga for order ${id}`;
    $("saga-facts").replaceChildren();
    $("saga-history").tBodies[0].replaceChildren();
    return;
  }
  title.textContent = `Saga of order ${f.orderId}`;
  facts($("saga-facts"), [
    ["State", words(f.state)],
    ["Step", f.step],
    ["Why it compensates", f.reason],
    ["Last error", f.lastError],
    ["Payment deadline", f.deadline ? time(f.deadline) : "none pending"],
    ["Next retry", f.retryAt ? time(f.retryAt) : "none"],
    ["Started", time(f.startedAt)],
    ["Last change", time(f.updatedAt)],
  ]);
  replaceRows($("saga-history").tBodies[0], JSON.stringify(f.history), f.history.map((h, i) =>
    el("tr", { "data-seq": i, "data-outcome": h.outcome },
      el("td", { class: "mono" }, h.step),
      el("td", {}, h.outcome),
      el("td", { class: "mono" }, h.detail),
      el("td", {}, instant(h.at)),
      el("td", { class: "mono", "data-col": "command" }, h.commandId || ""),
      el("td", { class: "mono", "data-col": "cause" }, h.causationId))));
}

async function openSaga(id) {
  open = id;
  $("saga-detail").hidden = false;
  $("saga-detail-title").textContent = `Saga of order ${id}`;
  try {
    await refreshSaga(id);
    showError($("sagas-error"), null);
  } catch (err) {
    if (!(err instanceof Refused)) showError($("sagas-error"), err);
  }
  $("saga-detail-title").focus();
}

/** wireSagas connects the panel's controls. */
export function wireSagas() {
  $("saga-filter").addEventListener("change", () => {
    pages = 1;
    sagasPanel.refresh().catch(() => {});
  });
  $("saga-filter").addEventListener("submit", (e) => e.preventDefault());
  $("sagas-more").addEventListener("click", () => {
    pages++;
    sagasPanel.refresh().catch(() => {});
  });
  $("saga-open").addEventListener("submit", (e) => {
    e.preventDefault();
    const id = $("saga-order").value.trim();
    if (id) openSaga(id);
  });
}
