package api

import (
	"context"
	"log/slog"
	"math"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/orderflow/orderflow/platform/problem"
	"github.com/orderflow/orderflow/platform/requestid"
)

// Load shedding defaults.
const (
	// DefaultShedInterval is how often a Shedder reads the load.
	DefaultShedInterval = 500 * time.Millisecond
	// shedReportMaxAge is how old a payment client's report may be and
	// still count: a few missed reports (every 2 s) of a live process.
	shedReportMaxAge = 10 * time.Second
	// shedHeadroom is the share of the payment window the queue of
	// charges ahead of a new order may take: the rest is for the steps
	// around the charge and for the provider's bad moments.
	shedHeadroom = 0.5
)

// loadSQL reads the load in one statement: the fulfillment sagas running
// (started and not ended: their charge is still to come, or not long
// past), and the charges per second the live saga processes can make,
// each its bulkhead over the provider's latency it observed, as the
// payment client reports them (paymentprovider/report).
const loadSQL = `SELECT
	(SELECT count(*) FROM sagas.active WHERE saga = 'fulfillment'),
	coalesce((SELECT sum((state->>'maxConcurrent')::float8 / ((state->>'latencyMs')::float8 / 1000))
		FROM sagas.payment_client_state
		WHERE reported_at > now() - make_interval(secs => $1) AND (state->>'latencyMs')::float8 > 0), 0)`

// errOverloaded is the refusal of an order the shedder sheds; the answer
// carries its Retry-After and a detail that says when.
var errOverloaded = &apiError{status: http.StatusServiceUnavailable, code: "overloaded",
	detail: "more orders are in flight than can be paid for in time; try again after Retry-After seconds with the same Idempotency-Key"}

// ShedConfig configures a Shedder.
type ShedConfig struct {
	// Pool is the database of the sagas schema.
	Pool *pgxpool.Pool
	// PaymentWindow is how long an order's payment may take (the saga's
	// payment timeout).
	PaymentWindow time.Duration
	// Capacity, when positive, is the most orders in flight, in place of
	// the one derived from the payment clients' reports.
	Capacity int
	// Interval is how often the load is read; default DefaultShedInterval.
	Interval time.Duration
	// Logger receives one WARN line per refused order; nil discards them.
	Logger *slog.Logger
	// OnShed, when set, is called for every refused order (a metric).
	OnShed func()
}

// Shedder refuses new orders at the door when more orders are in flight
// than can be paid for within their payment window: POST /api/v1/orders
// is answered 503, problem code "overloaded", with a Retry-After of when
// the queue should have drained enough, instead of accepting an order the
// system cannot serve in time.
//
// Capacity is charges per second times the time a new order's charge may
// wait: the sum over the live saga processes of their bulkhead over the
// provider latency they observe (Little's law), times half the payment
// window; in flight are the sagas running. Both come from PostgreSQL, so
// the API and the sagas may run in different processes; Run reads them
// every Interval, in one query, never per request. Orders admitted since
// the last reading count as in flight too. Before any saga process has
// reported a latency, or when the load cannot be read, nothing is refused.
// A Shedder is safe for concurrent use.
type Shedder struct {
	cfg      ShedConfig
	mu       sync.Mutex
	inFlight int64   // sagas running at the last reading
	rate     float64 // charges per second, 0 when unknown
	admitted atomic.Int64
}

// NewShedder returns a shedder of cfg; Run keeps it informed.
func NewShedder(cfg ShedConfig) *Shedder {
	if cfg.Interval <= 0 {
		cfg.Interval = DefaultShedInterval
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	return &Shedder{cfg: cfg}
}

// Run reads the load every Interval until ctx ends. A failed reading is
// logged and the previous one kept.
func (s *Shedder) Run(ctx context.Context) error {
	t := time.NewTicker(s.cfg.Interval)
	defer t.Stop()
	for {
		if err := s.refresh(ctx); err != nil && ctx.Err() == nil {
			s.cfg.Logger.WarnContext(ctx, "load shedder: read the load", "err", err)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-t.C:
		}
	}
}

func (s *Shedder) refresh(ctx context.Context) error {
	var (
		n    int64
		rate float64
	)
	if err := s.cfg.Pool.QueryRow(ctx, loadSQL, shedReportMaxAge.Seconds()).Scan(&n, &rate); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.inFlight, s.rate = n, rate
	s.admitted.Store(0)
	return nil
}

// Load is a Shedder's view of the load.
type Load struct {
	// InFlight is the orders in flight: sagas running at the last reading
	// and orders admitted since.
	InFlight int64
	// Capacity is the most orders in flight admitted; 0 means no limit
	// (not known yet).
	Capacity int64
	// ChargesPerSecond is what the saga processes can charge, 0 when not
	// known yet.
	ChargesPerSecond float64
}

// Load returns the shedder's view of the load now.
func (s *Shedder) Load() Load {
	s.mu.Lock()
	defer s.mu.Unlock()
	return Load{
		InFlight:         s.inFlight + s.admitted.Load(),
		Capacity:         capacity(s.cfg.Capacity, s.rate, s.cfg.PaymentWindow),
		ChargesPerSecond: s.rate,
	}
}

// capacity is the forced capacity when positive, else what rate charges
// per second get through in the part of window a queue may take; 0 when
// the rate is not known.
func capacity(forced int, rate float64, window time.Duration) int64 {
	if forced > 0 {
		return int64(forced)
	}
	if rate <= 0 || window <= 0 {
		return 0
	}
	return max(1, int64(rate*window.Seconds()*shedHeadroom))
}

// retryAfter is how many whole seconds, at least 1, it should take l's
// excess orders to drain.
func retryAfter(l Load) int {
	if l.ChargesPerSecond <= 0 {
		return 1
	}
	excess := float64(l.InFlight - l.Capacity + 1)
	return max(1, int(math.Ceil(excess/l.ChargesPerSecond)))
}

// admit reports whether a new order may come in, counting it in flight
// if so, and returns the load it judged by.
func (s *Shedder) admit() (Load, bool) {
	l := s.Load()
	if l.Capacity > 0 && l.InFlight >= l.Capacity {
		return l, false
	}
	s.admitted.Add(1)
	return l, true
}

// Middleware answers 503 overloaded for the requests the shedder refuses
// and passes the others on. A nil Shedder refuses nothing.
func (s *Shedder) Middleware(next http.Handler) http.Handler {
	if s == nil {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		l, ok := s.admit()
		if ok {
			next.ServeHTTP(w, r)
			return
		}
		after := retryAfter(l)
		correlation, _ := requestid.FromContext(r.Context())
		s.cfg.Logger.WarnContext(r.Context(), "order refused: more orders in flight than can be paid for in time",
			"correlation_id", correlation, "idempotency_key", r.Header.Get("Idempotency-Key"),
			"reason", "overloaded", "in_flight", l.InFlight, "capacity", l.Capacity, "retry_after_s", after)
		if s.cfg.OnShed != nil {
			s.cfg.OnShed()
		}
		w.Header().Set("Retry-After", strconv.Itoa(after))
		p := details(errOverloaded.status, errOverloaded.code,
			"more orders are in flight than can be paid for in time; try again after "+strconv.Itoa(after)+" s with the same Idempotency-Key")
		p.Instance = r.URL.Path
		p.Extensions["retryAfter"] = after
		problem.Write(w, p)
	})
}
