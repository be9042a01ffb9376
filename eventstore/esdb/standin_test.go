package esdb

import (
	"context"
	"testing"
	"time"

	"github.com/orderflow/orderflow/eventstore/esdb/esdbtest"
)

// newStandInStore connects a Store to the stand-in f, with short
// resubscription pauses, and closes it when the test ends.
func newStandInStore(t testing.TB, f *esdbtest.Server) *Store {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	s, err := New(ctx, Config{URL: f.URL(), RetryMin: 10 * time.Millisecond, RetryMax: 100 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}
