package command_test

import (
	"context"
	"errors"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/orderflow/orderflow/eventstore"
	"github.com/orderflow/orderflow/write/command"
	"github.com/orderflow/orderflow/write/domain"
)

// recorder is an Observer that keeps what it heard.
type recorder struct {
	mu        sync.Mutex
	done      []string // category/outcome/appended
	conflicts int
}

func (r *recorder) CommandDone(category, outcome string, appended int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.done = append(r.done, category+"/"+outcome+"/"+strconv.Itoa(appended))
}

func (r *recorder) Conflict(string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.conflicts++
}

func TestObserverHearsEveryOutcome(t *testing.T) {
	h, s := newHandler(t)
	rec := &recorder{}
	h.SetObserver(rec)
	ctx := context.Background()
	noop := func(counter, time.Time) ([]domain.Event, error) { return nil, nil }

	mustRun := func(res command.Result, err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	mustRun(command.Create(ctx, h, counters, "o", command.Meta{}, increment(2)))
	mustRun(command.Execute(ctx, h, counters, "o", command.Meta{IdempotencyKey: "k"}, increment(2)))
	mustRun(command.Execute(ctx, h, counters, "o", command.Meta{IdempotencyKey: "k"}, increment(2)))
	if _, err := command.Execute(ctx, h, counters, "o", command.Meta{}, increment(2)); !errors.Is(err, errLimit) {
		t.Fatalf("err = %v, want errLimit", err)
	}
	mustRun(command.Execute(ctx, h, counters, "o", command.Meta{}, noop))
	// Another writer appends between the command's read and its append:
	// the command conflicts once, decides again, and succeeds.
	interfered := false
	interfere := func(c counter, now time.Time) ([]domain.Event, error) {
		if !interfered {
			interfered = true
			if _, err := s.Append(ctx, "counter-o", eventstore.Any, eventstore.EventData{ID: command.EventID("counter-o", "other", 0), Type: "counter.incremented", Data: []byte(`{"v":1,"by":-1}`)}); err != nil {
				return nil, err
			}
		}
		return increment(3)(c, now)
	}
	mustRun(command.Execute(ctx, h, counters, "o", command.Meta{}, interfere))

	want := []string{"counter/appended/1", "counter/appended/1", "counter/replayed/0", "counter/rejected/0", "counter/unchanged/0", "counter/appended/1"}
	rec.mu.Lock()
	defer rec.mu.Unlock()
	if len(rec.done) != len(want) {
		t.Fatalf("heard %v, want %v", rec.done, want)
	}
	for i := range want {
		if rec.done[i] != want[i] {
			t.Fatalf("heard %v, want %v", rec.done, want)
		}
	}
	if rec.conflicts != 1 {
		t.Fatalf("heard %d conflicts, want 1", rec.conflicts)
	}
}
