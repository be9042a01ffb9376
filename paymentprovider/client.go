// Package paymentprovider is the client the fulfillment saga charges and
// refunds through. It speaks the payment provider's HTTP API (the one
// paymentprovider/sandbox serves) and makes every call through these,
// outermost first (failsafe-go's retry policy and circuit breaker, then
// the client's own bulkhead and attempt timeout, which must see the whole
// HTTP exchange):
//
//   - a retry policy: up to Config.Retries retries of retryable failures
//     only (timeouts, connection errors, 5xx but 501, 429), with capped
//     exponential backoff and jitter, waiting at least the Retry-After a
//     429 or 503 asks for; a decline or any other 4xx is never retried;
//   - a circuit breaker: Config.BreakerFailureThreshold consecutive
//     failures (timeouts, connection errors, 5xx) open it; while it is open
//     calls fail at once with ErrCircuitOpen; after Config.BreakerDelay one
//     trial call may pass, and its success closes it again;
//   - a bulkhead (slots.go): at most Config.MaxConcurrent requests reach
//     the provider at once; a request beyond that waits its turn, first
//     come first served, for up to Config.MaxWait, and only then fails
//     with ErrBulkheadFull. A slot is held until the HTTP exchange has
//     ended, so the bound holds from the provider's side too;
//   - a timeout of Config.Timeout on each attempt's wait for its answer
//     (the wait for a slot is not part of it).
//
// # Sizing the bulkhead
//
// The concurrency a provider needs is its rate times its latency
// (Little's law): a provider that lets us make 100 charges/s and answers
// in 300 ms needs about 30 requests in flight. DefaultMaxConcurrent is 32,
// for that: a payment provider's rate limit is commonly around 100
// requests/s per account and its latency 200 to 500 ms. A smaller
// bulkhead caps the charges per second at MaxConcurrent / latency (8 at
// 200 ms: 40/s), however many orders wait; a larger one than the provider
// allows only turns its 429s into retries.
//
// Every charge and refund carries an idempotency key, which the provider
// uses to never charge or refund twice. After an ambiguous failure (a
// timeout, a dropped connection, a 500, 502 or 504: the provider may have
// charged) Charge looks the charge up by its key before it tries again.
package paymentprovider

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
	"time"

	"github.com/failsafe-go/failsafe-go"
	"github.com/failsafe-go/failsafe-go/circuitbreaker"
	"go.opentelemetry.io/otel/trace"
	"go.opentelemetry.io/otel/trace/noop"
)

// Defaults for the zero fields of Config.
const (
	DefaultTimeout                 = 2 * time.Second
	DefaultMaxConcurrent           = 32
	DefaultMaxWait                 = 10 * time.Second
	DefaultExchangeTimeout         = 30 * time.Second
	DefaultRetries                 = 4
	DefaultRetryDelay              = 100 * time.Millisecond
	DefaultMaxRetryDelay           = 2 * time.Second
	DefaultBreakerFailureThreshold = 5
	DefaultBreakerDelay            = 10 * time.Second
)

// Config says where the provider is and how hard to try. Zero fields take
// the defaults above.
type Config struct {
	// BaseURL is the provider's root, e.g. http://127.0.0.1:8081. Required.
	BaseURL string
	// Timeout bounds each attempt's wait for its answer, once its request
	// is under way.
	Timeout time.Duration
	// MaxConcurrent bounds the requests in flight to the provider (the
	// bulkhead): rate times latency, see the package comment.
	MaxConcurrent int
	// MaxWait bounds how long a request waits for a slot of the bulkhead
	// before it fails with ErrBulkheadFull; negative means not at all.
	MaxWait time.Duration
	// ExchangeTimeout bounds an HTTP exchange that its attempt gave up on
	// (Timeout) and that holds its slot meanwhile; it is cut off then. It
	// is at least Timeout.
	ExchangeTimeout time.Duration
	// Retries is how many times a retryable failure is tried again;
	// negative means never.
	Retries int
	// RetryDelay is the backoff before the first retry; it doubles for each
	// further retry up to MaxRetryDelay, give or take RetryDelay/2 of
	// jitter. A Retry-After from the provider takes its place when given.
	RetryDelay time.Duration
	// MaxRetryDelay caps the backoff.
	MaxRetryDelay time.Duration
	// BreakerFailureThreshold is how many consecutive failures open the
	// circuit.
	BreakerFailureThreshold int
	// BreakerDelay is how long the circuit stays open before a trial call.
	BreakerDelay time.Duration
	// Logger receives circuit changes (warn, info) and retries (debug); nil
	// discards them.
	Logger *slog.Logger
	// TracerProvider makes a client span of every request to the provider,
	// whose trace context the request carries; nil makes none.
	TracerProvider trace.TracerProvider
}

// Client calls the payment provider. Create it with New. It is safe for
// concurrent use; its circuit breaker and bulkhead are shared by all
// calls.
type Client struct {
	base     string
	http     *http.Client
	logger   *slog.Logger
	breaker  circuitbreaker.CircuitBreaker[*http.Response]
	executor failsafe.Executor[*http.Response]
	slots    *slots
	latency  latency
	counters counters
	failures failures
	capacity int
	timeout  time.Duration
	// exchangeTimeout bounds an exchange (see Config.ExchangeTimeout).
	exchangeTimeout time.Duration
	tracer          trace.Tracer
}

// counters back State.
type counters struct {
	inFlight           atomic.Int64
	calls              atomic.Uint64
	answered           atomic.Uint64
	attempts           atomic.Uint64
	retries            atomic.Uint64
	rejectedByBreaker  atomic.Uint64
	rejectedByBulkhead atomic.Uint64
	unavailable        atomic.Uint64
}

// New returns a client of the provider at cfg.BaseURL. It returns an error
// when the URL is not an absolute http or https URL or a field is
// negative where that means nothing.
func New(cfg Config) (*Client, error) {
	u, err := url.Parse(cfg.BaseURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
		return nil, fmt.Errorf("payment provider URL %q: want an absolute http or https URL with no query", cfg.BaseURL)
	}
	if cfg.Timeout < 0 || cfg.MaxConcurrent < 0 || cfg.RetryDelay < 0 || cfg.MaxRetryDelay < 0 ||
		cfg.BreakerFailureThreshold < 0 || cfg.BreakerDelay < 0 || cfg.ExchangeTimeout < 0 {
		return nil, errors.New("payment provider client: negative timeout, concurrency, delay or threshold")
	}
	cfg = withDefaults(cfg)
	transport := http.DefaultTransport.(*http.Transport).Clone()
	transport.MaxIdleConnsPerHost = cfg.MaxConcurrent
	c := &Client{
		base: strings.TrimSuffix(u.String(), "/"),
		http: &http.Client{
			Transport: transport,
			CheckRedirect: func(*http.Request, []*http.Request) error {
				return http.ErrUseLastResponse
			},
		},
		logger:          cfg.Logger,
		slots:           newSlots(cfg.MaxConcurrent, cfg.MaxWait),
		capacity:        cfg.MaxConcurrent,
		timeout:         cfg.Timeout,
		exchangeTimeout: cfg.ExchangeTimeout,
		tracer:          tracerOf(cfg.TracerProvider),
	}
	c.breaker = c.newBreaker(cfg)
	c.executor = failsafe.With(c.newRetryPolicy(cfg), c.breaker)
	return c, nil
}

// tracerOf returns the client's tracer from tp, a no-op one when tp is nil.
func tracerOf(tp trace.TracerProvider) trace.Tracer {
	if tp == nil {
		tp = noop.NewTracerProvider()
	}
	return tp.Tracer("github.com/orderflow/orderflow/paymentprovider")
}

func withDefaults(cfg Config) Config {
	if cfg.Timeout == 0 {
		cfg.Timeout = DefaultTimeout
	}
	if cfg.MaxConcurrent == 0 {
		cfg.MaxConcurrent = DefaultMaxConcurrent
	}
	if cfg.MaxWait == 0 {
		cfg.MaxWait = DefaultMaxWait
	}
	if cfg.ExchangeTimeout == 0 {
		cfg.ExchangeTimeout = DefaultExchangeTimeout
	}
	cfg.ExchangeTimeout = max(cfg.ExchangeTimeout, cfg.Timeout)
	switch {
	case cfg.Retries == 0:
		cfg.Retries = DefaultRetries
	case cfg.Retries < 0:
		cfg.Retries = 0
	}
	if cfg.RetryDelay == 0 {
		cfg.RetryDelay = DefaultRetryDelay
	}
	if cfg.MaxRetryDelay == 0 {
		cfg.MaxRetryDelay = DefaultMaxRetryDelay
	}
	cfg.MaxRetryDelay = max(cfg.MaxRetryDelay, cfg.RetryDelay)
	if cfg.BreakerFailureThreshold == 0 {
		cfg.BreakerFailureThreshold = DefaultBreakerFailureThreshold
	}
	if cfg.BreakerDelay == 0 {
		cfg.BreakerDelay = DefaultBreakerDelay
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	return cfg
}
