package command

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/orderflow/orderflow/eventstore"
	"github.com/orderflow/orderflow/write/domain"
)

// MaxConflicts is the safety net of a batch of commands that keeps meeting
// other processes' events: after this many conflicts in a row its commands
// give up with ErrTooManyConflicts. A conflict costs one read and one
// decision and is resolved at once, so the bound is far above anything
// contention between processes causes; it only stops a runaway.
const MaxConflicts = 1000

// MaxBatch is the largest number of commands one stream's writer decides
// together and appends in one append.
const MaxBatch = 256

// Handler executes commands against one event store. It is safe for
// concurrent use.
//
// Commands on one stream are queued and run by a single writer per stream
// (see Execute); commands on different streams run concurrently.
type Handler struct {
	store    eventstore.Store
	now      func() time.Time
	observer Observer
	logger   *slog.Logger
	// window is how many keyed event ids each stream's state remembers.
	window int

	mu sync.Mutex
	// writers holds the *writer[S] of each stream that has commands queued
	// or running.
	writers map[string]any
	// parked keeps the states of streams whose writer has stopped.
	parked *states
}

// NewHandler returns a Handler that appends to store and takes the time of
// each decision from now. It logs to slog.Default until SetLogger.
func NewHandler(store eventstore.Store, now func() time.Time) *Handler {
	return &Handler{
		store: store, now: now, logger: slog.Default(), window: DefaultWindow,
		writers: make(map[string]any), parked: newStates(DefaultStates),
	}
}

// SetLogger makes the handler log to l (one WARN line for every command
// that gives up). Call it before the handler is first used.
func (h *Handler) SetLogger(l *slog.Logger) { h.logger = l }

// Store returns the event store the handler appends to.
func (h *Handler) Store() eventstore.Store { return h.store }

// Result is the outcome of a command that succeeded.
type Result struct {
	// Stream is the aggregate's stream.
	Stream string
	// Revision is the revision of the command's last event; for a command
	// that changed nothing, the revision it saw (-1: the stream is empty).
	Revision int64
	// Position is the global position of the last event of the append
	// that wrote the command's events (commands decided together share
	// one append; its last event is at or after the command's own), or of
	// the last event the command saw when it changed nothing. For a
	// replay, it is the position of the command's own last event. Either
	// way, a reader that has reached it has seen the command's events.
	Position eventstore.Position
	// Events are the events the command caused (or, for a replay, had
	// caused); none when it changed nothing.
	Events []domain.Event
	// Replayed reports that the idempotency key had been used already: the
	// original result is returned and nothing was written.
	Replayed bool
}

// Decider decides what a command does to the current state at time now.
// It must not change state.
type Decider[S any] func(state S, now time.Time) ([]domain.Event, error)

// ErrTooManyConflicts is returned when a command gave up because other
// processes kept appending to its stream (see MaxConflicts).
var ErrTooManyConflicts = errors.New("the aggregate kept changing; try again")

// Execute runs decide on the current state of aggregate id and appends the
// events it returns.
//
// Within the handler, commands on one stream are queued and decided in
// order by the stream's single writer, on its in-memory state, each on the
// state left by the ones before it; the events of all the commands decided
// together are appended in one append with the revision the writer saw.
// Each command still gets its own outcome: its Result, or its own domain
// error (unchanged; match it with errors.Is against domain.ErrInvalid,
// domain.ErrRule, domain.ErrNotFound), which affects no other command.
// When another process appended in between, the writer reads what it
// added and decides the commands again, as long as their contexts live
// (up to MaxConflicts times in a row).
//
// A command with an idempotency key whose events are already stored
// returns the original result with Replayed set and writes nothing: the
// writer recognises the key among the stream's recent events (the
// handler's window), and the event store recognises older ones by their
// event ids.
//
// Execute returns ctx.Err() when ctx ends first; the command may then
// still be carried out.
func Execute[S any](ctx context.Context, h *Handler, agg Aggregate[S], id string, meta Meta, decide Decider[S]) (Result, error) {
	stream := agg.Stream(id)
	req := &request[S]{ctx: ctx, meta: meta, decide: decide, done: make(chan reply, 1)}
	if err := enqueue(h, agg, stream, req); err != nil {
		h.observe(agg.Category, Result{}, err)
		return Result{}, err
	}
	select {
	case r := <-req.done:
		return r.res, r.err
	case <-ctx.Done():
		return Result{}, ctx.Err()
	}
}

// request is one command waiting for its stream's writer.
type request[S any] struct {
	ctx    context.Context
	meta   Meta
	decide Decider[S]
	done   chan reply // buffered: the writer never waits for the caller
}

// reply is a command's outcome.
type reply struct {
	res Result
	err error
}

// enqueue queues req for stream's writer, starting the writer if the
// stream has none.
func enqueue[S any](h *Handler, agg Aggregate[S], stream string, req *request[S]) error {
	h.mu.Lock()
	var w *writer[S]
	if cur, ok := h.writers[stream]; ok {
		if w, ok = cur.(*writer[S]); !ok {
			h.mu.Unlock()
			return fmt.Errorf("%s: commands of two aggregate types on one stream", stream)
		}
	}
	start := w == nil
	if start {
		w = &writer[S]{h: h, agg: agg, stream: stream}
		h.writers[stream] = w
	}
	w.queue = append(w.queue, req)
	h.mu.Unlock()
	if start {
		go w.run()
	}
	return nil
}
