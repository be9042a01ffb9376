package esdbtest

import (
	"math"
	"strconv"

	"github.com/EventStore/EventStore-Client-Go/v4/protos/shared"
	api "github.com/EventStore/EventStore-Client-Go/v4/protos/streams"
)

// Read serves stream reads, $all reads and subscriptions to $all.
func (s *Server) Read(req *api.ReadReq, srv api.Streams_ReadServer) error {
	o := req.GetOptions()
	_, subscription := o.GetCountOption().(*api.ReadReq_Options_Subscription)
	op := OpRead
	if subscription {
		op = OpSubscribe
	}
	if f, ok := s.fault(op); ok {
		return answer(srv.Context(), f)
	}
	backwards := o.GetReadDirection() == api.ReadReq_Options_Backwards
	if so, ok := o.GetStreamOption().(*api.ReadReq_Options_Stream); ok {
		return s.readStream(so.Stream, backwards, o.GetCount(), srv)
	}
	if subscription {
		return s.subscribe(o.GetAll(), o.GetFilter(), srv)
	}
	return s.readAll(o.GetAll(), backwards, o.GetCount(), srv)
}

func (s *Server) readStream(so *api.ReadReq_Options_StreamOptions, backwards bool, count uint64, srv api.Streams_ReadServer) error {
	stream := string(so.GetStreamIdentifier().GetStreamName())
	s.st.mu.Lock()
	events := s.st.streams[stream]
	s.st.mu.Unlock()
	if len(events) == 0 {
		return srv.Send(&api.ReadResp{Content: &api.ReadResp_StreamNotFound_{StreamNotFound: &api.ReadResp_StreamNotFound{
			StreamIdentifier: &shared.StreamIdentifier{StreamName: []byte(stream)}}}})
	}
	last := int64(len(events)) - 1
	n := int64(min(count, math.MaxInt32))
	var out []*event
	switch r := so.GetRevisionOption().(type) {
	case *api.ReadReq_Options_StreamOptions_End:
		if backwards {
			out = window(events, last-n+1, last, true)
		}
	case *api.ReadReq_Options_StreamOptions_Start:
		if backwards {
			out = window(events, 0, 0, true)
		} else {
			out = window(events, 0, n-1, false)
		}
	case *api.ReadReq_Options_StreamOptions_Revision:
		from := int64(min(r.Revision, math.MaxInt64))
		if backwards { // no clamping, like the server's IndexReader
			out = window(events, from-n+1, from, true)
		} else {
			out = window(events, from, from+n-1, false)
		}
	}
	for _, e := range out {
		if err := srv.Send(readEvent(e)); err != nil {
			return err
		}
	}
	return nil
}

// window returns the events with revisions in [lo, hi], in read order.
func window(events []*event, lo, hi int64, backwards bool) []*event {
	lo = max(lo, 0)
	hi = min(hi, int64(len(events))-1)
	var out []*event
	for i := lo; i <= hi; i++ {
		out = append(out, events[i])
	}
	if backwards {
		for i, j := 0, len(out)-1; i < j; i, j = i+1, j-1 {
			out[i], out[j] = out[j], out[i]
		}
	}
	return out
}

// readAll reads $all: forwards from a position inclusive, backwards from a
// position exclusive, as the server does.
func (s *Server) readAll(from *api.ReadReq_Options_AllOptions, backwards bool, count uint64, srv api.Streams_ReadServer) error {
	s.st.mu.Lock()
	log := s.st.log
	s.st.mu.Unlock()
	var out []*event
	p := from.GetPosition()
	if backwards {
		for i := len(log) - 1; i >= 0 && uint64(len(out)) < count; i-- {
			if p == nil || !log[i].after(p.GetCommitPosition(), p.GetPreparePosition()) &&
				(log[i].commit != p.GetCommitPosition() || log[i].prepare != p.GetPreparePosition()) {
				out = append(out, log[i])
			}
		}
	} else if from.GetEnd() == nil {
		for _, e := range log {
			if uint64(len(out)) == count {
				break
			}
			if p == nil || e.after(p.GetCommitPosition(), p.GetPreparePosition()) ||
				e.commit == p.GetCommitPosition() && e.prepare == p.GetPreparePosition() {
				out = append(out, e)
			}
		}
	}
	for _, e := range out {
		if err := srv.Send(readEvent(e)); err != nil {
			return err
		}
	}
	return nil
}

func readEvent(e *event) *api.ReadResp {
	most, least := int64(beUint(e.id[:8])), int64(beUint(e.id[8:]))
	return &api.ReadResp{Content: &api.ReadResp_Event{Event: &api.ReadResp_ReadEvent{
		Event: &api.ReadResp_ReadEvent_RecordedEvent{
			Id:               &shared.UUID{Value: &shared.UUID_Structured_{Structured: &shared.UUID_Structured{MostSignificantBits: most, LeastSignificantBits: least}}},
			StreamIdentifier: &shared.StreamIdentifier{StreamName: []byte(e.stream)},
			StreamRevision:   e.rev,
			PreparePosition:  e.prepare,
			CommitPosition:   e.commit,
			Metadata: map[string]string{
				"type":         e.typ,
				"content-type": "application/json",
				"created":      strconv.FormatInt(e.recorded.UnixNano()/100, 10),
			},
			CustomMetadata: e.meta,
			Data:           e.data,
		},
		Position: &api.ReadResp_ReadEvent_CommitPosition{CommitPosition: e.commit},
	}}}
}
