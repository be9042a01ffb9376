// An order's past: the order and its saga after each event of their
// streams (Order.history, folded by the write side from the event store),
// stepped through one event at a time, with what the event changed marked.

import { gql, Refused } from "./api.js";
import { $, el, facts, showError } from "./dom.js";
import { instant, money, time, words } from "./format.js";

const historyQuery = `query ConsoleHistory($id: ID!) {
  order(id: $id) {
    history {
      truncated
      steps {
        position stream revision at
        event { id type data correlationId causationId }
        state {
          status revision lines { sku quantity unitPrice { amount currency } } total { amount currency }
          placedAt confirmedAt paidAt shippedAt deliveredAt cancelledAt cancelReason cancelledByCustomer
          chargeId paidAmount { amount currency } trackingNumber
        }
        saga {
          state step done lastRecord { step outcome detail } chargeAttempted chargeId attempts
          lastError reason retryAt paymentDeadline providerFailing revision
        }
      }
    }
  }
}`;

// The history shown, and the step on screen.
let shown = { id: "", steps: [], at: 0 };

/** openHistory loads the history of order id and shows its last step. */
export async function openHistory(id) {
  const section = $("history");
  section.hidden = false;
  $("history-title").textContent = `The past of order ${id}`;
  try {
    const data = await gql(historyQuery, { id });
    if (!data.order) {
      $("history-title").textContent = `Order ${id} was not found`;
      shown = { id, steps: [], at: 0 };
    } else {
      shown = { id, steps: data.order.history.steps, at: data.order.history.steps.length - 1 };
      if (data.order.history.truncated) {
        $("history-title").textContent += " (truncated: a stream holds more events than a history reads)";
      }
    }
    render();
    showError($("orders-error"), null);
  } catch (err) {
    if (!(err instanceof Refused)) showError($("orders-error"), err);
  }
}

/** closeHistory hides the history (at sign-out). */
export function closeHistory() {
  shown = { id: "", steps: [], at: 0 };
  $("history").hidden = true;
}

function go(i) {
  if (i < 0 || i >= shown.steps.length) return;
  shown.at = i;
  render();
}

function render() {
  const { steps, at } = shown;
  const step = steps[at];
  $("history-first").disabled = $("history-prev").disabled = at <= 0;
  $("history-next").disabled = $("history-last").disabled = at >= steps.length - 1;
  if (!step) {
    $("history-step").textContent = "No events.";
    $("history-event").replaceChildren();
    $("history-order").tBodies[0].replaceChildren();
    $("history-saga").tBodies[0].replaceChildren();
    $("history-data").textContent = "";
    return;
  }
  const status = step.state.status ? words(step.state.status) : "not placed";
  $("history-step").textContent = `Event ${at + 1} of ${steps.length}: ${step.event.type}; the order is ${status}`;
  $("history-step").dataset.status = step.state.status || "";
  $("history-step").dataset.type = step.event.type;
  facts($("history-event"), [
    ["Event", step.event.type],
    ["Stream", `${step.stream} @ ${step.revision}`],
    ["Position", step.position],
    ["Recorded", instant(step.at)],
    ["Correlation id", step.event.correlationId],
    ["Causation id", step.event.causationId],
  ]);
  const before = steps[at - 1];
  table($("history-order"), orderRows(step.state), before ? orderRows(before.state) : null);
  table($("history-saga"), sagaRows(step.saga), before ? sagaRows(before.saga) : null);
  let data = step.event.data;
  try {
    data = JSON.stringify(JSON.parse(data), null, 2);
  } catch {
    // shown as stored
  }
  $("history-data").textContent = data;
}

// table fills a two-column table with [name, value] rows, marking those
// whose value differs from before's (nothing is marked at the first step).
function table(t, rows, before) {
  const was = new Map(before || []);
  t.tBodies[0].replaceChildren(...rows.map(([name, value]) => {
    const changed = before !== null && was.get(name) !== value;
    return el("tr", { class: changed ? "changed" : undefined, "data-field": name },
      el("th", { scope: "row" }, name), el("td", {}, value));
  }));
}

function orderRows(s) {
  return [
    ["Status", s.status ? words(s.status) : "—"],
    ["Revision", s.revision],
    ["Lines", s.lines.map((l) => `${l.quantity} × ${l.sku} at ${money(l.unitPrice)}`).join("; ") || "—"],
    ["Total", money(s.total)],
    ["Placed", time(s.placedAt)],
    ["Confirmed", time(s.confirmedAt)],
    ["Paid", s.paidAt ? `${time(s.paidAt)}: ${money(s.paidAmount)}, charge ${s.chargeId || "—"}` : "—"],
    ["Shipped", s.shippedAt ? `${time(s.shippedAt)} ${s.trackingNumber || ""}`.trim() : "—"],
    ["Delivered", time(s.deliveredAt)],
    ["Cancelled", s.cancelledAt
      ? `${time(s.cancelledAt)} by ${s.cancelledByCustomer ? "the customer" : "the system"}: ${s.cancelReason || ""}`
      : "—"],
  ];
}

function sagaRows(s) {
  if (!s) return [["Saga", "not started"]];
  const last = s.lastRecord;
  return [
    ["Saga", words(s.state)],
    ["Next step", s.step],
    ["Last record", `${last.step}: ${last.outcome}${last.detail ? " (" + last.detail + ")" : ""}`],
    ["Steps done", s.done.join(", ") || "—"],
    ["Charge", s.chargeAttempted ? `attempted${s.chargeId ? ", " + s.chargeId : ""}` : "not attempted"],
    ["Attempts", String(s.attempts)],
    ["Last error", s.lastError || "—"],
    ["Compensating because", s.reason || "—"],
    ["Retry at", time(s.retryAt)],
    ["Payment deadline", time(s.paymentDeadline)],
    ["Provider failing", s.providerFailing ? "yes" : "no"],
    ["Revision", s.revision],
  ];
}

/** wireHistory connects the step buttons. */
export function wireHistory() {
  $("history-first").addEventListener("click", () => go(0));
  $("history-prev").addEventListener("click", () => go(shown.at - 1));
  $("history-next").addEventListener("click", () => go(shown.at + 1));
  $("history-last").addEventListener("click", () => go(shown.steps.length - 1));
}
