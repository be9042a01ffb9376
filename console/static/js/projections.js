// Projections: every read model's state, position, distance behind the
// head, lag and rate, every second; a zero-downtime rebuild started here
// is followed until its swap.

import { gql, rest, Refused } from "./api.js";
import { $, el, replaceRows, showError, stamp } from "./dom.js";
import { count, rate, seconds, words } from "./format.js";

const query = `query ConsoleProjections {
  projections {
    name consumer state position head behind behindAtLeast lag rate deadLetters generation version codeVersion owner lastError
    rebuild { generation done total rate startedAt updatedAt }
  }
}`;

const stateClass = { LIVE: "ok", CATCHING_UP: "warn", REBUILDING: "warn", FAILED: "bad", STOPPED: "bad" };

// Rebuilds started from this page, by projection: the generation live
// when it started, and its line in the log.
const watched = new Map();

/** latest is the last status seen, for the other panels. */
export let latest = [];

/** The Projections panel. */
export const projectionsPanel = {
  interval: 1000,
  async refresh() {
    try {
      const data = await gql(query);
      latest = data.projections || [];
      render(latest);
      follow(latest);
      stamp($("projections-updated"));
      showError($("projections-error"), null);
    } catch (err) {
      if (!(err instanceof Refused)) showError($("projections-error"), err);
      throw err;
    }
  },
};

function progress(r) {
  if (!r) return "—";
  const done = Number(r.done);
  const total = Number(r.total);
  const eta = r.rate > 0 && total > done ? seconds((total - done) / r.rate) : "—";
  const of = total > 0 ? ` of ${count(total)}` : "";
  return el(
    "span",
    { class: "rebuild", "data-col": "rebuild-progress" },
    total > 0 ? el("progress", { max: total, value: Math.min(done, total), "aria-label": "Rebuild progress" }) : null,
    ` ${count(done)}${of} events · ${rate(r.rate)} events/s · ETA ${eta}`,
  );
}

function render(list) {
  const rows = list.map((p) =>
    el(
      "tr",
      { "data-name": p.name },
      el("th", { scope: "row", "data-col": "name" }, p.name),
      el("td", { "data-col": "state" }, el("span", { class: "badge " + (stateClass[p.state] || "") }, words(p.state)),
        p.lastError ? el("div", { class: "mono" }, p.lastError) : null),
      el("td", { class: "num", "data-col": "generation" }, String(p.generation)),
      el("td", { class: "mono", "data-col": "position", title: `head ${p.head}` }, p.position),
      el("td", { class: "num", "data-col": "behind" }, count(p.behind) + (p.behindAtLeast ? "+" : "")),
      el("td", { class: "num", "data-col": "lag" }, seconds(p.lag)),
      el("td", { class: "num", "data-col": "rate" }, rate(p.rate)),
      el("td", { class: "num", "data-col": "dead-letters" }, count(p.deadLetters)),
      el("td", { "data-col": "rebuild" }, progress(p.rebuild)),
      el(
        "td",
        {},
        // A consumer (the saga intake) has no read model to rebuild.
        p.consumer
          ? el("span", { "data-col": "kind", title: "follows the log for its effects; not rebuildable" }, "consumer")
          : el("button", {
            type: "button",
            "data-focus": "rebuild-" + p.name,
            "data-action": "rebuild",
            "aria-label": `Rebuild ${p.name}`,
            disabled: Boolean(p.rebuild),
            onclick: () => startRebuild(p),
          }, "Rebuild"),
      ),
    ),
  );
  replaceRows($("projections-table").tBodies[0], JSON.stringify(list), rows);
}

async function startRebuild(p) {
  const line = el("li", { "data-projection": p.name }, `${p.name}: starting a rebuild (generation ${p.generation} is live)…`);
  $("rebuild-log").prepend(line);
  try {
    await rest("POST", `/api/v1/admin/projections/${encodeURIComponent(p.name)}/rebuild`);
    watched.set(p.name, { from: p.generation, line, started: Date.now() });
    line.textContent = `${p.name}: rebuild started; generation ${p.generation} keeps serving until the swap.`;
    line.dataset.phase = "started";
  } catch (err) {
    line.textContent = `${p.name}: the rebuild did not start: ${err.message}`;
    line.dataset.phase = "refused";
  }
  projectionsPanel.refresh().catch(() => {});
}

// follow updates the log line of each watched rebuild, and says when it
// swapped: the generation moved on and no rebuild runs.
function follow(list) {
  for (const p of list) {
    const w = watched.get(p.name);
    if (!w) continue;
    if (p.rebuild) {
      const r = p.rebuild;
      const pct = Number(r.total) > 0 ? ` (${Math.floor((100 * Number(r.done)) / Number(r.total))}%)` : "";
      w.line.textContent = `${p.name}: rebuilding generation ${r.generation}: ${count(r.done)} events replayed${pct} at ${rate(r.rate)} events/s.`;
      w.line.dataset.phase = "rebuilding";
      w.sawProgress = true;
    } else if (p.generation > w.from) {
      const took = seconds((Date.now() - w.started) / 1000);
      w.line.textContent = `${p.name}: swapped in generation ${p.generation} (was ${w.from}) after about ${took}.`;
      w.line.dataset.phase = "swapped";
      watched.delete(p.name);
    }
  }
}

/** forgetRebuilds drops what this page watched (at sign-out). */
export function forgetRebuilds() {
  watched.clear();
  $("rebuild-log").replaceChildren();
}
