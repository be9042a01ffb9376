package sandbox

import (
	"maps"
	"net/http"
)

// Stats are the sandbox's counters since New, for tests to assert on and
// demos to show.
type Stats struct {
	// Requests counts API calls received (charges, lookups, refunds),
	// whatever became of them.
	Requests int64 `json:"requests"`
	// ChargeAttempts counts POST /v1/charges calls received, whatever
	// became of them: rejected, failed, replayed, declined or charged.
	ChargeAttempts int64 `json:"chargeAttempts"`
	// ChargesMade counts charges that took money.
	ChargesMade int64 `json:"chargesMade"`
	// ChargesByReference counts, per reference, the charges that took
	// money.
	ChargesByReference map[string]int64 `json:"chargesByReference"`
	// Declines counts charges declined.
	Declines int64 `json:"declines"`
	// Replays counts calls answered from an earlier call with the same
	// Idempotency-Key.
	Replays int64 `json:"replays"`
	// Lookups counts GET /v1/charges calls handled.
	Lookups int64 `json:"lookups"`
	// Refunds counts refunds made.
	Refunds int64 `json:"refunds"`
	// InFlight is the number of API calls being handled now.
	InFlight int64 `json:"inFlight"`
	// MaxInFlight is the most API calls ever handled at once.
	MaxInFlight int64 `json:"maxInFlight"`
	// RejectedByOutage counts calls refused by the outage control.
	RejectedByOutage int64 `json:"rejectedByOutage"`
	// RejectedByRateLimit counts calls refused by the rate limit.
	RejectedByRateLimit int64 `json:"rejectedByRateLimit"`
	// InjectedErrors counts calls failed by ErrorRate or FailNext.
	InjectedErrors int64 `json:"injectedErrors"`
	// RetryAfterHonoured counts calls that came back, with the same
	// Idempotency-Key, no earlier than the Retry-After they were given,
	// measured by the sandbox's clock.
	RetryAfterHonoured int64 `json:"retryAfterHonoured"`
	// RetryAfterViolations counts calls that came back earlier than that.
	RetryAfterViolations int64 `json:"retryAfterViolations"`
}

// Stats returns a copy of the counters.
func (s *Sandbox) Stats() Stats {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.stats
	st.ChargesByReference = maps.Clone(s.stats.ChargesByReference)
	return st
}

func (s *Sandbox) getStats(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, s.Stats())
}
