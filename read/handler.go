package read

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	graphql "github.com/graph-gophers/graphql-go"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/orderflow/orderflow/platform/auth"
	"github.com/orderflow/orderflow/platform/ratelimit"
	"github.com/orderflow/orderflow/projections"
	"github.com/orderflow/orderflow/schema"
)

// DefaultMaxWait is how long a request waits for the projections to reach
// its X-Min-Position when Config.MaxWait is zero.
const DefaultMaxWait = 2 * time.Second

// Config is what a Handler needs.
type Config struct {
	// Pool is the database of the read models (the views of schema
	// readmodel and projections.checkpoints). Required.
	Pool *pgxpool.Pool
	// Status reports on the projections, for the projections query
	// (projections.Manager.Status). Nil answers that query with an empty
	// list.
	Status func(ctx context.Context) ([]projections.Status, error)
	// MaxWait bounds how long one request waits for the projections to
	// reach its X-Min-Position; zero means DefaultMaxWait.
	MaxWait time.Duration
	// Introspection allows __schema and __type queries. Off by default.
	Introspection bool
	// Logger receives unexpected errors and recovered panics; nil discards
	// them.
	Logger *slog.Logger
	// Limits bound what one request may ask; zero fields take the
	// defaults of DefaultLimits.
	Limits Limits
	// Observer is told of every refusal; nil tells no one.
	Observer Observer
	// Events is the event store an order's history is folded from
	// (Order.history); nil answers that field with an internal error.
	Events StreamReader
}

// Observer is told what the handler refused, for metrics. Its methods
// must be safe for concurrent use.
type Observer interface {
	// Refused is called with the code of each document refused before it
	// ran (MAX_FIELDS_EXCEEDED, UNAUTHENTICATED, ...) and of each response
	// refused for its size (RESPONSE_TOO_LARGE), and UNAVAILABLE for each
	// request answered 503 because a service it needs was briefly down.
	Refused(code string)
	// ErrorsDropped is called with how many errors a response left out.
	ErrorsDropped(n int)
	// DeprecatedUsed is called once per request that runs and uses a
	// deprecated part of the schema, for each part, with its schema
	// coordinate: "TimelineEntry.causationId" (a field),
	// "Query.orders(status:)" (an argument), "OrderStatus.PAID" (an enum
	// value sent), "OrderFilter.region" (an input field).
	DeprecatedUsed(coordinate string)
}

// noObserver is the Observer of a Config without one.
type noObserver struct{}

func (noObserver) Refused(string)        {}
func (noObserver) ErrorsDropped(int)     {}
func (noObserver) DeprecatedUsed(string) {}

// Handler serves the GraphQL query API over HTTP. It reads the caller from
// auth.FromContext of the request context. It is safe for concurrent use.
type Handler struct {
	pool          *pgxpool.Pool
	status        func(ctx context.Context) ([]projections.Status, error)
	maxWait       time.Duration
	introspection bool
	logger        *slog.Logger
	limits        Limits
	observer      Observer
	events        StreamReader
	exec          *graphql.Schema
	analyzer      *analyzer
}

var _ http.Handler = (*Handler)(nil)

// New parses the schema, binds it to the resolvers and returns the
// Handler. It fails when Pool is missing or the limits are invalid.
func New(cfg Config) (*Handler, error) {
	if cfg.Pool == nil {
		return nil, errors.New("read: Pool is required")
	}
	limits, err := cfg.Limits.withDefaults()
	if err != nil {
		return nil, fmt.Errorf("read: %w", err)
	}
	h := &Handler{
		pool:          cfg.Pool,
		status:        cfg.Status,
		maxWait:       cfg.MaxWait,
		introspection: cfg.Introspection,
		logger:        cfg.Logger,
		limits:        limits,
		observer:      cfg.Observer,
		events:        cfg.Events,
	}
	if h.observer == nil {
		h.observer = noObserver{}
	}
	if h.maxWait <= 0 {
		h.maxWait = DefaultMaxWait
	}
	if h.logger == nil {
		h.logger = slog.New(slog.DiscardHandler)
	}
	if h.exec, err = h.parseSchema(); err != nil {
		return nil, fmt.Errorf("read: %w", err)
	}
	if h.analyzer, err = newAnalyzer(schema.GraphQL(), limits, cfg.Introspection); err != nil {
		return nil, fmt.Errorf("read: %w", err)
	}
	return h, nil
}

// ServeHTTP answers one GraphQL request; see the package documentation for
// what it accepts and how it answers.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	req, size, err := decodeHTTPRequest(w, r, h.limits.MaxBodyBytes)
	if err != nil {
		// Refused before it is read as GraphQL, and charged by its length.
		if h.charge(w, ctx, ceilDiv(size, h.limits.QueryBytesPerUnit)) {
			h.writeProblem(w, r, err)
		}
		return
	}
	minPos, minSet, err := parseMinPosition(r.Header)
	if err != nil {
		h.writeProblem(w, r, err)
		return
	}
	principal, known := auth.FromContext(ctx)
	an := h.analyzer.analyze(req.Query, req.OperationName, req.Variables, !known)
	an.bytes = max(an.bytes, size)
	// A request is charged by what it may cost, refused or not (see the
	// package documentation), before it is answered.
	if !h.charge(w, ctx, an.units(h.limits)) {
		return
	}
	if an.err != nil {
		h.refuse(w, an.err)
		return
	}
	for _, c := range an.deprecated {
		h.observer.DeprecatedUsed(c)
	}
	rs := newRequestState(h, principal, known, minPos, minSet, time.Now())
	resp := h.exec.Exec(withRequestState(ctx, rs), req.Query, req.OperationName, req.Variables)
	h.writeResponse(w, r, resp, rs)
}

// charge charges the request units against the caller's rate limit
// (ratelimit.Cost) and reports whether it could; when it could not, it
// has answered 429.
func (h *Handler) charge(w http.ResponseWriter, ctx context.Context, units int) bool {
	var exceeded *ratelimit.ExceededError
	if err := ratelimit.Cost(ctx, units); errors.As(err, &exceeded) {
		exceeded.WriteProblem(w)
		return false
	}
	return true
}
