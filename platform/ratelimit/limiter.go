// Package ratelimit limits how many units each client may spend a minute.
// A client is its authenticated subject when the request carries an
// auth.Principal, else its network address (forwarding headers are
// believed only from trusted proxies). Anonymous clients, counted by
// address, may have a budget of their own, lower than that of the
// authenticated (Config.AnonymousRequestsPerMinute). A request costs one
// unit at the middleware; a handler that learns a request is worth more
// (a GraphQL document, by what it may cost) charges the rest with Cost,
// before it does the work.
//
// The middleware goes after authentication, so that it sees the
// principal:
//
//	limiter, err := ratelimit.New(ratelimit.Config{RequestsPerMinute: 600})
//	...
//	r.Use(requestid.Middleware, verifier.Middleware, limiter.Middleware)
//
// Authentication charges a request whose token it refuses to the client's
// address with Refused (auth.Config.Refused), so that such requests, which
// never reach the middleware, count too.
//
// Counting uses github.com/go-chi/httprate's sliding-window counter in
// memory: each process counts on its own. Several processes share one
// limit through Config.Replicas: each then admits its share, the limit
// over the live processes (see Replicas for the bounds), at the cost of
// reading that share per charge, with no database round trip per request.
// Without Replicas, N processes allow up to N times the limit. A refusal answers 429 with Retry-After set to the
// window's length, 60 seconds: the sliding window frees units gradually,
// and by then the units spent before the refusal weigh less than they did.
package ratelimit

import (
	"context"
	"fmt"
	"net/http"
	"net/netip"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/go-chi/httprate"

	"github.com/orderflow/orderflow/platform/auth"
)

// DefaultRequestsPerMinute is the limit when Config leaves it zero.
const DefaultRequestsPerMinute = 600

// window is the length of the counting window.
const window = time.Minute

// Config says how much each client may do.
type Config struct {
	// RequestsPerMinute is the number of units (requests, or what Cost
	// charges) a client may spend in a sliding minute; zero means
	// DefaultRequestsPerMinute, a negative value is an error.
	RequestsPerMinute int
	// AnonymousRequestsPerMinute is the units a client without a
	// principal (counted by its address) may spend in a sliding minute;
	// zero means RequestsPerMinute, a negative value is an error.
	AnonymousRequestsPerMinute int
	// TrustedProxies are the networks of the reverse proxies in front of
	// the service. Only a request whose direct peer is in one of them has
	// its X-Forwarded-For (or, without it, X-Real-IP) believed; the client
	// is then the right-most address in X-Forwarded-For that is not itself
	// a trusted proxy. Empty: forwarding headers are ignored.
	TrustedProxies []netip.Prefix
	// Replicas, when set, makes the limits shared by the processes that
	// join it: this process admits its share of each limit. Nil: the
	// process has the whole limits to itself.
	Replicas *Replicas
}

// Limiter counts the units each client spends and refuses those past
// their limit. It is safe for concurrent use.
type Limiter struct {
	limit     int
	anonLimit int
	trusted   []netip.Prefix
	replicas  *Replicas
	counter   *httprate.RateLimiter
}

// New returns a Limiter for cfg, or an error when RequestsPerMinute is
// negative or a trusted proxy prefix is not valid.
func New(cfg Config) (*Limiter, error) {
	limit := cfg.RequestsPerMinute
	switch {
	case limit < 0:
		return nil, fmt.Errorf("rate limit config: negative RequestsPerMinute %d", limit)
	case limit == 0:
		limit = DefaultRequestsPerMinute
	}
	anonLimit := cfg.AnonymousRequestsPerMinute
	switch {
	case anonLimit < 0:
		return nil, fmt.Errorf("rate limit config: negative AnonymousRequestsPerMinute %d", anonLimit)
	case anonLimit == 0:
		anonLimit = limit
	}
	trusted := make([]netip.Prefix, 0, len(cfg.TrustedProxies))
	for _, p := range cfg.TrustedProxies {
		if !p.IsValid() {
			return nil, fmt.Errorf("rate limit config: trusted proxy prefix %q is not valid", p)
		}
		trusted = append(trusted, p.Masked())
	}
	counter := httprate.NewRateLimiter(limit, window,
		httprate.WithErrorHandler(func(http.ResponseWriter, *http.Request, error) {}),
	)
	return &Limiter{limit: limit, anonLimit: anonLimit, trusted: trusted, replicas: cfg.Replicas, counter: counter}, nil
}

// Middleware counts one unit against the request's client and answers
// 429 problem+json with Retry-After (whole seconds) when the client has
// no unit left (of AnonymousRequestsPerMinute when it has no principal);
// next then does not run. Every answer carries
// X-RateLimit-Limit, X-RateLimit-Remaining and X-RateLimit-Reset (Unix
// seconds). The client is the request's auth.Principal subject, so the
// middleware must run after the authentication middleware; requests
// without a principal are counted by network address. Downstream
// handlers may charge more units with Cost.
func (l *Limiter) Middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		key := l.key(r)
		header, ok := l.take(r.Context(), key, 1)
		copyHeader(w.Header(), header)
		if !ok {
			l.exceeded(header).WriteProblem(w)
			return
		}
		state := &charges{limiter: l, key: key, charged: 1}
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), chargesKey{}, state)))
	})
}

// key returns the counter key of the request's client: its subject when
// authenticated, else its address.
func (l *Limiter) key(r *http.Request) string {
	if p, ok := auth.FromContext(r.Context()); ok {
		return "sub:" + p.Subject
	}
	return addrKeyPrefix + l.clientAddr(r)
}

// take charges n units to key if the client has them, and returns the
// rate limit headers and whether it did. A key of an address (anonymous)
// has the anonymous budget. With Replicas, the budget is this process's
// share of it.
func (l *Limiter) take(ctx context.Context, key string, n int) (http.Header, bool) {
	sink := headerSink{}
	ctx = httprate.WithIncrement(ctx, n)
	limit := l.limit
	if l.anonymous(key) {
		limit = l.anonLimit
	}
	if l.replicas != nil {
		limit = l.replicas.limitOf(limit)
	}
	if limit != l.limit {
		ctx = httprate.WithRequestLimit(ctx, limit)
	}
	limited := l.counter.OnLimit(sink, new(http.Request).WithContext(ctx), key)
	return http.Header(sink), !limited
}

// anonymous reports whether key counts a client by its address.
func (l *Limiter) anonymous(key string) bool { return strings.HasPrefix(key, addrKeyPrefix) }

// addrKeyPrefix starts the key of a client counted by its address.
const addrKeyPrefix = "addr:"

// exceeded is the error of a refused charge with the headers take
// returned.
func (l *Limiter) exceeded(header http.Header) *ExceededError {
	limit, err := strconv.Atoi(header.Get("X-RateLimit-Limit"))
	if err != nil || limit <= 0 {
		limit = l.limit
	}
	retry, err := strconv.Atoi(header.Get("Retry-After"))
	if err != nil || retry <= 0 {
		retry = int(window / time.Second)
		header.Set("Retry-After", strconv.Itoa(retry))
	}
	return &ExceededError{Limit: limit, RetryAfter: time.Duration(retry) * time.Second, header: header}
}

// charges is what a request has been charged; Cost adds to it.
type charges struct {
	limiter *Limiter
	key     string
	mu      sync.Mutex
	charged int
}

type chargesKey struct{}

// headerSink is a ResponseWriter that keeps only the headers set on it:
// the counter reports its headers on a ResponseWriter.
type headerSink http.Header

func (h headerSink) Header() http.Header         { return http.Header(h) }
func (h headerSink) Write(b []byte) (int, error) { return len(b), nil }
func (h headerSink) WriteHeader(int)             {}

func copyHeader(dst, src http.Header) {
	for k, v := range src {
		dst[k] = v
	}
}

// Refused charges one unit to the network address of a request whose
// credentials were refused, as it would an anonymous request: a client
// cannot get past its limit by sending tokens that do not verify. When
// the address has no unit left it answers 429 problem+json with
// Retry-After and returns true; otherwise it sets the rate limit headers
// and returns false, for the caller to answer (401). It fits
// auth.Config.Refused.
func (l *Limiter) Refused(w http.ResponseWriter, r *http.Request) bool {
	header, ok := l.take(r.Context(), addrKeyPrefix+l.clientAddr(r), 1)
	copyHeader(w.Header(), header)
	if !ok {
		l.exceeded(header).WriteProblem(w)
		return true
	}
	return false
}
