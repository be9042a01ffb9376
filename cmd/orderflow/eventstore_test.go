package main

import (
	"context"
	"errors"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/orderflow/orderflow/eventstore"
	"github.com/orderflow/orderflow/platform/dbtest"
	"github.com/orderflow/orderflow/platform/logtest"
)

// TestServeOpensTheEventStoreNamed checks that EVENTSTORE_URL selects
// EventStoreDB: serve must try it (and fail, with no server here) rather
// than fall back to PostgreSQL. The EventStoreDB adapter itself is tested
// by its contract suite.
func TestServeOpensTheEventStoreNamed(t *testing.T) {
	dbURL := dbtest.New(t)
	tests := []struct {
		name, eventStoreURL string
		wantErr             error
	}{
		{"malformed connection string", "esdb://", eventstore.ErrInvalid},
		{"no server there", "esdb://127.0.0.1:1?tls=false", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			env := envOf(map[string]string{"DATABASE_URL": dbURL, "EVENTSTORE_URL": tt.eventStoreURL})
			logs := &logtest.Sink{}
			err := run(ctx, []string{"serve", "--addr", "127.0.0.1:0"}, env, io.Discard, logs)
			if err == nil || !strings.Contains(err.Error(), "open EventStoreDB event store") {
				t.Fatalf("serve returned %v, want it to fail opening EventStoreDB", err)
			}
			if tt.wantErr != nil && !errors.Is(err, tt.wantErr) {
				t.Errorf("err = %v, want it to wrap %v", err, tt.wantErr)
			}
			if rec := logs.WaitFor(t, "orderflow starting", 0); rec["eventstore"] != "eventstoredb" {
				t.Errorf("start-up log names event store %v, want eventstoredb", rec["eventstore"])
			}
			if ctx.Err() != nil {
				t.Error("serve only gave up when the test's deadline passed")
			}
		})
	}
}
