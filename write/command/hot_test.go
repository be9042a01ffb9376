package command_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/orderflow/orderflow/eventstore"
	"github.com/orderflow/orderflow/write/command"
)

// TestHotStreamTwoProcesses runs 400 concurrent commands on one stream
// through two handlers (two processes): every one lands exactly once, none
// gives up, whatever the conflicts between the two.
func TestHotStreamTwoProcesses(t *testing.T) {
	h1, s := newHandler(t)
	h2 := command.NewHandler(s, time.Now)
	rec := &recorder{}
	h1.SetObserver(rec)
	h2.SetObserver(rec)
	ctx := context.Background()
	const commands = 400
	var wg sync.WaitGroup
	errs := make(chan error, commands)
	for i := range commands {
		h := h1
		if i%2 == 1 {
			h = h2
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := command.Execute(ctx, h, cachedCounters, "hot", command.Meta{}, increment(1_000_000))
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if errors.Is(err, command.ErrTooManyConflicts) {
			t.Fatalf("a command gave up: %v", err)
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	stored, err := s.ReadStream(ctx, "counter-hot", eventstore.ReadOptions{Count: 2 * commands})
	if err != nil || len(stored) != commands {
		t.Fatalf("stream holds %d events (%v), want %d", len(stored), err, commands)
	}
	rec.mu.Lock()
	defer rec.mu.Unlock()
	appended := 0
	for _, d := range rec.done {
		if d == "counter/appended/1" {
			appended++
		}
		if strings.Contains(d, command.OutcomeGaveUp) {
			t.Fatalf("observer heard %s", d)
		}
	}
	if appended != commands {
		t.Fatalf("observer heard %d appended commands, want %d", appended, commands)
	}
	t.Logf("%d conflicts between the two handlers", rec.conflicts)
}
