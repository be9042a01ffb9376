// The event log: any stream or the global log a page at a time, each
// event with its data and metadata, every id a link to what it names (the
// order, the stream, the events of a correlation near this one).

import { Refused, rest } from "./api.js";
import { $, el, replaceRows, showError } from "./dom.js";
import { instant } from "./format.js";

const path = "/api/v1/admin/events";

// view is what is shown: the query parameters of the page, and the event
// id to mark (a causation followed).
let view = null;
// page is the last page answered.
let page = null;
// openOrder shows an order in the Orders panel (set by wireStreams).
let openOrder = () => {};

/** The Event log panel: the page shown is brought up to date every five seconds. */
export const streamsPanel = {
  interval: 5000,
  async refresh() {
    if (!view) view = { params: { count: countWanted() } };
    await load();
  },
};

function countWanted() {
  const n = Number($("events-count").value);
  return Number.isInteger(n) && n >= 1 && n <= 100 ? String(n) : "20";
}

async function load() {
  const q = new URLSearchParams(Object.entries(view.params).filter(([, v]) => v !== undefined && v !== ""));
  try {
    page = await rest("GET", `${path}?${q}`);
    render();
    showError($("events-error"), null);
  } catch (err) {
    if (!(err instanceof Refused)) showError($("events-error"), err);
    throw err;
  }
}

/** showStream shows stream from its start (or from a cursor). */
export function showStream(stream, cursor) {
  view = { params: { stream, count: countWanted(), ...(cursor || {}) } };
  $("events-stream").value = stream;
  return load().catch(() => {});
}

/** showCorrelation shows the events of correlation id near position around, marking the event markID. */
export function showCorrelation(id, around, markID) {
  view = { params: { correlation: id, around }, mark: markID };
  return load().catch(() => {});
}

function what() {
  if (page.correlation) {
    return `Events of correlation ${page.correlation} within 500 events of the log either side of ${view.params.around || "its end"}, oldest first`;
  }
  const order = page.direction === "backwards" ? "newest first" : "oldest first";
  return page.stream ? `Stream ${page.stream}, ${order}` : `The global log, ${order}`;
}

function render() {
  $("events-caption").textContent = what();
  const mark = view.mark;
  let marked = null;
  const rows = page.events.map((e) => {
    const row = el("tr", { id: "log-" + e.id, "data-type": e.type, "data-stream": e.stream, tabIndex: -1,
      class: e.id === mark ? "highlight" : undefined },
    el("td", { class: "mono" }, e.position),
    el("td", { class: "mono" }, link(`${e.stream} @ ${e.revision}`, `Show stream ${e.stream}`, "stream-" + e.id,
      () => showStream(e.stream))),
    el("td", { class: "mono", "data-col": "type" }, e.type),
    el("td", {}, instant(e.recorded)),
    el("td", { class: "mono" }, e.orderId
      ? link(e.orderId, `Open order ${e.orderId}`, "order-" + e.id, () => openOrder(e.orderId))
      : "—"),
    el("td", { class: "mono" }, e.metadata.correlationId
      ? link(e.metadata.correlationId, `Show the events of correlation ${e.metadata.correlationId}`, "corr-" + e.id,
        () => showCorrelation(e.metadata.correlationId, e.position))
      : "—"),
    el("td", { class: "mono" }, causation(e)),
    el("td", {}, el("details", {}, el("summary", {}, "show"),
      el("pre", { class: "json" }, JSON.stringify({ data: e.data, metadata: e.metadata }, null, 2)))));
    if (e.id === mark) marked = row;
    return row;
  });
  if (rows.length === 0) rows.push(el("tr", {}, el("td", { colSpan: 8 }, "No events here.")));
  replaceRows($("events-table").tBodies[0], JSON.stringify([page, mark]), rows);
  let status = `${what()}: ${page.events.length} event${page.events.length === 1 ? "" : "s"}.`;
  if (mark) {
    status += marked
      ? " The causing event is marked."
      : ` No event near here has the id ${mark}: it names a command sent to the API.`;
  }
  $("events-what").textContent = status;
  cursorButton($("events-next"), page.next, "Next page");
  cursorButton($("events-previous"), page.previous, "Previous page");
  if (marked) marked.focus();
}

function cursorButton(button, cursor, label) {
  button.hidden = !cursor;
  button.textContent = label;
  button.onclick = cursor
    ? () => {
      view = { params: { ...view.params, direction: cursor.direction, from: cursor.from } };
      load().catch(() => {});
    }
    : null;
}

function link(text, label, focus, onclick) {
  return el("button", { type: "button", class: "link", "aria-label": label, "data-focus": focus, onclick }, text);
}

// causation links a causation id to what it names: the saga's stream for
// a saga step's command, else the event with that id among the events of
// the same correlation (a command sent to the API has none).
function causation(e) {
  const id = e.metadata.causationId;
  if (!id) return "—";
  const step = /^fulfillment\/([^/]+)\/(.+)$/.exec(id);
  if (step) {
    return link(id, `Show the saga stream of order ${step[1]}, whose step ${step[2]} sent this`, "cause-" + e.id,
      () => showStream("fulfillment-" + step[1]));
  }
  return link(id, `Find the event ${id} that caused this`, "cause-" + e.id,
    () => showCorrelation(e.metadata.correlationId, e.position, id));
}

/** wireStreams connects the form; open(orderId) shows an order. */
export function wireStreams(open) {
  openOrder = open;
  $("events-form").addEventListener("submit", (e) => {
    e.preventDefault();
    const stream = $("events-stream").value.trim();
    const direction = $("events-direction").value;
    view = { params: { stream, direction, count: countWanted() } };
    load().catch(() => {});
  });
}

/** resetStreams forgets the page shown (at sign-out). */
export function resetStreams() {
  view = null;
  page = null;
  $("events-table").tBodies[0].replaceChildren();
  $("events-table").tBodies[0].dataset.key = "";
}
