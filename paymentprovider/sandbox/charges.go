package sandbox

import (
	"net/http"
	"time"
)

// AmbiguousDelay is how long a charge holds its answer while
// Controls.TimeoutAfterCharge is on.
const AmbiguousDelay = time.Minute

// createCharge handles POST /v1/charges.
func (s *Sandbox) createCharge(w http.ResponseWriter, r *http.Request) {
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
	req, perr := decodeCharge(body)
	if perr != nil {
		writeProblem(w, perr)
		return
	}
	s.mu.Lock()
	c, replay, perr := s.chargeLocked(key, req)
	hold := s.controls.TimeoutAfterCharge
	s.mu.Unlock()
	if perr != nil {
		writeProblem(w, perr)
		return
	}
	if hold {
		s.logger.InfoContext(r.Context(), "sandbox holds a charge's answer", "charge", c.ID, "for", AmbiguousDelay.String())
		s.wait(r, AmbiguousDelay)
	}
	if replay {
		w.Header().Set("Idempotent-Replayed", "true")
	}
	if c.Status == ChargeDeclined {
		writeProblem(w, declined(c))
		return
	}
	writeJSON(w, http.StatusCreated, c)
}

// lookupCharge handles GET /v1/charges?idempotency_key=K.
func (s *Sandbox) lookupCharge(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	keys, ok := q["idempotency_key"]
	if !ok || len(keys) != 1 || len(q) != 1 || !validKey(keys[0]) {
		writeProblem(w, &apiError{status: http.StatusBadRequest, code: CodeIdempotencyKeyInvalid,
			detail: "look a charge up by its key: ?idempotency_key=K, one key of 1 to 255 printable ASCII characters"})
		return
	}
	s.mu.Lock()
	s.stats.Lookups++
	c, found := s.lookupLocked(keys[0])
	s.mu.Unlock()
	if !found {
		writeProblem(w, errChargeNotFound)
		return
	}
	writeJSON(w, http.StatusOK, c)
}
