package esdb

import (
	"context"
	"errors"
	"io"
	"math"
	"net"
	"regexp"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/EventStore/EventStore-Client-Go/v4/protos/shared"
	api "github.com/EventStore/EventStore-Client-Go/v4/protos/streams"
	"github.com/google/uuid"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// fakeServer is a stand-in for EventStoreDB's gRPC Streams service, enough
// to drive the real client through the adapter's code paths here, where no
// server runs: appends with EventStoreDB's expected-version and idempotency
// rules (ported from its IndexWriter.CheckCommit), stream and $all reads,
// and filtered subscriptions to $all that it can drop or cut off by
// stopping. It is no evidence that the adapter works with EventStoreDB;
// the contract suite against a real server is.
type fakeServer struct {
	api.UnimplementedStreamsServer

	mu      sync.Mutex
	log     []*fakeEvent            // $all
	streams map[string][]*fakeEvent // by revision
	// cache is the server's bounded cache of committed event ids, which
	// Any and StreamExists appends consult; forget empties it, as a
	// restart does.
	cache   map[uuid.UUID]*fakeEvent
	pos     uint64
	changed chan struct{} // closed and replaced when the log grows
	dropped chan struct{} // closed and replaced to drop live subscriptions
	// noIdempotentPosition makes idempotent appends answer without a
	// position, as servers before 22.6 did.
	noIdempotentPosition bool
	appends              int // append requests received
	subscribes           int // subscription requests received

	addr string
	srv  *grpc.Server
}

type fakeEvent struct {
	id       uuid.UUID
	stream   string
	rev      uint64
	pos      uint64
	typ      string
	data     []byte
	meta     []byte
	recorded time.Time
}

// startFake starts a fake server on a free local port, with a few system
// events in its log, and stops it when the test ends.
func startFake(t testing.TB) *fakeServer {
	t.Helper()
	f := &fakeServer{
		streams: map[string][]*fakeEvent{},
		cache:   map[uuid.UUID]*fakeEvent{},
		pos:     1000,
		changed: make(chan struct{}),
		dropped: make(chan struct{}),
	}
	f.write("$stats-127.0.0.1:2113", "$statsCollected", []byte(`{}`), nil)
	f.write("$$order-1", "$metadata", []byte(`{"$maxAge":1}`), nil)
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	f.addr = lis.Addr().String()
	f.serve(lis)
	t.Cleanup(f.stop)
	return f
}

// url is the connection string of the fake server: discovery gives up
// quickly, so that tests see the client close itself.
func (f *fakeServer) url() string {
	return "esdb://" + f.addr + "?tls=false&maxDiscoverAttempts=2&discoveryInterval=20&gossipTimeout=1"
}

func (f *fakeServer) serve(lis net.Listener) {
	f.srv = grpc.NewServer()
	api.RegisterStreamsServer(f.srv, f)
	go func() { _ = f.srv.Serve(lis) }()
}

func (f *fakeServer) stop() { f.srv.Stop() }

// restart serves again on the same address, with the same data.
func (f *fakeServer) restart(t testing.TB) {
	t.Helper()
	var lis net.Listener
	var err error
	for range 50 { // the port may take a moment to be free again
		if lis, err = net.Listen("tcp", f.addr); err == nil {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err != nil {
		t.Fatal(err)
	}
	f.serve(lis)
}

// dropSubscriptions ends every live subscription with Unavailable.
func (f *fakeServer) dropSubscriptions() {
	f.mu.Lock()
	defer f.mu.Unlock()
	close(f.dropped)
	f.dropped = make(chan struct{})
}

func (f *fakeServer) forget() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.cache = map[uuid.UUID]*fakeEvent{}
}

func (f *fakeServer) counts() (appends, subscribes int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.appends, f.subscribes
}

// write appends one event; the caller holds mu or owns f.
func (f *fakeServer) write(stream, typ string, data, meta []byte) *fakeEvent {
	return f.writeID(uuid.New(), stream, typ, data, meta)
}

func (f *fakeServer) writeID(id uuid.UUID, stream, typ string, data, meta []byte) *fakeEvent {
	f.pos += 100 + uint64(len(data))
	e := &fakeEvent{id: id, stream: stream, rev: uint64(len(f.streams[stream])), pos: f.pos, typ: typ, data: data, meta: meta, recorded: time.Now()}
	f.streams[stream] = append(f.streams[stream], e)
	f.log = append(f.log, e)
	f.cache[id] = e
	close(f.changed)
	f.changed = make(chan struct{})
	return e
}

const (
	expectAny          = -2
	expectNoStream     = -1
	expectStreamExists = -4
)

// Append follows EventStoreDB: it checks the expected version and the
// batch's ids the way IndexWriter.CheckCommit does, then writes or answers.
func (f *fakeServer) Append(srv api.Streams_AppendServer) error {
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
	var proposed []*api.AppendReq_ProposedMessage
	for {
		r, err := srv.Recv()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return err
		}
		proposed = append(proposed, r.GetProposedMessage())
	}
	ids := make([]uuid.UUID, len(proposed))
	for i, p := range proposed {
		s := p.GetId().GetStructured()
		ids[i], _ = uuid.FromBytes(append(be(s.GetMostSignificantBits()), be(s.GetLeastSignificantBits())...))
	}

	f.mu.Lock()
	defer f.mu.Unlock()
	f.appends++
	events := f.streams[stream]
	current := int64(len(events)) - 1
	success := func(last *fakeEvent, idempotent bool) error {
		res := &api.AppendResp_Success{CurrentRevisionOption: &api.AppendResp_Success_CurrentRevision{CurrentRevision: last.rev}}
		if idempotent && f.noIdempotentPosition {
			res.PositionOption = &api.AppendResp_Success_NoPosition{NoPosition: &shared.Empty{}}
		} else {
			res.PositionOption = &api.AppendResp_Success_Position{Position: &api.AppendResp_Position{CommitPosition: last.pos, PreparePosition: last.pos}}
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

	if expected == expectStreamExists && current < 0 {
		return wrong()
	}
	if expected == expectAny || expected == expectStreamExists {
		var last *fakeEvent
		for i, id := range ids {
			e, ok := f.cache[id]
			if !ok || e.stream != stream {
				if i == 0 {
					return f.commit(stream, proposed, ids, success)
				}
				return wrong() // corrupted idempotency
			}
			last = e
		}
		return success(last, true)
	}
	if expected < current {
		for i, id := range ids {
			n := expected + 1 + int64(i)
			if n <= current && events[n].id == id {
				continue
			}
			return wrong() // the first differs: a conflict; a later one: corrupted idempotency
		}
		return success(events[expected+int64(len(ids))], true)
	}
	if expected > current {
		return wrong()
	}
	return f.commit(stream, proposed, ids, success)
}

func (f *fakeServer) commit(stream string, proposed []*api.AppendReq_ProposedMessage, ids []uuid.UUID, success func(*fakeEvent, bool) error) error {
	var last *fakeEvent
	for i, p := range proposed {
		last = f.writeID(ids[i], stream, p.GetMetadata()["type"], p.GetData(), p.GetCustomMetadata())
	}
	return success(last, false)
}

// Read serves stream reads, $all reads and $all subscriptions.
func (f *fakeServer) Read(req *api.ReadReq, srv api.Streams_ReadServer) error {
	o := req.GetOptions()
	backwards := o.GetReadDirection() == api.ReadReq_Options_Backwards
	if so, ok := o.GetStreamOption().(*api.ReadReq_Options_Stream); ok {
		return f.readStream(so.Stream, backwards, o.GetCount(), srv)
	}
	from := o.GetAll()
	if _, ok := o.GetCountOption().(*api.ReadReq_Options_Subscription); ok {
		return f.subscribe(from, o.GetFilter(), srv)
	}
	return f.readAll(from, backwards, o.GetCount(), srv)
}

func (f *fakeServer) readStream(so *api.ReadReq_Options_StreamOptions, backwards bool, count uint64, srv api.Streams_ReadServer) error {
	stream := string(so.GetStreamIdentifier().GetStreamName())
	f.mu.Lock()
	events := f.streams[stream]
	f.mu.Unlock()
	if len(events) == 0 {
		return srv.Send(&api.ReadResp{Content: &api.ReadResp_StreamNotFound_{StreamNotFound: &api.ReadResp_StreamNotFound{
			StreamIdentifier: &shared.StreamIdentifier{StreamName: []byte(stream)}}}})
	}
	last := int64(len(events)) - 1
	var out []*fakeEvent
	switch r := so.GetRevisionOption().(type) {
	case *api.ReadReq_Options_StreamOptions_End:
		if backwards {
			out = window(events, last-int64(count)+1, last, true)
		}
	case *api.ReadReq_Options_StreamOptions_Start:
		if backwards {
			out = window(events, 0, 0, true)
		} else {
			out = window(events, 0, int64(count)-1, false)
		}
	case *api.ReadReq_Options_StreamOptions_Revision:
		from := int64(r.Revision)
		if backwards { // no clamping, like the server's IndexReader
			out = window(events, from-int64(count)+1, from, true)
		} else {
			out = window(events, from, from+int64(count)-1, false)
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
func window(events []*fakeEvent, lo, hi int64, backwards bool) []*fakeEvent {
	lo = max(lo, 0)
	hi = min(hi, int64(len(events))-1)
	var out []*fakeEvent
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
func (f *fakeServer) readAll(from *api.ReadReq_Options_AllOptions, backwards bool, count uint64, srv api.Streams_ReadServer) error {
	f.mu.Lock()
	log := f.log
	f.mu.Unlock()
	var out []*fakeEvent
	if backwards {
		before := uint64(math.MaxUint64)
		if p := from.GetPosition(); p != nil {
			before = p.GetCommitPosition()
		}
		for i := len(log) - 1; i >= 0 && uint64(len(out)) < count; i-- {
			if log[i].pos < before {
				out = append(out, log[i])
			}
		}
	} else {
		var after uint64
		if p := from.GetPosition(); p != nil {
			after = p.GetCommitPosition()
		}
		if from.GetEnd() != nil {
			after = math.MaxUint64
		}
		for _, e := range log {
			if e.pos >= after && uint64(len(out)) < count {
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

// subscribe confirms, sends the events after the start position that pass
// the filter, then new ones as they come, until the client leaves, the
// subscription is dropped or the server stops.
func (f *fakeServer) subscribe(from *api.ReadReq_Options_AllOptions, filter *api.ReadReq_Options_FilterOptions, srv api.Streams_ReadServer) error {
	f.mu.Lock()
	f.subscribes++
	dropped := f.dropped
	f.mu.Unlock()
	var match func(*fakeEvent) bool = func(*fakeEvent) bool { return true }
	if filter != nil {
		if ex := filter.GetStreamIdentifier(); ex != nil {
			re := regexp.MustCompile(ex.GetRegex())
			match = func(e *fakeEvent) bool { return re.MatchString(e.stream) }
		}
		if ex := filter.GetEventType(); ex != nil {
			re := regexp.MustCompile(ex.GetRegex())
			match = func(e *fakeEvent) bool { return re.MatchString(e.typ) }
		}
	}
	if err := srv.Send(&api.ReadResp{Content: &api.ReadResp_Confirmation{Confirmation: &api.ReadResp_SubscriptionConfirmation{SubscriptionId: uuid.NewString()}}}); err != nil {
		return err
	}
	var after uint64 // exclusive
	if p := from.GetPosition(); p != nil {
		after = p.GetCommitPosition()
	}
	caughtUp := false
	next := 0 // the log only grows: carry on where the last pass ended
	for {
		f.mu.Lock()
		log, changed := f.log, f.changed
		f.mu.Unlock()
		for ; next < len(log); next++ {
			e := log[next]
			if e.pos <= after {
				continue
			}
			after = e.pos
			if !match(e) {
				continue
			}
			if err := srv.Send(readEvent(e)); err != nil {
				return err
			}
		}
		if !caughtUp {
			caughtUp = true
			if err := srv.Send(&api.ReadResp{Content: &api.ReadResp_CaughtUp_{CaughtUp: &api.ReadResp_CaughtUp{}}}); err != nil {
				return err
			}
		}
		select {
		case <-changed:
		case <-dropped:
			return status.Error(codes.Unavailable, "subscription dropped by the fake server")
		case <-srv.Context().Done():
			return srv.Context().Err()
		}
	}
}

func readEvent(e *fakeEvent) *api.ReadResp {
	most, least := int64(beUint(e.id[:8])), int64(beUint(e.id[8:]))
	return &api.ReadResp{Content: &api.ReadResp_Event{Event: &api.ReadResp_ReadEvent{
		Event: &api.ReadResp_ReadEvent_RecordedEvent{
			Id:               &shared.UUID{Value: &shared.UUID_Structured_{Structured: &shared.UUID_Structured{MostSignificantBits: most, LeastSignificantBits: least}}},
			StreamIdentifier: &shared.StreamIdentifier{StreamName: []byte(e.stream)},
			StreamRevision:   e.rev,
			PreparePosition:  e.pos,
			CommitPosition:   e.pos,
			Metadata: map[string]string{
				"type":         e.typ,
				"content-type": "application/json",
				"created":      strconv.FormatInt(e.recorded.UnixNano()/100, 10),
			},
			CustomMetadata: e.meta,
			Data:           e.data,
		},
		Position: &api.ReadResp_ReadEvent_CommitPosition{CommitPosition: e.pos},
	}}}
}

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

// newFakeStore connects a Store to f and closes it when the test ends.
func newFakeStore(t testing.TB, f *fakeServer) *Store {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	s, err := New(ctx, Config{URL: f.url(), RetryMin: 10 * time.Millisecond, RetryMax: 100 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}
