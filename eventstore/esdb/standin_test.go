package esdb

import (
	"context"
	"testing"
	"time"

	"github.com/orderflow/orderflow/eventstore/esdb/esdbtest"
)

// newStandInStore connects a Store to the stand-in f, with short
// resubscription pauses and the maximum append size given (zero for the
// default), and closes it when the test ends.
func newStandInStore(t testing.TB, f *esdbtest.Server, maxAppendSize ...int) *Store {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	cfg := Config{URL: f.URL(), RetryMin: 10 * time.Millisecond, RetryMax: 100 * time.Millisecond}
	for _, n := range maxAppendSize {
		cfg.MaxAppendSize = n
	}
	s, err := New(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}
