package esdb

import (
	"errors"
	"math/rand/v2"
	"time"

	"github.com/EventStore/EventStore-Client-Go/v4/esdb"
)

// errDropped stands for a drop the client reports without a reason.
var errDropped = errors.New("subscription dropped")

// supervise keeps the subscription alive until its context ends: it
// subscribes, follows the subscription until it drops, and subscribes again
// from the last event queued, pausing with capped exponential backoff and
// jitter between failed attempts. Errors that retrying cannot fix end the
// subscription; Next then returns them.
func (sub *subscription) supervise() {
	defer sub.store.forget(sub)
	defer close(sub.exited)
	defer close(sub.events) // after sub.err is set: Next reads it once events is closed

	pause := sub.store.retryMin
	for {
		progressed, err := sub.follow()
		if sub.ctx.Err() != nil || errors.Is(err, ErrClosed) {
			sub.err = sub.closedErr()
			return
		}
		if isFatal(err) {
			sub.err = streamError(sub.ctx, "subscription to "+sub.what, err)
			sub.log.Error("subscription failed for good; retrying cannot help", "after", sub.last, "err", err)
			return
		}
		if progressed {
			pause = sub.store.retryMin
		}
		sub.log.Warn("subscription dropped; subscribing again", "after", sub.last, "in", pause, "err", err)
		if !sub.sleep(jitter(pause)) {
			sub.err = sub.closedErr()
			return
		}
		pause = min(2*pause, sub.store.retryMax)
	}
}

// follow subscribes once, after sub.last, and queues what arrives until the
// subscription drops or its context ends. It reports whether it queued an
// event. A client that has closed itself is replaced, so that the next
// attempt runs on a new one.
func (sub *subscription) follow() (progressed bool, err error) {
	c, err := sub.store.current()
	if err != nil {
		return false, err
	}
	es, err := call(sub.ctx, func() (*esdb.Subscription, error) {
		return c.SubscribeToAll(sub.ctx, esdb.SubscribeToAllOptions{From: allFrom(sub.last), Filter: sub.filter})
	})
	if err != nil {
		if isCode(err, esdb.ErrorCodeConnectionClosed) {
			sub.store.renew(c)
		}
		return false, err
	}
	defer es.Close()

	for {
		msg := es.Recv()
		switch {
		case msg.SubscriptionDropped != nil:
			if msg.SubscriptionDropped.Error != nil {
				return progressed, msg.SubscriptionDropped.Error
			}
			return progressed, errDropped
		case msg.EventAppeared != nil:
			e := msg.EventAppeared.OriginalEvent()
			pos := toPosition(e.Position)
			if !sub.last.Less(pos) {
				continue // delivered before this resubscription
			}
			if !sub.wants(e) {
				continue
			}
			select {
			case sub.events <- sub.store.toRecorded(e):
				sub.last, progressed = pos, true
			case <-sub.ctx.Done():
				return progressed, sub.ctx.Err()
			}
		case msg.CheckPointReached != nil:
			// Progress through events the filter skipped. Resuming from a
			// checkpoint would save a rescan, but the port only hands out
			// positions of events, and some servers send checkpoints with
			// a zero prepare position.
			sub.log.Debug("checkpoint", "commit", msg.CheckPointReached.Commit, "prepare", msg.CheckPointReached.Prepare)
		case msg.CaughtUp != nil:
			sub.log.Debug("caught up; live from here", "after", sub.last)
		case msg.FellBehind != nil:
			sub.log.Debug("fell behind; catching up", "after", sub.last)
		}
	}
}

// sleep waits for d or until the subscription ends, reporting whether it
// may go on.
func (sub *subscription) sleep(d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-sub.ctx.Done():
		return false
	}
}

// jitter spreads d over [d/2, d) so that many subscriptions dropped at once
// do not come back at once.
func jitter(d time.Duration) time.Duration {
	if d <= 1 {
		return d
	}
	return d/2 + rand.N(d/2)
}
