package esdbtest

import (
	"net"
	"strconv"
	"sync"
	"testing"
	"time"

	api "github.com/EventStore/EventStore-Client-Go/v4/protos/streams"
	"github.com/google/uuid"
	"google.golang.org/grpc"
)

// DefaultMaxAppendSize is the server's default maximum append size, 1 MiB.
const DefaultMaxAppendSize = 1 << 20

// Server is a running stand-in. It is safe for concurrent use.
type Server struct {
	api.UnimplementedStreamsServer

	st     *state  // the log, shared with followers
	leader *Server // set on a follower: writes answer NotLeader

	mu      sync.Mutex
	faults  map[Op][]Fault
	always  map[Op]Fault
	delay   time.Duration // appends wait this long before they are handled
	addr    string
	srv     *grpc.Server
	stopped bool
}

// state is the log of one stand-in and its followers.
type state struct {
	mu      sync.Mutex
	log     []*event            // $all, in order
	streams map[string][]*event // by revision
	// cache is the bounded cache of committed event ids that Any and
	// StreamExists appends consult; a restart empties it.
	cache      map[uuid.UUID]*event
	next       uint64        // log position of the next record
	changed    chan struct{} // closed and replaced when the log grows
	ended      chan struct{} // closed and replaced to end live subscriptions
	endWith    Fault         // the status they end with
	behind     chan struct{} // closed and replaced to make them fall behind
	maxAppend  int
	noIdemPos  bool
	appends    int
	subscribes int
}

type event struct {
	id       uuid.UUID
	stream   string
	rev      uint64
	commit   uint64
	prepare  uint64
	typ      string
	data     []byte
	meta     []byte
	recorded time.Time
}

// after reports whether e lies after the position (commit, prepare).
func (e *event) after(commit, prepare uint64) bool {
	return e.commit > commit || e.commit == commit && e.prepare > prepare
}

// Start starts a stand-in on a free port of 127.0.0.1, with a couple of
// system events in its log, and stops it when the test ends.
func Start(tb testing.TB) *Server {
	tb.Helper()
	st := &state{
		streams:   map[string][]*event{},
		cache:     map[uuid.UUID]*event{},
		next:      1000,
		changed:   make(chan struct{}),
		ended:     make(chan struct{}),
		behind:    make(chan struct{}),
		maxAppend: DefaultMaxAppendSize,
	}
	st.writeBatch("$stats-127.0.0.1:2113", []proposal{{id: uuid.New(), typ: "$statsCollected", data: []byte(`{}`)}})
	st.writeBatch("$$order-0", []proposal{{id: uuid.New(), typ: "$metadata", data: []byte(`{"$maxAge":1}`)}})
	return listen(tb, &Server{st: st})
}

// StartFollower starts a follower of leader: it serves reads and
// subscriptions from the leader's log and answers every append with
// NotLeader and the leader's endpoint, as a follower asked for a write that
// requires the leader does. The v4 client then connects to the leader.
func StartFollower(tb testing.TB, leader *Server) *Server {
	tb.Helper()
	return listen(tb, &Server{st: leader.st, leader: leader})
}

func listen(tb testing.TB, s *Server) *Server {
	tb.Helper()
	s.faults = map[Op][]Fault{}
	s.always = map[Op]Fault{}
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatalf("esdbtest: listen: %v", err)
	}
	s.addr = lis.Addr().String()
	s.serve(lis)
	tb.Cleanup(s.Stop)
	return s
}

func (s *Server) serve(lis net.Listener) {
	srv := grpc.NewServer()
	api.RegisterStreamsServer(srv, s)
	s.mu.Lock()
	s.srv, s.stopped = srv, false
	s.mu.Unlock()
	go func() { _ = srv.Serve(lis) }()
}

// Addr is the host:port the stand-in listens on.
func (s *Server) Addr() string { return s.addr }

// URL is the esdb:// connection string of the stand-in, without TLS, and
// with a client discovery that gives up after two quick attempts, so that
// tests see the client close itself while the stand-in is stopped.
func (s *Server) URL() string {
	return "esdb://" + s.addr + "?tls=false&maxDiscoverAttempts=2&discoveryInterval=20&gossipTimeout=1"
}

// Stop stops serving at once, cutting every call and subscription. It is
// safe to call more than once.
func (s *Server) Stop() {
	s.mu.Lock()
	srv := s.srv
	s.stopped = true
	s.mu.Unlock()
	srv.Stop()
}

// Restart serves again on the same address with the same log and an empty
// idempotency cache, as a restarted server has.
func (s *Server) Restart(tb testing.TB) {
	tb.Helper()
	var lis net.Listener
	var err error
	for range 50 { // the port may take a moment to be free again
		if lis, err = net.Listen("tcp", s.addr); err == nil {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err != nil {
		tb.Fatalf("esdbtest: listen again on %s: %v", s.addr, err)
	}
	s.ForgetIdempotency()
	s.serve(lis)
}

// ForgetIdempotency empties the cache of recent event ids that Any and
// StreamExists appends consult, as a restart of the server does.
func (s *Server) ForgetIdempotency() {
	s.st.mu.Lock()
	defer s.st.mu.Unlock()
	s.st.cache = map[uuid.UUID]*event{}
}

// SetMaxAppendSize sets the maximum size of one append, in the server's
// measure (data, metadata and twice the event type's length, summed over
// the batch); DefaultMaxAppendSize at start.
func (s *Server) SetMaxAppendSize(n int) {
	s.st.mu.Lock()
	defer s.st.mu.Unlock()
	s.st.maxAppend = n
}

// OmitIdempotentPosition makes appends found to be repeats answer without a
// log position, as servers before 22.6 did.
func (s *Server) OmitIdempotentPosition(omit bool) {
	s.st.mu.Lock()
	defer s.st.mu.Unlock()
	s.st.noIdemPos = omit
}

// DelayAppends makes every append wait d before it is handled; an append
// whose caller gives up meanwhile (the client's deadline) writes nothing.
func (s *Server) DelayAppends(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.delay = d
}

// Counts returns the number of append requests the cluster's nodes read
// and did not answer with an injected fault or NotLeader (those refused as
// too large included), and of subscription requests received.
func (s *Server) Counts() (appends, subscribes int) {
	s.st.mu.Lock()
	defer s.st.mu.Unlock()
	return s.st.appends, s.st.subscribes
}

// Write appends one event to stream directly, outside any expectation, and
// returns its commit and prepare positions: for the server's own events
// ("$stats-…", "$streamDeleted") and for filling the log fast.
func (s *Server) Write(stream, eventType string, data []byte) (commit, prepare uint64) {
	s.st.mu.Lock()
	defer s.st.mu.Unlock()
	last := s.st.writeBatch(stream, []proposal{{id: uuid.New(), typ: eventType, data: data}})
	return last.commit, last.prepare
}

// proposal is an event of an append request.
type proposal struct {
	id   uuid.UUID
	typ  string
	data []byte
	meta []byte
}

// writeBatch stores a batch as the server does: a prepare record per event,
// then one commit record. Every event carries the commit record's position
// as its commit position and its own record's as its prepare position. The
// caller holds st.mu or owns st.
func (st *state) writeBatch(stream string, batch []proposal) *event {
	now := time.Now()
	events := make([]*event, len(batch))
	for i, p := range batch {
		events[i] = &event{id: p.id, stream: stream, rev: uint64(len(st.streams[stream]) + i),
			prepare: st.next, typ: p.typ, data: p.data, meta: p.meta, recorded: now}
		st.next += 100 + uint64(len(p.data)+len(p.meta))
	}
	commit := st.next
	st.next += 50
	for _, e := range events {
		e.commit = commit
		st.streams[stream] = append(st.streams[stream], e)
		st.log = append(st.log, e)
		st.cache[e.id] = e
	}
	close(st.changed)
	st.changed = make(chan struct{})
	return events[len(events)-1]
}

// leaderEndpoint splits the leader's address for the NotLeader trailers.
func (s *Server) leaderEndpoint() (host, port string) {
	h, p, _ := net.SplitHostPort(s.leader.addr)
	if _, err := strconv.Atoi(p); err != nil {
		return h, "0"
	}
	return h, p
}
