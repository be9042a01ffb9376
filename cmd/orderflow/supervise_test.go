package main

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/orderflow/orderflow/platform/logtest"
	"github.com/orderflow/orderflow/sagas/fulfillment/runner"
)

func TestSuperviseRestartsWhatFails(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	logs := &logtest.Sink{}
	var runs atomic.Int32
	done := make(chan error, 1)
	go func() {
		done <- supervisor{logger: newLogger(logs, 0)}.run(ctx, "the part", func(ctx context.Context) error {
			if runs.Add(1) < 3 {
				return errors.New("boom")
			}
			<-ctx.Done()
			return ctx.Err()
		})
	}()
	rec := logs.WaitFor(t, "the part stopped; starting it again", 10*time.Second)
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
	case err := <-done:
		if err != nil {
			t.Fatalf("supervise returned %v once its context ended, want nil", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("supervise did not return once its context ended")
	}
	if runs.Load() != 3 {
		t.Fatalf("ran %d times after the third run lasted, want 3", runs.Load())
	}
}

func TestSuperviseGivesUpOnAPartThatFailsForGood(t *testing.T) {
	boom := errors.New("boom")
	tests := []struct {
		name     string
		err      error
		runs     int32   // how many times the part runs
		failures float64 // the failures count logged (a JSON number)
	}{
		{name: "permanent error", err: fmt.Errorf("fulfillment runner p1: %w", runner.ErrPartitionCount), runs: 1, failures: 1},
		{name: "failing again and again", err: boom, runs: 4, failures: 4},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			logs := &logtest.Sink{}
			var runs atomic.Int32
			s := supervisor{logger: newLogger(logs, 0), minBackoff: time.Millisecond, maxBackoff: time.Hour, maxFailures: 4}
			err := s.run(context.Background(), "the part", func(context.Context) error {
				runs.Add(1)
				return tt.err
			})
			if !errors.Is(err, tt.err) {
				t.Fatalf("run returned %v, want %v wrapped", err, tt.err)
			}
			if runs.Load() != tt.runs {
				t.Errorf("the part ran %d times, want %d", runs.Load(), tt.runs)
			}
			rec := logs.WaitFor(t, "the part failed for good; stopping the process", 0)
			if rec["level"] != "ERROR" || rec["failures"] != tt.failures || rec["err"] != tt.err.Error() {
				t.Errorf("log %v", rec)
			}
			if restarts := len(logs.Records(t)) - 1; restarts != int(tt.runs)-1 {
				t.Errorf("%d restart lines, want %d:\n%s", restarts, tt.runs-1, logs.String())
			}
		})
	}
}
