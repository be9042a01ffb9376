package command

// SetWindow sets how many keyed event ids h remembers per stream.
func SetWindow(h *Handler, n int) { h.window = n }

// Queued returns how many commands wait in the queue of stream's writer
// (not counting the batch it is running).
func Queued(h *Handler, stream string) int {
	h.mu.Lock()
	defer h.mu.Unlock()
	w, ok := h.writers[stream]
	if !ok {
		return 0
	}
	type queuer interface{ queued() int }
	return w.(queuer).queued()
}

// queued returns how many commands wait in the queue; call it with h.mu
// held.
func (w *writer[S]) queued() int { return len(w.queue) }
