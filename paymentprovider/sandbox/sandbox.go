// Package sandbox is orderflow's sandbox payment provider: a real HTTP
// service in the style of a card processor's test mode. It takes charges
// and refunds under idempotency keys, keeps them in memory, and lets tests
// and demos inject latency, errors, declines, outages, rate limits and
// ambiguous timeouts (see Controls), then read what happened (see Stats).
//
// The API, all JSON, errors as application/problem+json whose "code"
// member names the problem:
//
//	POST /v1/charges                     {"amount","currency","reference"} + Idempotency-Key
//	GET  /v1/charges?idempotency_key=K   the charge made with key K, or 404
//	POST /v1/refunds                     {"charge"} + Idempotency-Key
//	GET  /v1/sandbox/controls            the fault controls
//	PUT  /v1/sandbox/controls            replace the fault controls
//	GET  /v1/sandbox/stats               counters tests assert on
//
// A charge answers 201 with the charge when it succeeds. A declined charge
// answers 402 with a problem whose code is "charge_declined", whose
// "declineCode" member says why and whose "charge" member is the declined
// charge's id; the decline is recorded, so its key replays the 402 and the
// lookup returns the charge with status "declined". Any amount whose minor
// units end in 02 (1002, 2502...) always declines with "card_declined".
//
// Idempotency: a request repeated with its Idempotency-Key gets the
// original answer (same status, same charge or refund, header
// Idempotent-Replayed: true) and changes nothing; a key reused with a
// different request is refused with 422 "idempotency_key_reused". Keys of
// charges and of refunds are separate.
package sandbox

import (
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"sync"
	"time"

	"github.com/go-chi/chi/v5"

	"github.com/orderflow/orderflow/platform/httpserver"
)

// Config is what New needs. Zero fields take defaults.
type Config struct {
	// Logger receives a line per fault injected; nil discards them.
	Logger *slog.Logger
	// Now is the sandbox's clock: timestamps, the rate limit and the
	// Retry-After bookkeeping read it. Nil means time.Now.
	Now func() time.Time
	// Seed seeds the random faults (error and decline rates) and the ids,
	// so a run with the same seed and the same requests in the same order
	// behaves the same.
	Seed int64
}

// Sandbox is the sandbox payment provider, an http.Handler. All its state
// is in memory. It is safe for concurrent use.
type Sandbox struct {
	logger *slog.Logger
	now    func() time.Time
	router chi.Router

	mu       sync.Mutex // guards everything below
	rand     *rand.Rand
	controls Controls
	bucket   tokenBucket
	ledger   ledger
	stats    Stats
	// notBefore holds, per request kind and idempotency key, when a client
	// told to come back with Retry-After may come back.
	notBefore map[string]time.Time

	done      chan struct{} // closed by Close
	closeOnce sync.Once
}

var _ http.Handler = (*Sandbox)(nil)

// New returns a sandbox with no faults switched on and no charges.
func New(cfg Config) *Sandbox {
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	seed := uint64(cfg.Seed)
	s := &Sandbox{
		logger:    cfg.Logger,
		now:       cfg.Now,
		rand:      rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)),
		ledger:    newLedger(),
		stats:     Stats{ChargesByReference: map[string]int64{}},
		notBefore: map[string]time.Time{},
		done:      make(chan struct{}),
	}
	s.router = s.routes()
	return s
}

// ServeHTTP answers one request of the API described in the package
// comment.
func (s *Sandbox) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.router.ServeHTTP(w, r)
}

// Close ends every wait in progress (added latency, responses held by
// TimeoutAfterCharge) at once, so a server can shut down gracefully; those
// requests are answered as if the wait had passed. Later requests are not
// delayed. Close is idempotent.
func (s *Sandbox) Close() {
	s.closeOnce.Do(func() { close(s.done) })
}

func (s *Sandbox) routes() chi.Router {
	r := chi.NewRouter()
	r.Use(httpserver.Recover(s.logger))
	r.NotFound(func(w http.ResponseWriter, _ *http.Request) {
		writeProblem(w, errNotFound)
	})
	r.MethodNotAllowed(func(w http.ResponseWriter, _ *http.Request) {
		writeProblem(w, errMethodNotAllowed)
	})
	r.With(s.faults(kindCharge)).Post("/v1/charges", s.createCharge)
	r.With(s.faults(kindLookup)).Get("/v1/charges", s.lookupCharge)
	r.With(s.faults(kindRefund)).Post("/v1/refunds", s.createRefund)
	r.Get("/v1/sandbox/controls", s.getControls)
	r.Put("/v1/sandbox/controls", s.putControls)
	r.Get("/v1/sandbox/stats", s.getStats)
	return r
}

// wait blocks for d, or until the request ends or the sandbox closes.
func (s *Sandbox) wait(r *http.Request, d time.Duration) {
	if d <= 0 {
		return
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
	case <-r.Context().Done():
	case <-s.done:
	}
}
