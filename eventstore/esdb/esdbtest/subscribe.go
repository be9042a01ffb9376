package esdbtest

import (
	"regexp"

	api "github.com/EventStore/EventStore-Client-Go/v4/protos/streams"
	"github.com/google/uuid"
	"google.golang.org/grpc/codes"
)

// DefaultMaxSearchWindow is the server's search window of a filtered read
// when the request names none.
const DefaultMaxSearchWindow = 32

// EndSubscriptions ends every live subscription with f, as the server ends
// them when it shuts down (Unavailable) or when the account loses its
// rights mid-subscription (AccessDenied).
func (s *Server) EndSubscriptions(f Fault) {
	s.st.mu.Lock()
	defer s.st.mu.Unlock()
	s.st.endWith = f
	close(s.st.ended)
	s.st.ended = make(chan struct{})
}

// FallBehind makes every live subscription send FellBehind and catch up
// from where it is again, as a server does for a consumer too slow for its
// live buffer; CaughtUp follows when it reaches the end of the log.
func (s *Server) FallBehind() {
	s.st.mu.Lock()
	defer s.st.mu.Unlock()
	close(s.st.behind)
	s.st.behind = make(chan struct{})
}

// subscription is the state of one subscription to $all.
type subscription struct {
	srv      api.Streams_ReadServer
	match    func(*event) bool
	filtered bool
	window   int // considered events per catch-up page
	interval int // considered events between checkpoints
	counter  int // considered events since the last checkpoint
	next     int // index in the log of the next event to consider
}

// subscribe follows Enumerator.AllSubscriptionFiltered: it confirms, starts
// after the first record at or after the position given, catches up in
// pages of the search window with checkpoints between pages, sends
// CaughtUp and goes live, sending checkpoints every interval of considered
// events, until the client leaves, the subscriptions are ended or the
// server stops.
func (s *Server) subscribe(from *api.ReadReq_Options_AllOptions, filter *api.ReadReq_Options_FilterOptions, srv api.Streams_ReadServer) error {
	st := s.st
	st.mu.Lock()
	st.subscribes++
	log, ended, behind := st.log, st.ended, st.behind
	st.mu.Unlock()
	sub := &subscription{srv: srv, match: func(*event) bool { return true }, window: DefaultMaxSearchWindow}
	if filter != nil {
		sub.filtered = true
		if ex := filter.GetStreamIdentifier(); ex != nil {
			re, err := regexp.Compile(ex.GetRegex())
			if err != nil {
				return answer(srv.Context(), Fault{Code: codes.InvalidArgument, Message: "Invalid filter regex"})
			}
			sub.match = func(e *event) bool { return re.MatchString(e.stream) }
		}
		if ex := filter.GetEventType(); ex != nil {
			re, err := regexp.Compile(ex.GetRegex())
			if err != nil {
				return answer(srv.Context(), Fault{Code: codes.InvalidArgument, Message: "Invalid filter regex"})
			}
			sub.match = func(e *event) bool { return re.MatchString(e.typ) }
		}
		if m := filter.GetMax(); m > 0 {
			sub.window = int(m)
		}
	}
	multiplier := 1
	if filter != nil && filter.GetCheckpointIntervalMultiplier() > 0 {
		multiplier = int(filter.GetCheckpointIntervalMultiplier())
	}
	sub.interval = sub.window * multiplier

	if err := srv.Send(&api.ReadResp{Content: &api.ReadResp_Confirmation{Confirmation: &api.ReadResp_SubscriptionConfirmation{SubscriptionId: uuid.NewString()}}}); err != nil {
		return err
	}
	catchingUp := true
	switch {
	case from.GetEnd() != nil:
		sub.next, catchingUp = len(log), false
	case from.GetPosition() != nil:
		p := from.GetPosition()
		for sub.next < len(log) && !log[sub.next].after(p.GetCommitPosition(), p.GetPreparePosition()) &&
			(log[sub.next].commit != p.GetCommitPosition() || log[sub.next].prepare != p.GetPreparePosition()) {
			sub.next++
		}
		if sub.next < len(log) {
			sub.next++ // the server reads one record from the position and starts after it
		}
	}
	if !catchingUp {
		if err := sub.send(&api.ReadResp{Content: &api.ReadResp_CaughtUp_{CaughtUp: &api.ReadResp_CaughtUp{}}}); err != nil {
			return err
		}
	}
	for {
		st.mu.Lock()
		log, changed := st.log, st.changed
		st.mu.Unlock()
		var err error
		if catchingUp {
			err = sub.catchUp(log)
			catchingUp = false
		} else {
			err = sub.live(log)
		}
		if err != nil {
			return err
		}
		fell, err := sub.wait(st, changed, ended, behind)
		if err != nil {
			return err
		}
		if fell {
			st.mu.Lock()
			behind = st.behind
			st.mu.Unlock()
			if err := sub.send(&api.ReadResp{Content: &api.ReadResp_FellBehind_{FellBehind: &api.ReadResp_FellBehind{}}}); err != nil {
				return err
			}
			catchingUp = true
		}
	}
}

// wait waits for the log of st to change, the subscriptions to be ended
// (the error to answer), the client to leave, or FallBehind, which it reports.
// A FallBehind goes before a change that came after it, as the events
// written after a subscription fell behind come in its catch-up.
func (sub *subscription) wait(st *state, changed, ended, behind <-chan struct{}) (fell bool, err error) {
	select {
	case <-behind:
		return true, nil
	default:
	}
	ctx := sub.srv.Context()
	select {
	case <-changed:
		return false, nil
	case <-behind:
		return true, nil
	case <-ended:
		st.mu.Lock()
		f := st.endWith
		st.mu.Unlock()
		return false, answer(ctx, f)
	case <-ctx.Done():
		return false, ctx.Err()
	}
}

// catchUp reads the log in pages of the search window, sending the events
// that match; between pages, once the considered events reach the
// interval, it sends a checkpoint at the last event sent in the page, or
// where the page began. At the end of the log it sends CaughtUp, without a
// checkpoint.
func (sub *subscription) catchUp(log []*event) error {
	for sub.next < len(log) {
		begin := log[sub.next]
		var sent *event
		end := min(sub.next+sub.window, len(log))
		sub.counter += end - sub.next
		for ; sub.next < end; sub.next++ {
			e := log[sub.next]
			if sub.match(e) {
				if err := sub.send(readEvent(e)); err != nil {
					return err
				}
				sent = e
			}
		}
		if sub.next == len(log) {
			break
		}
		if sub.filtered && sub.counter >= sub.interval {
			sub.counter %= sub.interval
			at := begin
			if sent != nil {
				at = sent
			}
			if err := sub.checkpoint(at); err != nil {
				return err
			}
		}
	}
	return sub.send(&api.ReadResp{Content: &api.ReadResp_CaughtUp_{CaughtUp: &api.ReadResp_CaughtUp{}}})
}

// live sends the new events that match, and a checkpoint at every
// interval-th considered event.
func (sub *subscription) live(log []*event) error {
	for ; sub.next < len(log); sub.next++ {
		e := log[sub.next]
		if sub.match(e) {
			if err := sub.send(readEvent(e)); err != nil {
				return err
			}
		}
		if sub.counter++; sub.filtered && sub.counter >= sub.interval {
			sub.counter = 0
			if err := sub.checkpoint(e); err != nil {
				return err
			}
		}
	}
	return nil
}

func (sub *subscription) checkpoint(at *event) error {
	return sub.send(&api.ReadResp{Content: &api.ReadResp_Checkpoint_{Checkpoint: &api.ReadResp_Checkpoint{
		CommitPosition: at.commit, PreparePosition: at.prepare}}})
}

func (sub *subscription) send(m *api.ReadResp) error { return sub.srv.Send(m) }
