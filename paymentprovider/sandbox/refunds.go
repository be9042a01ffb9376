package sandbox

import "net/http"

// createRefund handles POST /v1/refunds.
func (s *Sandbox) createRefund(w http.ResponseWriter, r *http.Request) {
	key, perr := idempotencyKey(r)
	if perr != nil {
		writeProblem(w, perr)
		return
	}
	body, perr := readBody(r)
	if perr != nil {
		writeProblem(w, perr)
		return
	}
	req, perr := decodeRefund(body)
	if perr != nil {
		writeProblem(w, perr)
		return
	}
	s.mu.Lock()
	rf, replay, perr := s.refundLocked(key, req)
	s.mu.Unlock()
	if perr != nil {
		writeProblem(w, perr)
		return
	}
	if replay {
		w.Header().Set("Idempotent-Replayed", "true")
	}
	writeJSON(w, http.StatusCreated, rf)
}
