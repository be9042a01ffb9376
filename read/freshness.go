package read

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/orderflow/orderflow/eventstore"
	"github.com/orderflow/orderflow/projections/customerview"
	"github.com/orderflow/orderflow/projections/fulfillmentview"
	"github.com/orderflow/orderflow/projections/notificationview"
	"github.com/orderflow/orderflow/projections/orderview"
	"github.com/orderflow/orderflow/projections/productview"
	"github.com/orderflow/orderflow/projections/timelineview"
)

// The projections the resolvers read, by the name of their checkpoint.
const (
	projOrders        = orderview.Name
	projTimeline      = timelineview.Name
	projProducts      = productview.Name
	projCustomers     = customerview.Name
	projFulfillment   = fulfillmentview.Name
	projNotifications = notificationview.Name
)

// Backoff of the checkpoint polls while a request waits.
const (
	firstPoll = 5 * time.Millisecond
	maxPoll   = 50 * time.Millisecond
)

// freshness makes one request read its own writes: before a resolver
// reads a projection, wait blocks until the projection's checkpoint has
// reached the request's X-Min-Position or the request's deadline has
// passed. It checks each projection once per request; concurrent callers
// for the same projection share the one wait. It is safe for concurrent
// use.
type freshness struct {
	db       querier
	min      eventstore.Position
	set      bool
	deadline time.Time

	mu    sync.Mutex
	waits map[string]*projectionWait
}

// projectionWait is the outcome of waiting for one projection; done is
// closed when it is known.
type projectionWait struct {
	done  chan struct{}
	stale bool
	err   error
}

func newFreshness(db querier, min eventstore.Position, set bool, deadline time.Time) *freshness {
	return &freshness{db: db, min: min, set: set, deadline: deadline}
}

// wait returns once projection has reached the minimum position, or the
// request's deadline has passed (the projection is then reported stale),
// or ctx ends. It returns at once when the request set no position. An
// error means the checkpoint could not be read.
func (f *freshness) wait(ctx context.Context, projection string) error {
	if !f.set {
		return nil
	}
	f.mu.Lock()
	w, started := f.waits[projection]
	if !started {
		if f.waits == nil {
			f.waits = make(map[string]*projectionWait)
		}
		w = &projectionWait{done: make(chan struct{})}
		f.waits[projection] = w
	}
	f.mu.Unlock()
	if !started {
		defer close(w.done)
		w.stale, w.err = f.poll(ctx, projection)
		return w.err
	}
	select {
	case <-w.done:
		return w.err
	case <-ctx.Done():
		return ctx.Err()
	}
}

const checkpointReachedSQL = `SELECT (commit_pos, prepare_pos) >= ($2::bigint, $3::bigint)
FROM projections.checkpoints WHERE name = $1`

// poll reads the checkpoint with a growing pause between reads until it
// has reached the position (stale false) or the deadline has passed
// (stale true).
func (f *freshness) poll(ctx context.Context, projection string) (stale bool, err error) {
	pause := firstPoll
	for {
		var reached bool
		err := f.db.QueryRow(ctx, checkpointReachedSQL, projection, int64(f.min.Commit), int64(f.min.Prepare)).Scan(&reached)
		if err != nil && !errors.Is(err, pgx.ErrNoRows) {
			return false, fmt.Errorf("read the checkpoint of %s: %w", projection, err)
		}
		if reached {
			return false, nil
		}
		left := time.Until(f.deadline)
		if left <= 0 {
			return true, nil
		}
		t := time.NewTimer(min(pause, left))
		select {
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
			return false, ctx.Err()
		}
		pause = min(2*pause, maxPoll)
	}
}

// staleProjections returns, in name order, the projections that had not
// reached the position when the wait ran out.
func (f *freshness) staleProjections() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	var names []string
	for name, w := range f.waits {
		select {
		case <-w.done:
			if w.stale {
				names = append(names, name)
			}
		default:
		}
	}
	slices.Sort(names)
	return names
}
