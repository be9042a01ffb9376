// The console's start: sign-in with a bearer token, the section tabs, and
// the poller that keeps the shown section up to date.

import { claims, forgetToken, keepToken, onRefused, Refused, rest, token } from "./api.js";
import { chartsPanel, resetCharts } from "./charts.js";
import { deadLettersPanel } from "./deadletters.js";
import { $, showError } from "./dom.js";
import { closeHistory, wireHistory } from "./history.js";
import { openOrder, ordersPanel, resetOrders, wireOrders } from "./orders.js";
import { Poller } from "./poller.js";
import { forgetRebuilds, projectionsPanel } from "./projections.js";
import { resiliencePanel } from "./resilience.js";
import { sagasPanel, wireSagas } from "./sagas.js";
import { resetStreams, streamsPanel, wireStreams } from "./streams.js";
import { tabs } from "./tabs.js";

const poller = new Poller({
  "panel-projections": projectionsPanel,
  "panel-sagas": sagasPanel,
  "panel-deadletters": deadLettersPanel,
  "panel-resilience": resiliencePanel,
  "panel-orders": ordersPanel,
  "panel-charts": chartsPanel,
  "panel-events": streamsPanel,
});

// signIn checks the token against an admin endpoint before it shows any
// data: a customer's token is refused there (403) and the page says so.
async function signIn(t) {
  keepToken(t);
  const who = claims(t);
  try {
    await rest("GET", "/api/v1/admin/projections/");
  } catch (err) {
    if (!(err instanceof Refused)) {
      // Not a refusal (onRefused has said those): the server is away.
      forgetToken();
      showError($("auth-error"), err);
    }
    return;
  }
  showError($("auth-error"), null);
  $("who").textContent = `Signed in as ${who.sub} (${who.role})`;
  $("login").hidden = true;
  $("session").hidden = false;
  $("console").hidden = false;
  poller.start();
}

function signOut(message) {
  poller.stop();
  forgetToken();
  forgetRebuilds();
  resetOrders();
  resetCharts();
  closeHistory();
  resetStreams();
  $("console").hidden = true;
  $("session").hidden = true;
  $("login").hidden = false;
  $("token").value = "";
  if (message) showError($("auth-error"), new Error(message));
}

onRefused((err) => {
  const who = claims(token());
  const role = who.role !== "?" ? ` The token is ${who.sub}'s, with the role ${who.role}.` : "";
  signOut(err.message + role);
  $("token").focus();
});

function start() {
  tabs($("tabs"), (id) => poller.show(id));
  wireSagas();
  wireOrders();
  wireHistory();
  wireStreams((id) => {
    $("tab-orders").click();
    openOrder(id);
  });
  $("login").addEventListener("submit", (e) => {
    e.preventDefault();
    const t = $("token").value.trim().replace(/^Bearer\s+/i, "");
    if (t) signIn(t);
  });
  $("sign-out").addEventListener("click", () => {
    signOut("");
    $("token").focus();
  });
  if (token()) signIn(token());
}

start();
