package esdbtest

import (
	"errors"
	"io"
	"strconv"
	"time"

	"github.com/EventStore/EventStore-Client-Go/v4/protos/shared"
	api "github.com/EventStore/EventStore-Client-Go/v4/protos/streams"
	"github.com/google/uuid"
)

const (
	expectAny          = -2
	expectNoStream     = -1
	expectStreamExists = -4
)

// Append follows EventStoreDB: it refuses a batch over the maximum append
// size as soon as its running count passes it, answers NotLeader on a
// follower once it has read the whole request, checks the expected version
// and the batch's ids the way IndexWriter.CheckCommit does, then writes or
// answers.
func (s *Server) Append(srv api.Streams_AppendServer) error {
	ctx := srv.Context()
	if f, ok := s.fault(OpAppend); ok {
		return answer(ctx, f)
	}
	req, err := srv.Recv()
	if err != nil {
		return err
	}
	opts := req.GetOptions()
	stream := string(opts.GetStreamIdentifier().GetStreamName())
	var expected int64
	switch o := opts.GetExpectedStreamRevision().(type) {
	case *api.AppendReq_Options_Any:
		expected = expectAny
	case *api.AppendReq_Options_NoStream:
		expected = expectNoStream
	case *api.AppendReq_Options_StreamExists:
		expected = expectStreamExists
	case *api.AppendReq_Options_Revision:
		expected = int64(o.Revision)
	}
	s.st.mu.Lock()
	limit := s.st.maxAppend
	s.st.mu.Unlock()
	var batch []proposal
	size := 0
	for {
		r, err := srv.Recv()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return err
		}
		p := r.GetProposedMessage()
		typ := p.GetMetadata()["type"]
		size += len(p.GetData()) + len(p.GetCustomMetadata()) + 2*len(typ)
		if size > limit {
			s.countAppend()
			return maxAppendSizeExceeded(ctx, limit)
		}
		st := p.GetId().GetStructured()
		id, _ := uuid.FromBytes(append(be(st.GetMostSignificantBits()), be(st.GetLeastSignificantBits())...))
		batch = append(batch, proposal{id: id, typ: typ, data: p.GetData(), meta: p.GetCustomMetadata()})
	}
	if s.leader != nil {
		// The server reads the whole request before its write reaches the
		// node's leadership check.
		return s.notLeader(ctx)
	}
	s.countAppend()

	s.mu.Lock()
	delay := s.delay
	s.mu.Unlock()
	if delay > 0 {
		t := time.NewTimer(delay)
		select {
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
			return ctx.Err() // the client gave up: nothing is written
		}
	}

	st := s.st
	st.mu.Lock()
	defer st.mu.Unlock()
	events := st.streams[stream]
	current := int64(len(events)) - 1
	success := func(last *event, idempotent bool) error {
		res := &api.AppendResp_Success{CurrentRevisionOption: &api.AppendResp_Success_CurrentRevision{CurrentRevision: last.rev}}
		if idempotent && st.noIdemPos {
			res.PositionOption = &api.AppendResp_Success_NoPosition{NoPosition: &shared.Empty{}}
		} else {
			res.PositionOption = &api.AppendResp_Success_Position{Position: &api.AppendResp_Position{CommitPosition: last.commit, PreparePosition: last.prepare}}
		}
		return srv.SendAndClose(&api.AppendResp{Result: &api.AppendResp_Success_{Success: res}})
	}
	wrong := func() error {
		w := &api.AppendResp_WrongExpectedVersion{}
		if current < 0 {
			w.CurrentRevisionOption = &api.AppendResp_WrongExpectedVersion_CurrentNoStream{CurrentNoStream: &shared.Empty{}}
		} else {
			w.CurrentRevisionOption = &api.AppendResp_WrongExpectedVersion_CurrentRevision{CurrentRevision: uint64(current)}
		}
		switch expected {
		case expectAny:
			w.ExpectedRevisionOption = &api.AppendResp_WrongExpectedVersion_ExpectedAny{ExpectedAny: &shared.Empty{}}
		case expectStreamExists:
			w.ExpectedRevisionOption = &api.AppendResp_WrongExpectedVersion_ExpectedStreamExists{ExpectedStreamExists: &shared.Empty{}}
		case expectNoStream:
			w.ExpectedRevisionOption = &api.AppendResp_WrongExpectedVersion_ExpectedNoStream{ExpectedNoStream: &shared.Empty{}}
		default:
			w.ExpectedRevisionOption = &api.AppendResp_WrongExpectedVersion_ExpectedRevision{ExpectedRevision: uint64(expected)}
		}
		return srv.SendAndClose(&api.AppendResp{Result: &api.AppendResp_WrongExpectedVersion_{WrongExpectedVersion: w}})
	}
	commit := func() error { return success(st.writeBatch(stream, batch), false) }

	if len(batch) == 0 {
		if current < 0 {
			return wrong()
		}
		return success(events[current], false)
	}
	if expected == expectStreamExists && current < 0 {
		return wrong()
	}
	if expected == expectAny || expected == expectStreamExists {
		var last *event
		for i, p := range batch {
			e, ok := st.cache[p.id]
			if !ok || e.stream != stream {
				if i == 0 {
					return commit()
				}
				return wrong() // corrupted idempotency
			}
			last = e
		}
		return success(last, true)
	}
	if expected < current {
		for i, p := range batch {
			n := expected + 1 + int64(i)
			if n <= current && events[n].id == p.id {
				continue
			}
			return wrong() // the first differs: a conflict; a later one: corrupted idempotency
		}
		return success(events[expected+int64(len(batch))], true)
	}
	if expected > current {
		return wrong()
	}
	return commit()
}

func itoa(n int) string { return strconv.Itoa(n) }

func be(v int64) []byte {
	b := make([]byte, 8)
	for i := range 8 {
		b[i] = byte(uint64(v) >> (56 - 8*i))
	}
	return b
}

func beUint(b []byte) uint64 {
	var v uint64
	for _, c := range b {
		v = v<<8 | uint64(c)
	}
	return v
}

// countAppend counts an append request a leader read (see Counts).
func (s *Server) countAppend() {
	s.st.mu.Lock()
	s.st.appends++
	s.st.mu.Unlock()
}
