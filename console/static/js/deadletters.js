// Dead letters: the events each projection parked, with why, and their
// redrive, one or all of a projection's.

import { rest, Refused } from "./api.js";
import { $, el, replaceRows, showError, stamp } from "./dom.js";
import { count, time } from "./format.js";

const base = "/api/v1/admin/projections/";

/** The Dead letters panel. */
export const deadLettersPanel = {
  interval: 2000,
  async refresh() {
    try {
      const status = await rest("GET", base);
      // Only the projections that report parked events are asked for them.
      const parked = status.projections.filter((p) => p.deadLetters > 0).map((p) => p.name);
      const lists = await Promise.all(parked.map((name) => rest("GET", base + encodeURIComponent(name) + "/dead-letters")));
      render(parked, lists.flatMap((l) => l.deadLetters));
      stamp($("deadletters-updated"));
      showError($("deadletters-error"), null);
    } catch (err) {
      if (!(err instanceof Refused)) showError($("deadletters-error"), err);
      throw err;
    }
  },
};

function render(projections, letters) {
  const rows = letters.map((d) =>
    el(
      "tr",
      { "data-id": d.id, "data-projection": d.projection },
      el("td", { "data-col": "projection" }, d.projection),
      el("td", { class: "num", "data-col": "id" }, String(d.id)),
      el("td", { class: "mono", "data-col": "position" }, d.position),
      el("td", { class: "mono", "data-col": "type" }, d.type),
      el("td", { class: "mono", "data-col": "stream" }, `${d.stream} @ ${d.revision}`),
      el("td", { class: "mono", "data-col": "reason" }, d.reason),
      el("td", { class: "num", "data-col": "attempts" }, count(d.attempts)),
      el("td", { "data-col": "parked" }, time(d.parkedAt), d.retriedAt ? el("div", {}, "retried " + time(d.retriedAt)) : null),
      el("td", {}, el("button", {
        type: "button",
        "data-focus": `redrive-${d.projection}-${d.id}`,
        "data-action": "redrive",
        "aria-label": `Redrive dead letter ${d.id} of ${d.projection}`,
        onclick: () => redrive(d.projection, d.id),
      }, "Redrive")),
    ),
  );
  if (rows.length === 0) {
    rows.push(el("tr", {}, el("td", { colSpan: 9 }, "No parked events.")));
  }
  replaceRows($("deadletters-table").tBodies[0], JSON.stringify(letters), rows);

  const all = $("redrive-all");
  const key = JSON.stringify(projections);
  if (all.dataset.key !== key) {
    all.replaceChildren(...projections.map((name) =>
      el("button", { type: "button", "data-projection": name, onclick: () => redrive(name, 0) }, `Redrive all of ${name}`)));
    all.dataset.key = key;
  }
}

// redrive applies dead letter id of projection again (every one of its
// dead letters when id is 0) and says how it went.
async function redrive(projection, id) {
  const result = $("redrive-result");
  const what = id ? `dead letter ${id} of ${projection}` : `every dead letter of ${projection}`;
  result.textContent = `Redriving ${what}…`;
  try {
    const q = id ? `?id=${id}` : "";
    const res = await rest("POST", base + encodeURIComponent(projection) + "/redrive" + q);
    const failed = res.failed || [];
    const parts = [`Redrive of ${what}: ${res.applied} applied`];
    if (failed.length > 0) {
      parts.push(`${failed.length} failed again (` +
        failed.map((d) => `dead letter ${d.id}, attempt ${d.attempts}: ${d.reason}`).join("; ") + ")");
    }
    result.textContent = parts.join(", ") + ".";
    result.dataset.applied = String(res.applied);
    result.dataset.failed = String(failed.length);
  } catch (err) {
    result.textContent = `Redrive of ${what} failed: ${err.message}`;
  }
  deadLettersPanel.refresh().catch(() => {});
}
