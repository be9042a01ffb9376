// Over time: the system's last hour as charts, drawn with uPlot (vendored
// in assets/vendor/uplot, loaded by the page as the global uPlot) from
// the admin endpoint /api/v1/admin/charts, kept live every few seconds.
// The first refresh reads the whole hour; each later one only the last
// minute (the read models' latest intervals fill in as the projections
// catch up), merged into what the page holds.

import { rest, Refused } from "./api.js";
import { $, el, showError, stamp } from "./dom.js";
import { count, seconds } from "./format.js";

/** How far back the charts reach, in seconds. */
const windowSeconds = 3600;
/** How much of the past each refresh reads again, in seconds. */
const rereadSeconds = 60;

// Colours with a contrast of at least 3:1 against white, told apart by
// more than hue where it matters (dashes).
const palette = ["#0b5cad", "#176b2c", "#a4161a", "#8a4b00", "#6b3fa0", "#00707a", "#4a5561", "#b3261e"];

/**
 * The charts, in page order: the series each draws ([name, label]), or
 * for lag every series whose name starts with "lag.". counts says the
 * series count per interval (their sum over the window is shown).
 */
const charts = [
  {
    id: "orders", title: "Orders per interval", counts: true,
    series: [["orders.placed", "placed"], ["orders.completed", "completed"], ["orders.cancelled", "cancelled"]],
  },
  {
    id: "saga-steps", title: "Saga steps parked and failed per interval", counts: true,
    series: [["saga.parked", "parked"], ["saga.failed", "failed"]],
  },
  { id: "lag", title: "Projection lag (seconds behind the log)", prefix: "lag.", format: seconds },
  {
    id: "payments", title: "Payment provider calls per interval, by outcome", counts: true,
    series: [["payment.answered", "answered"], ["payment.rejected_by_breaker", "refused: circuit open"],
      ["payment.rejected_by_bulkhead", "refused: bulkhead full"], ["payment.unavailable", "unavailable after retries"],
      ["payment.retries", "retries"]],
  },
  {
    id: "circuit", title: "Payment circuit breakers (processes by state)", stepped: true,
    series: [["circuit.closed", "closed"], ["circuit.half_open", "half-open"], ["circuit.open", "open"]],
  },
];

// What the page holds: the intervals' starts (Unix seconds) and every
// series' values, aligned with them.
let held = { step: 0, times: [], series: {} };
// The uPlot of each chart, by id, and the series it was made for.
const plots = new Map();

/** The Over time panel. */
export const chartsPanel = {
  interval: 5000,
  async refresh() {
    try {
      let path = "/api/v1/admin/charts";
      if (held.times.length > 0) {
        const since = held.times[held.times.length - 1] - rereadSeconds;
        path += "?since=" + encodeURIComponent(new Date(since * 1000).toISOString());
      }
      merge(await rest("GET", path));
      render();
      stamp($("charts-updated"));
      showError($("charts-error"), null);
    } catch (err) {
      if (!(err instanceof Refused)) showError($("charts-error"), err);
      throw err;
    }
  },
};

/** resetCharts forgets what the page holds (at sign-out). */
export function resetCharts() {
  held = { step: 0, times: [], series: {} };
  for (const { plot } of plots.values()) plot.destroy();
  plots.clear();
  $("charts").replaceChildren();
}

// merge puts a fresh chart over what the page holds: its intervals
// replace those from its first on, and only the last hour is kept.
function merge(fresh) {
  const times = fresh.times || [];
  const from = times.length > 0 ? times[0] : Infinity;
  let keep = held.times.findIndex((t) => t >= from);
  if (keep < 0) keep = held.times.length;
  const newest = times.length > 0 ? times[times.length - 1] : held.times[held.times.length - 1];
  const out = { step: fresh.step, times: held.times.slice(0, keep).concat(times), series: {} };
  const names = new Set([...Object.keys(held.series), ...Object.keys(fresh.series || {})]);
  for (const name of names) {
    const old = (held.series[name] || new Array(held.times.length).fill(null)).slice(0, keep);
    const now = (fresh.series || {})[name] || new Array(times.length).fill(null);
    out.series[name] = old.concat(now);
  }
  const drop = out.times.findIndex((t) => t > newest - windowSeconds);
  if (drop > 0) {
    out.times = out.times.slice(drop);
    for (const name of names) out.series[name] = out.series[name].slice(drop);
  }
  held = out;
}

// seriesOf returns the [name, label] pairs chart c draws.
function seriesOf(c) {
  if (!c.prefix) return c.series;
  return Object.keys(held.series).filter((n) => n.startsWith(c.prefix)).sort().map((n) => [n, n.slice(c.prefix.length)]);
}

function render() {
  const box = $("charts");
  for (const c of charts) {
    const pairs = seriesOf(c);
    const data = [held.times, ...pairs.map(([name]) => held.series[name])];
    let fig = document.getElementById("chart-" + c.id);
    if (!fig) {
      fig = el("figure", { id: "chart-" + c.id, class: "chart" },
        el("figcaption", {}, c.title),
        el("div", { class: "plot" }),
        el("p", { class: "chart-sum", "data-col": "sum", "aria-live": "off" }));
      box.append(fig);
    }
    const key = pairs.map(([n]) => n).join(" ");
    let entry = plots.get(c.id);
    if (!entry || entry.key !== key) {
      if (entry) entry.plot.destroy();
      entry = { key, zoomed: false };
      entry.plot = makePlot(fig.querySelector(".plot"), c, pairs, data, entry);
      plots.set(c.id, entry);
      fig.plot = entry.plot; // what the chart plots, for whoever inspects the page
    } else {
      // A chart zoomed into (dragged across) stays where it is until a
      // double-click zooms it out.
      entry.plot.setData(data, !entry.zoomed);
    }
    fig.querySelector("figcaption").textContent = c.counts ? `${c.title} (one point per ${held.step} s)` : c.title;
    fig.querySelector("[data-col=sum]").textContent = summary(c, pairs);
  }
}

// makePlot draws chart c's series in box; entry.zoomed follows the
// operator's zooming.
function makePlot(box, c, pairs, data, entry) {
  const uPlot = globalThis.uPlot;
  const stepped = c.stepped ? uPlot.paths.stepped({ align: 1 }) : undefined;
  const opts = {
    width: widthOf(box),
    height: 220,
    scales: { x: { time: true }, y: { range: (u, min, max) => [0, Math.max(1, max)] } },
    axes: [{}, { size: 56 }],
    legend: { live: true },
    hooks: {
      setSelect: [(u) => { if (u.select.width > 0) entry.zoomed = true; }],
      ready: [(u) => u.over.addEventListener("dblclick", () => { entry.zoomed = false; })],
    },
    series: [
      { label: "time" },
      ...pairs.map(([, label], i) => ({
        label,
        stroke: palette[i % palette.length],
        width: 2,
        dash: i % 2 === 1 ? [6, 3] : undefined,
        paths: stepped,
        points: { show: false },
        spanGaps: false,
      })),
    ],
  };
  return new uPlot(opts, data, box);
}

function widthOf(box) {
  return Math.max(320, Math.floor(box.getBoundingClientRect().width || box.parentElement.clientWidth || 640));
}

// summary words a chart's window: the sum of each count series, or the
// latest value of each state.
function summary(c, pairs) {
  if (pairs.length === 0) return "Nothing recorded in the last hour yet.";
  const parts = pairs.map(([name, label]) => {
    const values = held.series[name] || [];
    if (c.counts) return `${count(values.reduce((a, v) => a + (v ?? 0), 0))} ${label}`;
    const last = [...values].reverse().find((v) => v !== null && v !== undefined);
    return `${label} ${last === undefined ? "—" : (c.format || count)(last)}`;
  });
  return (c.counts ? "In the last hour: " : "Latest: ") + parts.join(" · ");
}

// Charts follow the page's width.
addEventListener("resize", () => {
  for (const [id, { plot }] of plots) {
    const fig = document.getElementById("chart-" + id);
    if (fig && fig.offsetParent !== null) plot.setSize({ width: widthOf(fig.querySelector(".plot")), height: 220 });
  }
});
