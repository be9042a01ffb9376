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
	defer close(sub.items) // after sub.err is set: Next reads it once items is closed

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
			if !sub.queue(item{event: sub.store.toRecorded(e), pos: pos}) {
				return progressed, sub.ctx.Err()
			}
			progressed = true
		case msg.CheckPointReached != nil:
			// Progress through events the filter skipped: the position of
			// the last event the server sent, or of the first one it
			// considered in a page where none matched (Enumerator.
			// AllSubscriptionFiltered). A resubscription from it starts
			// after the record there, which the subscription has had or
			// skipped. One that is not past the last item queued says
			// nothing new; one without a prepare position (some servers
			// send them) does not say whether the record at its commit
			// position was considered, so it is not trusted.
			pos := toPosition(*msg.CheckPointReached)
			if !sub.last.Less(pos) || pos.Prepare == 0 {
				continue
			}
			if !sub.queue(item{checkpoint: true, pos: pos}) {
				return progressed, sub.ctx.Err()
			}
		case msg.CaughtUp != nil:
			sub.log.Debug("caught up; live from here", "after", sub.last)
		case msg.FellBehind != nil:
			sub.log.Debug("fell behind; catching up", "after", sub.last)
		}
	}
}

// queue hands it to Next and makes its position the resubscription's,
// reporting false when the subscription ended first.
func (sub *subscription) queue(it item) bool {
	select {
	case sub.items <- it:
		sub.last = it.pos
		return true
	case <-sub.ctx.Done():
		return false
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
