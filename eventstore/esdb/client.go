package esdb

import (
	"context"
	"fmt"
	"log/slog"
	"strings"

	"github.com/EventStore/EventStore-Client-Go/v4/esdb"
)

// newClient builds a client from the store's configuration. The client
// connects lazily, on its first call.
func (s *Store) newClient() (*esdb.Client, error) {
	conf := s.conf // NewClient keeps the pointer; give every client its own copy
	c, err := esdb.NewClient(&conf)
	if err != nil {
		return nil, fmt.Errorf("esdb: new client: %w", err)
	}
	return c, nil
}

// current returns the client calls should use, or ErrClosed.
func (s *Store) current() (*esdb.Client, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil, ErrClosed
	}
	return s.client, nil
}

// renew replaces old, a client that has closed itself, with a new one built
// from the same configuration. Several callers may notice the same dead
// client; only the first replaces it.
//
// The v4 client closes itself for good when discovery fails
// MaxDiscoverAttempts times in a row: its connection goroutine exits and
// every later call fails with ErrorCodeConnectionClosed. Closing the dead
// client then frees the calls stuck in its error path (see call).
func (s *Store) renew(old *esdb.Client) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed || s.client != old {
		return
	}
	c, err := s.newClient()
	if err != nil {
		s.log.Error("cannot rebuild the EventStoreDB client", "err", err)
		return
	}
	s.client = c
	_ = old.Close()
	s.log.Warn("the EventStoreDB client closed itself after failed discovery; built a new one")
}

// withClient runs op with the store's current client, through call, and
// runs it once more in two cases where the first attempt did nothing:
//
//   - the client turns out to have closed itself: a new one is built, as a
//     closed client fails before sending anything;
//   - a follower answered NotLeader (a write, or a read that requires the
//     leader): the client has by then connected to the leader the answer
//     names, but returns the error without retrying, whatever its
//     NodePreference. A follower refuses before doing anything, so the
//     retry cannot write twice; a second NotLeader is returned (and maps
//     to eventstore.ErrUnavailable: an election is under way).
func withClient[T any](ctx context.Context, s *Store, op func(*esdb.Client) (T, error)) (T, error) {
	for attempt := 0; ; attempt++ {
		c, err := s.current()
		if err != nil {
			var zero T
			return zero, err
		}
		v, err := call(ctx, func() (T, error) { return op(c) })
		if attempt == 0 && ctx.Err() == nil {
			switch {
			case isCode(err, esdb.ErrorCodeConnectionClosed):
				s.renew(c)
				continue
			case isCode(err, esdb.ErrorCodeNotLeader):
				s.log.Info("the node is not the leader; trying once more on the leader it named")
				continue
			}
		}
		return v, err
	}
}

// call runs op, a call of the client, on a goroutine of its own and waits
// for it or for ctx, whichever comes first.
//
// The v4 client can block for good in its error path: on Unavailable it
// tells its connection goroutine to reconnect over an unbuffered channel,
// and that goroutine reads nothing while it runs discovery and exits when
// discovery fails. The caller then gets ctx.Err() instead of hanging, and
// op's goroutine stays blocked until the client is closed, which makes the
// blocked send panic: that panic, and only that one, is recovered here.
func call[T any](ctx context.Context, op func() (T, error)) (T, error) {
	type result struct {
		v   T
		err error
	}
	done := make(chan result, 1)
	go func() {
		defer func() {
			if r := recover(); r != nil {
				if !strings.Contains(fmt.Sprint(r), "send on closed channel") {
					panic(r)
				}
				done <- result{err: fmt.Errorf("esdb client closed during the call: %v", r)}
			}
		}()
		v, err := op()
		done <- result{v, err}
	}()
	select {
	case r := <-done:
		return r.v, r.err
	case <-ctx.Done():
		var zero T
		return zero, ctx.Err()
	}
}

// clientLogger routes the client's log lines to log: its errors (a dropped
// subscription, a failed discovery) at warn level, the rest at debug level,
// as the adapter logs what matters itself.
func clientLogger(log *slog.Logger) esdb.LoggingFunc {
	return func(level esdb.LogLevel, format string, args ...any) {
		lvl := slog.LevelDebug
		if level == esdb.LogError {
			lvl = slog.LevelWarn
		}
		ctx := context.Background()
		if !log.Enabled(ctx, lvl) {
			return
		}
		log.Log(ctx, lvl, fmt.Sprintf(format, args...), "source", "esdb-client")
	}
}
