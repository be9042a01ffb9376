package main

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"
)

func TestSuperviseRestartsWhatFails(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	logs := &logSink{}
	var runs atomic.Int32
	done := make(chan struct{})
	go func() {
		defer close(done)
		supervise(ctx, newLogger(logs, 0), "the part", func(ctx context.Context) error {
			if runs.Add(1) < 3 {
				return errors.New("boom")
			}
			<-ctx.Done()
			return ctx.Err()
		})
	}()
	rec := logs.waitFor(t, "the part stopped; starting it again", 10*time.Second)
	if rec["err"] != "boom" || rec["in"] != "1s" {
		t.Fatalf("log %v", rec)
	}
	deadline := time.Now().Add(10 * time.Second)
	for runs.Load() < 3 {
		if time.Now().After(deadline) {
			t.Fatalf("ran %d times, want 3", runs.Load())
		}
		time.Sleep(10 * time.Millisecond)
	}
	cancel()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("supervise did not return once its context ended")
	}
	if runs.Load() != 3 {
		t.Fatalf("ran %d times after the third run lasted, want 3", runs.Load())
	}
}
