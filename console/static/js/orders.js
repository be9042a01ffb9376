// Orders: the latest orders, a search by order id or customer id, and an
// order's timeline: every event that concerns it, with its metadata and
// what caused it (an earlier entry, which a button goes to, or a command).

import { gql, Refused } from "./api.js";
import { openHistory } from "./history.js";
import { $, el, facts, replaceRows, showError, stamp } from "./dom.js";
import { count, instant, money, time, words } from "./format.js";

const row = `id customerId status total { amount currency } placedAt`;

const latestQuery = `query ConsoleOrders { orders(first: 20) { edges { node { ${row} } } } }`;

// One request looks the id up both as an order and as a customer.
const searchQuery = `query ConsoleSearch($id: ID!) {
  order(id: $id) { ${row} }
  customer(id: $id) { id orderCount orders(first: 50) { edges { node { ${row} } } } }
}`;

const timelineQuery = `query ConsoleTimeline($id: ID!) {
  order(id: $id) {
    ${row} channel revision paidAt cancelledAt cancelReason trackingNumber updatedAt position
    fulfillment { state step }
    timeline { type position stream revision occurredAt eventId correlationId causedBy { kind id type step } }
  }
}`;

// search is the id searched for, "" while the latest orders are shown.
let search = "";

/** The Orders panel. */
export const ordersPanel = {
  interval: 2000,
  async refresh() {
    try {
      if (search) await runSearch(search);
      else await latest();
      stamp($("orders-updated"));
      showError($("orders-error"), null);
    } catch (err) {
      if (!(err instanceof Refused)) showError($("orders-error"), err);
      throw err;
    }
  },
};

async function latest() {
  const data = await gql(latestQuery);
  $("orders-caption").textContent = "Latest orders, updated every two seconds";
  renderOrders(data.orders.edges.map((e) => e.node));
}

async function runSearch(id) {
  const data = await gql(searchQuery, { id });
  const found = [];
  if (data.order) found.push(data.order);
  if (data.customer) found.push(...data.customer.orders.edges.map((e) => e.node).filter((o) => o.id !== id));
  const what = [];
  if (data.order) what.push(`order ${id}`);
  if (data.customer) {
    const n = Number(data.customer.orderCount);
    what.push(`customer ${id} with ${count(n)} order${n === 1 ? "" : "s"}`);
  }
  $("orders-caption").textContent = what.length > 0
    ? `Found ${what.join(" and ")}`
    : `No order or customer has the id ${id}`;
  renderOrders(found);
}

function renderOrders(orders) {
  const rows = orders.map((o) =>
    el(
      "tr",
      { "data-order": o.id },
      el("td", {}, el("button", {
        type: "button",
        class: "link",
        "data-focus": "order-" + o.id,
        "aria-label": `Open the timeline of order ${o.id}`,
        onclick: () => openOrder(o.id),
      }, o.id)),
      el("td", { class: "mono" }, o.customerId),
      el("td", { "data-col": "status" }, words(o.status)),
      el("td", { class: "num" }, money(o.total)),
      el("td", {}, time(o.placedAt)),
    ),
  );
  if (rows.length === 0) rows.push(el("tr", {}, el("td", { colSpan: 5 }, "No orders.")));
  replaceRows($("orders-table").tBodies[0], JSON.stringify(orders), rows);
}

/** openOrder shows order id's timeline and its past, step by step. */
export function openOrder(id) {
  return Promise.all([openTimeline(id), openHistory(id)]);
}

async function openTimeline(id) {
  const section = $("timeline");
  section.hidden = false;
  const title = $("timeline-title");
  title.textContent = `Timeline of order ${id}`;
  try {
    const data = await gql(timelineQuery, { id });
    const o = data.order;
    if (!o) {
      title.textContent = `Order ${id} was not found`;
      $("order-facts").replaceChildren();
      $("timeline-table").tBodies[0].replaceChildren();
    } else {
      facts($("order-facts"), [
        ["Customer", o.customerId],
        ["Status", words(o.status)],
        ["Total", money(o.total)],
        ["Channel", words(o.channel)],
        ["Placed", time(o.placedAt)],
        ["Paid", time(o.paidAt)],
        ["Cancelled", o.cancelledAt ? `${time(o.cancelledAt)}: ${o.cancelReason || ""}` : "—"],
        ["Tracking number", o.trackingNumber],
        ["Saga", o.fulfillment ? `${words(o.fulfillment.state)} (${o.fulfillment.step})` : "not started"],
        ["Revision", o.revision],
        ["Position", o.position],
      ]);
      replaceRows($("timeline-table").tBodies[0], JSON.stringify(o.timeline), o.timeline.map((e) =>
        el("tr", { "data-type": e.type, id: "event-" + e.eventId, tabIndex: -1 },
          el("td", { class: "mono", "data-col": "type" }, e.type),
          el("td", { class: "mono", "data-col": "position" }, e.position),
          el("td", { class: "mono", "data-col": "stream" }, `${e.stream} @ ${e.revision}`),
          el("td", { "data-col": "time" }, instant(e.occurredAt)),
          el("td", { class: "mono", "data-col": "correlation" }, e.correlationId),
          el("td", { class: "mono", "data-col": "causation" }, e.causedBy.id),
          el("td", { "data-col": "caused-by" }, causedBy(e)))));
    }
    showError($("orders-error"), null);
  } catch (err) {
    if (!(err instanceof Refused)) showError($("orders-error"), err);
  }
  title.focus();
}

/**
 * causedBy says what caused timeline entry e: a button that goes to the
 * earlier entry, or the command (a saga step's, or one sent to the API).
 */
function causedBy(e) {
  const c = e.causedBy;
  if (c.kind === "EVENT") {
    return el("button", {
      type: "button",
      class: "link",
      "data-focus": "cause-" + e.eventId,
      "aria-label": `Go to the ${c.type} event that caused this ${e.type}`,
      onclick: () => {
        const cause = $("event-" + c.id);
        if (cause) cause.focus();
      },
    }, c.type);
  }
  return c.step ? `command of saga step ${c.step}` : "command sent to the API";
}

/** wireOrders connects the search form. */
export function wireOrders() {
  $("order-search").addEventListener("submit", (e) => {
    e.preventDefault();
    search = $("order-query").value.trim();
    ordersPanel.refresh()
      .then(() => { $("search-result").textContent = $("orders-caption").textContent + "."; })
      .catch(() => {});
  });
  $("order-query").addEventListener("search", () => {
    // Clearing the search box goes back to the latest orders.
    if ($("order-query").value.trim() === "") {
      search = "";
      ordersPanel.refresh().catch(() => {});
    }
  });
}

/** resetOrders goes back to the latest orders, no timeline open (at sign-out). */
export function resetOrders() {
  search = "";
  $("order-query").value = "";
  $("search-result").textContent = "";
  $("timeline").hidden = true;
}
