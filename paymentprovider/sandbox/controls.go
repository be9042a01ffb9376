package sandbox

import (
	"encoding/json"
	"fmt"
	"net/http"
)

// Limits of the controls.
const (
	// MaxLatencyMs is the largest added latency.
	MaxLatencyMs = 60_000
	// MaxFailNext is the largest FailNext.
	MaxFailNext = 1_000
	// MaxRateLimitPerSecond is the largest rate limit.
	MaxRateLimitPerSecond = 1_000_000
)

// Controls are the faults the sandbox injects into its API (charges,
// lookups and refunds; never into /v1/sandbox/*). The zero value injects
// none. PUT /v1/sandbox/controls replaces them all at once, fields left out
// becoming zero.
type Controls struct {
	// LatencyMs is added to every API call before it is handled.
	LatencyMs int `json:"latencyMs"`
	// ErrorRate is the probability, 0 to 1, that a call fails with a random
	// 500 or 503 before it is handled (nothing is charged or refunded).
	ErrorRate float64 `json:"errorRate"`
	// DeclineRate is the probability, 0 to 1, that a new charge is declined
	// with "insufficient_funds". Amounts ending in 02 decline regardless.
	DeclineRate float64 `json:"declineRate"`
	// Outage makes every call fail with 503 and Retry-After: 1.
	Outage bool `json:"outage"`
	// RateLimitPerSecond, when positive, admits that many calls a second
	// (a token bucket holding one second's worth) and answers the others
	// with 429 and Retry-After.
	RateLimitPerSecond int `json:"rateLimitPerSecond"`
	// TimeoutAfterCharge makes charge calls take effect and then hold their
	// answer for AmbiguousDelay, far beyond any sane client timeout: the
	// client cannot tell whether it was charged.
	TimeoutAfterCharge bool `json:"timeoutAfterCharge"`
	// FailNext makes the next FailNext calls fail with 500 before they are
	// handled; it counts down as they do. It makes "fails, then succeeds"
	// deterministic where ErrorRate is random.
	FailNext int `json:"failNext"`
}

// validate checks that c is within the limits.
func (c Controls) validate() *apiError {
	switch {
	case c.LatencyMs < 0 || c.LatencyMs > MaxLatencyMs:
		return invalidField("latencyMs", fmt.Sprintf("latencyMs must be 0 to %d", MaxLatencyMs))
	case !(c.ErrorRate >= 0 && c.ErrorRate <= 1):
		return invalidField("errorRate", "errorRate must be 0 to 1")
	case !(c.DeclineRate >= 0 && c.DeclineRate <= 1):
		return invalidField("declineRate", "declineRate must be 0 to 1")
	case c.RateLimitPerSecond < 0 || c.RateLimitPerSecond > MaxRateLimitPerSecond:
		return invalidField("rateLimitPerSecond", fmt.Sprintf("rateLimitPerSecond must be 0 (no limit) to %d", MaxRateLimitPerSecond))
	case c.FailNext < 0 || c.FailNext > MaxFailNext:
		return invalidField("failNext", fmt.Sprintf("failNext must be 0 to %d", MaxFailNext))
	}
	return nil
}

// SetControls replaces the controls, as PUT /v1/sandbox/controls does. It
// returns an error, and changes nothing, when a control is out of range.
func (s *Sandbox) SetControls(c Controls) error {
	if err := c.validate(); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.setControlsLocked(c)
	return nil
}

// Controls returns the controls in force.
func (s *Sandbox) Controls() Controls {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.controls
}

func (s *Sandbox) setControlsLocked(c Controls) {
	if c.RateLimitPerSecond != s.controls.RateLimitPerSecond {
		s.bucket = newTokenBucket(c.RateLimitPerSecond, s.now())
	}
	s.controls = c
}

func (s *Sandbox) getControls(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, s.Controls())
}

func (s *Sandbox) putControls(w http.ResponseWriter, r *http.Request) {
	body, perr := readBody(r)
	if perr != nil {
		writeProblem(w, perr)
		return
	}
	c, perr := decodeControls(body)
	if perr != nil {
		writeProblem(w, perr)
		return
	}
	s.mu.Lock()
	s.setControlsLocked(c)
	s.mu.Unlock()
	s.logger.InfoContext(r.Context(), "sandbox controls set", "controls", c)
	writeJSON(w, http.StatusOK, c)
}

// decodeControls decodes and checks a controls document.
func decodeControls(body []byte) (Controls, *apiError) {
	var c Controls
	if err := decodeStrict(body, &c); err != nil {
		return Controls{}, err
	}
	if err := c.validate(); err != nil {
		return Controls{}, err
	}
	return c, nil
}

// writeJSON answers with v as JSON.
func writeJSON(w http.ResponseWriter, status int, v any) {
	body, err := json.Marshal(v)
	if err != nil {
		writeProblem(w, &apiError{status: http.StatusInternalServerError, code: CodeInternal, detail: "the answer could not be encoded"})
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(append(body, '\n'))
}
