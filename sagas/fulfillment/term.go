package fulfillment

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"
)

var (
	// ErrNotOwner: the runner does not own the partition of the saga it was
	// asked to drive; the partition's owner drives it.
	ErrNotOwner = errors.New("partition owned by another runner")
	// ErrLeaseLost: the runner's lease ended (or was about to, by its own
	// clock) while it worked; it stopped before its next effect or record.
	ErrLeaseLost = errors.New("saga lease lost")
)

// term is one tenure of this runner over a lease, from its acquisition to
// its loss or release. It is the fence of everything done under the lease:
// valid only until a deadline that each successful renewal in the database
// moves forward, measured on this process's monotonic clock from before the
// renewal was sent and shorter than the lease's TTL by a safety margin, so
// it always ends before the database lets anyone else take the lease. A
// term never comes back to life: a lease acquired again is a new term with
// a new epoch.
type term struct {
	lease int // a partition, or intakeLease
	epoch int64
	// ctx ends with the term: at its deadline, or when it is ended. Work
	// under the term runs in it, so an effect in flight is cut off.
	ctx    context.Context
	cancel context.CancelFunc
	base   time.Time
	until  atomic.Int64 // deadline, in nanoseconds since base
	timer  *time.Timer

	mu     sync.Mutex
	ended  bool
	active int           // drives and intakes working under the term
	idle   chan struct{} // closed once ended with nothing active
}

// newTerm starts a term of lease at epoch, valid until deadline, within
// parent.
func newTerm(parent context.Context, lease int, epoch int64, deadline time.Time) *term {
	ctx, cancel := context.WithCancel(parent)
	t := &term{lease: lease, epoch: epoch, ctx: ctx, cancel: cancel, base: time.Now(), idle: make(chan struct{})}
	t.until.Store(int64(deadline.Sub(t.base)))
	t.timer = time.AfterFunc(deadline.Sub(t.base), cancel)
	return t
}

// check returns nil while the term is valid, and an error matching
// ErrLeaseLost after. It is the cheap test made before every effect and
// every record.
func (t *term) check() error {
	if t.ctx.Err() != nil || t.expired() {
		return fmt.Errorf("lease %d epoch %d: %w", t.lease, t.epoch, ErrLeaseLost)
	}
	return nil
}

// expired reports whether the term's deadline has passed, whether or not
// it was ended before.
func (t *term) expired() bool { return time.Since(t.base) >= time.Duration(t.until.Load()) }

// extend moves the deadline to deadline after a successful renewal. It
// returns false when the term has already ended: the lease must then be
// acquired again, as a new term.
func (t *term) extend(deadline time.Time) bool {
	if t.ctx.Err() != nil || !t.timer.Reset(time.Until(deadline)) {
		t.cancel() // the timer had fired, or Reset just scheduled it again
		return false
	}
	t.until.Store(int64(deadline.Sub(t.base)))
	return true
}

// end ends the term: nothing new starts under it and the work in flight
// is cancelled. It is safe to call more than once.
func (t *term) end() {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.cancel()
	t.timer.Stop()
	if !t.ended {
		t.ended = true
		if t.active == 0 {
			close(t.idle)
		}
	}
}

// enter registers work starting under the term; it returns false when the
// term is over. Every enter that returns true is paired with a leave.
func (t *term) enter() bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.ended || t.check() != nil {
		return false
	}
	t.active++
	return true
}

// leave registers the end of work begun by enter.
func (t *term) leave() {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.active--
	if t.ended && t.active == 0 {
		close(t.idle)
	}
}

// drained reports whether the term has ended and no work under it is still
// running: from then on nothing can be written under it.
func (t *term) drained() bool {
	select {
	case <-t.idle:
		return true
	default:
		return false
	}
}

// bind returns ctx, cancelled also when the term ends, and its cancel.
func (t *term) bind(ctx context.Context) (context.Context, context.CancelFunc) {
	ctx, cancel := context.WithCancel(ctx)
	stop := context.AfterFunc(t.ctx, cancel)
	return ctx, func() {
		stop()
		cancel()
	}
}
