// Resilience: the payment provider client of every process that runs the
// saga, as it last reported: the circuit breaker's state, the bulkhead's
// use, counters and the recent failures, every second.

import { rest, Refused } from "./api.js";
import { $, el, replaceRows, showError, stamp } from "./dom.js";
import { count, time } from "./format.js";

const breakerClass = { closed: "ok", "half-open": "warn", open: "bad" };

/** The Resilience panel. */
export const resiliencePanel = {
  interval: 1000,
  async refresh() {
    try {
      const body = await rest("GET", "/api/v1/admin/payment-provider");
      render(body.clients || []);
      stamp($("resilience-updated"));
      showError($("resilience-error"), null);
    } catch (err) {
      if (!(err instanceof Refused)) showError($("resilience-error"), err);
      throw err;
    }
  },
};

function render(clients) {
  const box = $("clients");
  // Announce the circuits' states when they change, not every second.
  const key = JSON.stringify(clients.map((c) => [c.owner, c.state.breaker]));
  if (clients.length === 0) {
    if (box.dataset.key !== key) {
      box.replaceChildren(el("p", {}, "No process running the saga has reported in the last few seconds."));
      box.dataset.key = key;
    }
    return;
  }
  if (box.dataset.key !== key) {
    box.replaceChildren(...clients.map(card));
    box.dataset.key = key;
  }
  for (const c of clients) fill(box.querySelector(`[data-owner="${CSS.escape(c.owner)}"]`), c);
}

// card is the frame of one process's report; fill puts in the numbers.
function card(c) {
  const s = c.state;
  return el(
    "article",
    { class: "client", "data-owner": c.owner, "aria-labelledby": "client-" + c.owner },
    el("h3", { id: "client-" + c.owner }, "Process ", el("span", { class: "mono" }, c.owner)),
    el("p", {}, "Circuit breaker: ",
      el("span", { class: "badge " + (breakerClass[s.breaker] || ""), "data-col": "breaker" }, s.breaker)),
    el("p", { "aria-live": "off" }, "Bulkhead: ",
      el("meter", { min: 0, max: s.maxConcurrent, value: s.inFlight, "data-col": "bulkhead-meter", "aria-label": "Calls in flight" }),
      " ", el("span", { "data-col": "bulkhead" }, "")),
    el("dl", { class: "facts", "data-col": "counters", "aria-live": "off" }),
    el("h4", {}, "Recent failures, newest first"),
    el("table", { "data-col": "failures", "aria-live": "off" },
      el("thead", {}, el("tr", {}, el("th", { scope: "col" }, "At"), el("th", { scope: "col" }, "What happened"))),
      el("tbody")),
  );
}

function fill(article, c) {
  if (!article) return;
  const s = c.state;
  const meter = article.querySelector('[data-col="bulkhead-meter"]');
  meter.max = s.maxConcurrent;
  meter.value = s.inFlight;
  article.querySelector('[data-col="bulkhead"]').textContent =
    `${s.inFlight} of ${s.maxConcurrent} calls in flight (${Math.round((100 * s.inFlight) / Math.max(1, s.maxConcurrent))}% saturated), ${count(s.waiting || 0)} waiting their turn`;
  const counters = [
    ["Reported", time(c.reportedAt)],
    ["Calls", count(s.calls)],
    ["Attempts", count(s.attempts)],
    ["Retries", count(s.retries)],
    ["Refused by the open circuit", count(s.rejectedByBreaker)],
    ["Provider latency", s.latencyMs ? `${Math.round(s.latencyMs)} ms` : "not measured yet"],
    ["Refused by the full bulkhead (waited too long)", count(s.rejectedByBulkhead)],
    ["Out of retries", count(s.unavailable)],
  ];
  const dl = article.querySelector('[data-col="counters"]');
  dl.replaceChildren(...counters.flatMap(([t, v]) => [el("dt", {}, t), el("dd", {}, v)]));
  const failures = s.recentFailures || [];
  const rows = failures.map((f) => el("tr", {}, el("td", {}, time(f.at)), el("td", { class: "mono" }, f.detail)));
  if (rows.length === 0) rows.push(el("tr", {}, el("td", { colSpan: 2 }, "None.")));
  replaceRows(article.querySelector('[data-col="failures"]').tBodies[0], JSON.stringify(failures), rows);
}
