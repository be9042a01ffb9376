// Building the page from data: text only, never HTML, so nothing the
// server sends can run as markup.

/**
 * el creates an element with attributes (data-*, aria-*, class, or a
 * property such as disabled) and children (nodes or text).
 */
export function el(tag, attrs = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k === "class") e.className = v;
    else if (k === "onclick") e.addEventListener("click", v);
    else if (k in e && !k.includes("-")) e[k] = v;
    else e.setAttribute(k, v === true ? "" : String(v));
  }
  for (const c of children.flat()) {
    if (c === undefined || c === null || c === false) continue;
    e.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return e;
}

/** $ returns the element with the id. */
export function $(id) {
  return document.getElementById(id);
}

/**
 * replaceRows puts rows into tbody unless they are the same as last time
 * (same key), keeping the keyboard focus on the control with the same
 * data-focus key when they change.
 */
export function replaceRows(tbody, key, rows) {
  if (tbody.dataset.key === key) return;
  const active = document.activeElement;
  const focusKey = active && tbody.contains(active) ? active.dataset.focus : undefined;
  tbody.replaceChildren(...rows);
  tbody.dataset.key = key;
  if (focusKey) {
    const again = tbody.querySelector(`[data-focus="${CSS.escape(focusKey)}"]`);
    if (again) again.focus();
  }
}

/** showError shows err's message in the alert element, or hides it. */
export function showError(alert, err) {
  if (!err) {
    alert.hidden = true;
    alert.textContent = "";
    return;
  }
  alert.textContent = err.message;
  alert.hidden = false;
}

/** stamp says when a panel was last brought up to date. */
export function stamp(p) {
  p.textContent = "Updated " + new Date().toLocaleTimeString();
}

/** facts fills a definition list with [term, value] pairs. */
export function facts(dl, pairs) {
  dl.replaceChildren(...pairs.flatMap(([t, v]) => [el("dt", {}, t), el("dd", {}, v ?? "—")]));
}
