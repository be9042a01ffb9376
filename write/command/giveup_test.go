package command_test

import (
	"context"
	"errors"
	"log/slog"
	"testing"
	"time"

	"github.com/orderflow/orderflow/eventstore"
	"github.com/orderflow/orderflow/platform/logtest"
	"github.com/orderflow/orderflow/write/command"
	"github.com/orderflow/orderflow/write/domain"
)

// TestGiveUpIsLoggedAndCounted: a command whose stream another process
// changes before every append, until its caller's deadline passes, gives
// up with one WARN line naming the stream and the correlation id, and the
// observer counts it as gave_up.
func TestGiveUpIsLoggedAndCounted(t *testing.T) {
	deadline := time.Now().Add(5 * time.Second)
	ctx, cancel := context.WithDeadline(context.Background(), deadline)
	defer cancel()
	// The caller's deadline passes after three conflicts.
	outcome, logs, rec, err := contend(t, ctx, "busy", func() { time.Sleep(time.Until(deadline) + 10*time.Millisecond) })
	if !errors.Is(err, context.DeadlineExceeded) || outcome != "counter/"+command.OutcomeGaveUp+"/0" {
		t.Fatalf("err = %v, observer heard %s; want the context's and one gave_up", err, outcome)
	}
	var gaveUp []map[string]any
	for _, r := range logs.Records(t) {
		if r["msg"] == "command gave up" {
			gaveUp = append(gaveUp, r)
		}
	}
	if len(gaveUp) != 1 || gaveUp[0]["level"] != "WARN" || gaveUp[0]["stream"] != "counter-busy" || gaveUp[0]["correlation_id"] != "corr-busy" {
		t.Fatalf("log:\n%s\nwant one WARN line with the stream and the correlation id", logs.String())
	}
	rec.mu.Lock()
	defer rec.mu.Unlock()
	if rec.conflicts != 3 {
		t.Fatalf("%d conflicts, want 3", rec.conflicts)
	}
}

// TestCallerGoneIsNotAGiveUp: a command whose caller goes away (its
// context cancelled, as when a process stops) while other processes keep
// changing the stream ends with the context's error, no WARN line, and
// counts as failed, not gave_up.
func TestCallerGoneIsNotAGiveUp(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	// The caller goes away after three conflicts.
	outcome, logs, _, err := contend(t, ctx, "gone", cancel)
	if !errors.Is(err, context.Canceled) || outcome != "counter/"+command.OutcomeFailed+"/0" {
		t.Fatalf("err = %v, observer heard %s; want the context's and one failed", err, outcome)
	}
	for _, r := range logs.Records(t) {
		if r["msg"] == "command gave up" {
			t.Fatalf("log:\n%s\nwant no give-up line for a caller that went away", logs.String())
		}
	}
}

// contend executes a command on counter id with ctx while another writer
// appends to its stream before every append of the command, and calls
// fourth before the fourth decision (after three conflicts). It returns
// the one outcome the observer heard, the log, the observer and the
// command's error.
func contend(t *testing.T, ctx context.Context, id string, fourth func()) (string, *logtest.Sink, *recorder, error) {
	t.Helper()
	h, s := newHandler(t)
	logs := &logtest.Sink{}
	h.SetLogger(slog.New(slog.NewJSONHandler(logs, nil)))
	rec := &recorder{}
	h.SetObserver(rec)
	stream := "counter-" + id
	calls := 0
	interfere := func(c counter, now time.Time) ([]domain.Event, error) {
		calls++
		if calls == 4 {
			fourth()
		}
		if _, err := s.Append(context.Background(), stream, eventstore.Any, eventstore.EventData{ID: command.EventID(stream, "other", calls), Type: "counter.incremented", Data: []byte(`{"v":1,"by":1}`)}); err != nil {
			return nil, err
		}
		return increment(1000)(c, now)
	}
	_, err := command.Execute(ctx, h, cachedCounters, id, command.Meta{CorrelationID: "corr-" + id}, interfere)
	for {
		rec.mu.Lock()
		heard := append([]string(nil), rec.done...)
		rec.mu.Unlock()
		if len(heard) > 0 {
			if len(heard) != 1 {
				t.Fatalf("observer heard %v, want one outcome", heard)
			}
			return heard[0], logs, rec, err
		}
		time.Sleep(time.Millisecond)
	}
}
