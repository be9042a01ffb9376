package paymentprovider

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"net/http"
	"time"

	"github.com/failsafe-go/failsafe-go"
	"github.com/failsafe-go/failsafe-go/circuitbreaker"
	"github.com/failsafe-go/failsafe-go/failsafehttp"
	"github.com/failsafe-go/failsafe-go/retrypolicy"
)

// newRetryPolicy retries what retryable says, cfg.Retries times, with
// capped exponential backoff and jitter, or after the Retry-After the
// provider asked for. It returns the last failure, not an ExceededError.
func (c *Client) newRetryPolicy(cfg Config) retrypolicy.RetryPolicy[*http.Response] {
	jitter := cfg.RetryDelay / 2
	return retrypolicy.NewBuilder[*http.Response]().
		HandleIf(retryable).
		WithMaxRetries(cfg.Retries).
		WithBackoff(cfg.RetryDelay, cfg.MaxRetryDelay).
		WithJitter(jitter).
		WithDelayFunc(retryAfter(jitter)).
		ReturnLastFailure().
		OnRetryScheduled(func(e failsafe.ExecutionScheduledEvent[*http.Response]) {
			c.counters.retries.Add(1)
			c.logger.DebugContext(e.Context(), "payment provider call retried",
				"attempt", e.Attempts(), "delay", e.Delay.String(), "failure", describe(e.LastResult(), e.LastError()))
		}).
		Build()
}

// retryAfter returns the delay a 429 or 503 asks for with Retry-After,
// plus jitter so that the jitter the policy then adds or takes away never
// brings it below; -1 without one, for the backoff to apply.
func retryAfter(jitter time.Duration) failsafe.DelayFunc[*http.Response] {
	return func(exec failsafe.ExecutionAttempt[*http.Response]) time.Duration {
		d := failsafehttp.DelayFunc(exec)
		if d < 0 {
			return -1
		}
		return d + jitter
	}
}

// newBreaker opens after cfg.BreakerFailureThreshold consecutive failures
// as breakerFailure counts them, lets one trial through after
// cfg.BreakerDelay, and closes when it succeeds.
func (c *Client) newBreaker(cfg Config) circuitbreaker.CircuitBreaker[*http.Response] {
	return circuitbreaker.NewBuilder[*http.Response]().
		HandleIf(breakerFailure).
		WithFailureThreshold(uint(cfg.BreakerFailureThreshold)).
		WithDelay(cfg.BreakerDelay).
		OnOpen(func(e circuitbreaker.StateChangedEvent) {
			c.logger.WarnContext(e.Context(), "payment provider circuit opened", "for", cfg.BreakerDelay.String())
		}).
		OnHalfOpen(func(e circuitbreaker.StateChangedEvent) {
			c.logger.InfoContext(e.Context(), "payment provider circuit half-open: trying a call")
		}).
		OnClose(func(e circuitbreaker.StateChangedEvent) {
			c.logger.InfoContext(e.Context(), "payment provider circuit closed")
		}).
		Build()
}

// retryable reports whether an attempt's outcome may succeed if tried
// again: a timeout, a connection error, a 5xx other than 501, or a 429.
// A refusal by the circuit or the bulkhead, a cancelled call, a TLS
// failure and every other answer are final.
func retryable(resp *http.Response, err error) bool {
	if err != nil {
		var (
			unknownAuthority x509.UnknownAuthorityError
			invalidCert      x509.CertificateInvalidError
			hostname         x509.HostnameError
			tlsRecord        tls.RecordHeaderError
		)
		switch {
		case errors.Is(err, circuitbreaker.ErrOpen), errors.Is(err, ErrBulkheadFull),
			errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded),
			errors.Is(err, errMalformedAnswer), errors.Is(err, ErrInvalidRequest),
			errors.As(err, &unknownAuthority), errors.As(err, &invalidCert), errors.As(err, &hostname), errors.As(err, &tlsRecord):
			return false
		}
		return true
	}
	if resp == nil {
		return false
	}
	return resp.StatusCode == http.StatusTooManyRequests ||
		resp.StatusCode >= 500 && resp.StatusCode != http.StatusNotImplemented
}

// breakerFailure reports whether an attempt's outcome says the provider is
// failing: a timeout, a connection error or a 5xx. A 429 is the provider
// pacing us, not failing; a cancelled call says nothing about it.
func breakerFailure(resp *http.Response, err error) bool {
	if err != nil {
		return retryable(nil, err)
	}
	return resp != nil && resp.StatusCode >= 500
}

// ambiguous reports whether a charge attempt that failed so may still
// have charged: its request may have reached the provider, which may have
// acted on it without our hearing the answer. A 503 or a 429 says the
// request was not handled.
func ambiguous(resp *http.Response, err error) bool {
	if err != nil {
		return !errors.Is(err, circuitbreaker.ErrOpen) && !errors.Is(err, ErrBulkheadFull)
	}
	switch resp.StatusCode {
	case http.StatusInternalServerError, http.StatusBadGateway, http.StatusGatewayTimeout:
		return true
	}
	return false
}
