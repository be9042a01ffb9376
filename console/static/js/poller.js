// Keeps the visible panel up to date: its refresh runs at once when it is
// shown, then every interval while it stays shown and the operator is
// signed in. A refresh never overlaps the one before.

/**
 * Poller runs the refresh of the panel shown. Panels are
 * {refresh(): Promise, interval: ms}.
 */
export class Poller {
  constructor(panels) {
    this.panels = panels;
    this.current = null;
    this.timer = 0;
    this.running = false;
    this.generation = 0;
  }

  /** show makes the panel with id the one kept up to date. */
  show(id) {
    this.current = this.panels[id] || null;
    this.kick();
  }

  /** start begins polling (after sign-in). */
  start() {
    this.running = true;
    this.kick();
  }

  /** stop ends polling (at sign-out). */
  stop() {
    this.running = false;
    clearTimeout(this.timer);
    this.generation++;
  }

  /** kick refreshes the current panel now and schedules the next. */
  kick() {
    clearTimeout(this.timer);
    const gen = ++this.generation;
    if (!this.running || !this.current) return;
    const panel = this.current;
    Promise.resolve()
      .then(() => panel.refresh())
      .catch(() => {}) // panels show their own errors
      .finally(() => {
        if (gen === this.generation && this.running) {
          this.timer = setTimeout(() => this.kick(), panel.interval);
        }
      });
  }
}
