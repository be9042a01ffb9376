package sandbox

import (
	"math"
	"net/http"
	"time"
)

// requestKind names an API call for the fault middleware.
type requestKind string

const (
	kindCharge requestKind = "charge"
	kindLookup requestKind = "lookup"
	kindRefund requestKind = "refund"
)

// maxNotBefore bounds the Retry-After bookkeeping: past it, it starts over.
const maxNotBefore = 10_000

// faults returns the middleware in front of every API call: it counts the
// call and its concurrency, checks that a client sent back with
// Retry-After waited, adds the latency, and injects the outage, the rate
// limit and the errors the controls ask for.
func (s *Sandbox) faults(kind requestKind) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			retryKey := retryKeyOf(kind, r)
			s.mu.Lock()
			s.stats.Requests++
			if kind == kindCharge {
				s.stats.ChargeAttempts++
			}
			s.stats.InFlight++
			s.stats.MaxInFlight = max(s.stats.MaxInFlight, s.stats.InFlight)
			s.checkRetryAfterLocked(retryKey)
			latency := time.Duration(s.controls.LatencyMs) * time.Millisecond
			s.mu.Unlock()
			defer func() {
				s.mu.Lock()
				s.stats.InFlight--
				s.mu.Unlock()
			}()

			s.wait(r, latency)
			s.mu.Lock()
			perr := s.injectLocked(retryKey)
			s.mu.Unlock()
			if perr != nil {
				s.logger.DebugContext(r.Context(), "sandbox injected a fault", "call", string(kind), "code", perr.code, "status", perr.status)
				writeProblem(w, perr)
				return
			}
			next.ServeHTTP(w, r)
		})
	}
}

// retryKeyOf identifies a call and its retries: its kind and idempotency
// key. It is empty for a call without a key.
func retryKeyOf(kind requestKind, r *http.Request) string {
	key := r.Header.Get("Idempotency-Key")
	if kind == kindLookup {
		key = r.URL.Query().Get("idempotency_key")
	}
	if key == "" {
		return ""
	}
	return string(kind) + " " + key
}

// checkRetryAfterLocked counts whether a call sent back with Retry-After
// came back in time.
func (s *Sandbox) checkRetryAfterLocked(retryKey string) {
	if retryKey == "" {
		return
	}
	notBefore, ok := s.notBefore[retryKey]
	if !ok {
		return
	}
	delete(s.notBefore, retryKey)
	if s.now().Before(notBefore) {
		s.stats.RetryAfterViolations++
	} else {
		s.stats.RetryAfterHonoured++
	}
}

// injectLocked returns the fault the controls inject into this call, if
// any.
func (s *Sandbox) injectLocked(retryKey string) *apiError {
	now := s.now()
	c := &s.controls
	switch {
	case c.Outage:
		s.stats.RejectedByOutage++
		return s.retryLaterLocked(retryKey, now, 1, &apiError{status: http.StatusServiceUnavailable, code: CodeOutage,
			detail: "the provider is down (sandbox outage control)"})
	case c.RateLimitPerSecond > 0:
		if ok, wait := s.bucket.take(now); !ok {
			s.stats.RejectedByRateLimit++
			secs := max(1, int(math.Ceil(wait.Seconds())))
			return s.retryLaterLocked(retryKey, now, secs, &apiError{status: http.StatusTooManyRequests, code: CodeRateLimited,
				detail: "too many requests (sandbox rate limit control)"})
		}
	}
	switch {
	case c.FailNext > 0:
		c.FailNext--
		s.stats.InjectedErrors++
		return &apiError{status: http.StatusInternalServerError, code: CodeInjectedError, detail: "injected failure (sandbox failNext control)"}
	case c.ErrorRate > 0 && s.rand.Float64() < c.ErrorRate:
		s.stats.InjectedErrors++
		status := http.StatusInternalServerError
		if s.rand.IntN(2) == 1 {
			status = http.StatusServiceUnavailable
		}
		return &apiError{status: status, code: CodeInjectedError, detail: "injected failure (sandbox errorRate control)"}
	}
	return nil
}

// retryLaterLocked sets e's Retry-After and remembers when the call may
// come back.
func (s *Sandbox) retryLaterLocked(retryKey string, now time.Time, secs int, e *apiError) *apiError {
	e.retryAfter = secs
	if retryKey != "" {
		if len(s.notBefore) >= maxNotBefore {
			clear(s.notBefore)
		}
		s.notBefore[retryKey] = now.Add(time.Duration(secs) * time.Second)
	}
	return e
}
