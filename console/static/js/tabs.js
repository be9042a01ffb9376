// The section tabs, as the WAI-ARIA tabs pattern has them: Tab reaches the
// selected tab, the arrow keys (and Home, End) move between tabs and
// select them, Tab again goes into the panel.

/**
 * tabs wires the tablist; onSelect(panelId) runs whenever a tab is
 * selected (and once for the tab selected at first).
 */
export function tabs(tablist, onSelect) {
  const all = Array.from(tablist.querySelectorAll('[role="tab"]'));

  function select(tab, focus) {
    for (const t of all) {
      const on = t === tab;
      t.setAttribute("aria-selected", String(on));
      t.tabIndex = on ? 0 : -1;
      document.getElementById(t.getAttribute("aria-controls")).hidden = !on;
    }
    if (focus) tab.focus();
    onSelect(tab.getAttribute("aria-controls"));
  }

  for (const t of all) {
    t.addEventListener("click", () => select(t, true));
  }
  tablist.addEventListener("keydown", (e) => {
    const i = all.indexOf(document.activeElement);
    if (i < 0) return;
    let next;
    switch (e.key) {
      case "ArrowRight":
        next = all[(i + 1) % all.length];
        break;
      case "ArrowLeft":
        next = all[(i - 1 + all.length) % all.length];
        break;
      case "Home":
        next = all[0];
        break;
      case "End":
        next = all[all.length - 1];
        break;
      default:
        return;
    }
    e.preventDefault();
    select(next, true);
  });
  select(all.find((t) => t.getAttribute("aria-selected") === "true") || all[0], false);
}
