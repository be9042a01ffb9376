package esdb_test

import (
	"context"
	"log/slog"
	"os"
	"testing"
	"time"

	"github.com/orderflow/orderflow/eventstore"
	"github.com/orderflow/orderflow/eventstore/esdb"
	"github.com/orderflow/orderflow/eventstore/esdb/esdbtest"
	"github.com/orderflow/orderflow/eventstore/eventstoretest"
)

// TestContract runs the shared contract suite against the EventStoreDB
// server EVENTSTORE_URL names, or, when it is unset, against the stand-in
// of esdbtest, and says plainly which of the two it ran against: passing
// against the stand-in is not verification against EventStoreDB.
func TestContract(t *testing.T) {
	url := os.Getenv("EVENTSTORE_URL")
	if url == "" {
		t.Log("EVENTSTORE_URL is not set: running the contract suite against the esdbtest stand-in, NOT against EventStoreDB; set it to e.g. esdb://localhost:2113?tls=false to run it against a real server")
	} else {
		t.Log("running the contract suite against the EventStoreDB server EVENTSTORE_URL names")
	}
	logger := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	eventstoretest.TestContract(t, func(t testing.TB) eventstore.Store {
		t.Helper()
		target := url
		if target == "" {
			f := esdbtest.Start(t)
			f.SetMaxAppendSize(2 << 20) // as the README asks of a real server
			target = f.URL()
		}
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		s, err := esdb.New(ctx, esdb.Config{URL: target, MaxAppendSize: 2 << 20, Logger: logger})
		if err != nil {
			t.Fatalf("connect to the event store: %v", err)
		}
		t.Cleanup(func() {
			if err := s.Close(); err != nil {
				t.Errorf("close the store: %v", err)
			}
		})
		return s
	})
}
