package esdb_test

import (
	"context"
	"log/slog"
	"os"
	"testing"
	"time"

	"github.com/orderflow/orderflow/eventstore"
	"github.com/orderflow/orderflow/eventstore/esdb"
	"github.com/orderflow/orderflow/eventstore/eventstoretest"
)

// TestContract runs the shared contract suite against the EventStoreDB
// server EVENTSTORE_URL names, and says so plainly when there is none.
func TestContract(t *testing.T) {
	url := os.Getenv("EVENTSTORE_URL")
	if url == "" {
		t.Skip("EventStoreDB contract suite skipped: EVENTSTORE_URL is not set (no EventStoreDB server here); set it to e.g. esdb://localhost:2113?tls=false to run it")
	}
	logger := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	eventstoretest.TestContract(t, func(t testing.TB) eventstore.Store {
		t.Helper()
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		s, err := esdb.New(ctx, esdb.Config{URL: url, Logger: logger})
		if err != nil {
			t.Fatalf("connect to the EventStoreDB server EVENTSTORE_URL names: %v", err)
		}
		t.Cleanup(func() {
			if err := s.Close(); err != nil {
				t.Errorf("close the store: %v", err)
			}
		})
		return s
	})
}
