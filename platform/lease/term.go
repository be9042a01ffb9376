package lease

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"time"
)

// Term is one tenure of a lease as its holder sees it, from its
// acquisition to its loss or release: the fence of work done outside the
// database under the lease. It is valid until a deadline that each
// successful renewal moves forward (Extend with the Grant's or Renew's
// deadline), which ends it before the database lets anybody else take
// the lease (see the package comment). A term never comes back to life: a
// lease acquired again is a new term with a new epoch. A Term is safe for
// concurrent use.
type Term struct {
	tenure Tenure
	// ctx ends with the term: at its deadline, or when it is ended. Work
	// under the term runs in it, so an effect in flight is cut off.
	ctx    context.Context
	cancel context.CancelFunc
	base   time.Time
	until  atomic.Int64 // deadline, in nanoseconds since base
	timer  *time.Timer

	mu     sync.Mutex
	ended  bool
	active int           // pieces of work under the term (Enter)
	idle   chan struct{} // closed once ended with nothing active
}

// NewTerm starts the term of grant g within parent: it ends at g's
// deadline unless extended, when ended, or when parent ends.
func NewTerm(parent context.Context, g Grant) *Term {
	ctx, cancel := context.WithCancel(parent)
	t := &Term{tenure: g.Tenure, ctx: ctx, cancel: cancel, base: time.Now(), idle: make(chan struct{})}
	t.until.Store(int64(g.Deadline.Sub(t.base)))
	t.timer = time.AfterFunc(g.Deadline.Sub(t.base), cancel)
	return t
}

// Tenure returns the lease, owner and epoch of the term.
func (t *Term) Tenure() Tenure { return t.tenure }

// Context returns a context that ends with the term.
func (t *Term) Context() context.Context { return t.ctx }

// Check returns nil while the term is valid, and an error matching ErrLost
// after. It is the cheap test made before every effect and every write.
func (t *Term) Check() error {
	if t.ctx.Err() != nil || t.Expired() {
		return fmt.Errorf("lease %s epoch %d: %w", t.tenure.Name, t.tenure.Epoch, ErrLost)
	}
	return nil
}

// Expired reports whether the term's deadline has passed, whether or not
// it was ended before.
func (t *Term) Expired() bool { return time.Since(t.base) >= time.Duration(t.until.Load()) }

// Extend moves the deadline to deadline after a successful renewal. It
// returns false, and ends the term, when the term had already ended: the
// lease must then be acquired again, as a new term.
func (t *Term) Extend(deadline time.Time) bool {
	if t.ctx.Err() != nil || !t.timer.Reset(time.Until(deadline)) {
		t.cancel() // the timer had fired, or Reset just scheduled it again
		return false
	}
	t.until.Store(int64(deadline.Sub(t.base)))
	return true
}

// End ends the term: nothing new starts under it and the work in flight
// is cancelled. It is safe to call more than once.
func (t *Term) End() {
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

// Enter registers work starting under the term; it returns false when the
// term is over. Every Enter that returns true is paired with a Leave.
func (t *Term) Enter() bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.ended || t.Check() != nil {
		return false
	}
	t.active++
	return true
}

// Leave registers the end of work begun by Enter.
func (t *Term) Leave() {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.active--
	if t.ended && t.active == 0 {
		close(t.idle)
	}
}

// Drained reports whether the term has ended and no work under it is still
// running: from then on nothing is written under it, and its lease may be
// released.
func (t *Term) Drained() bool {
	select {
	case <-t.idle:
		return true
	default:
		return false
	}
}

// Bind returns ctx, cancelled also when the term ends, and its cancel.
func (t *Term) Bind(ctx context.Context) (context.Context, context.CancelFunc) {
	ctx, cancel := context.WithCancel(ctx)
	stop := context.AfterFunc(t.ctx, cancel)
	return ctx, func() {
		stop()
		cancel()
	}
}
