package command_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/orderflow/orderflow/eventstore"
	"github.com/orderflow/orderflow/write/command"
	"github.com/orderflow/orderflow/write/domain"
)

// cachedCounters keeps the counter's state between commands.
var cachedCounters = func() command.Aggregate[counter] {
	a := counters
	a.Clone = func(c counter) counter { return c }
	return a
}()

// outcome is what Execute returned.
type outcome struct {
	res command.Result
	err error
}

// holdWriter runs a command on stream whose decision waits until the
// returned release is called, so that the commands sent meanwhile queue up
// behind it and are decided together, as one batch.
func holdWriter(t *testing.T, h *command.Handler, agg command.Aggregate[counter], id string) (release func() outcome) {
	t.Helper()
	entered, proceed := make(chan struct{}), make(chan struct{})
	done := make(chan outcome, 1)
	go func() {
		res, err := command.Execute(context.Background(), h, agg, id, command.Meta{}, func(c counter, now time.Time) ([]domain.Event, error) {
			close(entered)
			<-proceed
			return increment(1000)(c, now)
		})
		done <- outcome{res, err}
	}()
	<-entered
	return func() outcome {
		close(proceed)
		return <-done
	}
}

// queue starts cmds on stream one after the other, each once the one
// before it waits in the writer's queue, and returns their outcomes.
func queue(t *testing.T, h *command.Handler, agg command.Aggregate[counter], id string, cmds ...func() (command.Result, error)) []chan outcome {
	t.Helper()
	outs := make([]chan outcome, len(cmds))
	for i, cmd := range cmds {
		outs[i] = make(chan outcome, 1)
		go func() {
			res, err := cmd()
			outs[i] <- outcome{res, err}
		}()
		for command.Queued(h, agg.Stream(id)) != i+1 {
			time.Sleep(time.Millisecond)
		}
	}
	return outs
}

// TestBatchKeepsEachOutcome decides three commands together: the one that
// breaks a rule gets its error, the two others are appended together, in
// one append, each with its own revision.
func TestBatchKeepsEachOutcome(t *testing.T) {
	h, s := newHandler(t)
	ctx := context.Background()
	for _, agg := range []command.Aggregate[counter]{counters, cachedCounters} {
		id := "batch-" + map[bool]string{true: "cached", false: "plain"}[agg.Clone != nil]
		release := holdWriter(t, h, agg, id)
		run := func(limit int) func() (command.Result, error) {
			return func() (command.Result, error) {
				return command.Execute(ctx, h, agg, id, command.Meta{}, increment(limit))
			}
		}
		outs := queue(t, h, agg, id, run(100), run(2), run(100))
		if first := release(); first.err != nil || first.res.Revision != 0 {
			t.Fatalf("%s: held command: %+v", id, first)
		}
		b, c, d := <-outs[0], <-outs[1], <-outs[2]
		if b.err != nil || b.res.Revision != 1 || len(b.res.Events) != 1 {
			t.Fatalf("%s: second command: %+v", id, b)
		}
		if !errors.Is(c.err, errLimit) {
			t.Fatalf("%s: third command, over its limit after the second: %+v, want errLimit", id, c)
		}
		if d.err != nil || d.res.Revision != 2 || len(d.res.Events) != 1 {
			t.Fatalf("%s: fourth command: %+v", id, d)
		}
		if b.res.Position != d.res.Position {
			t.Fatalf("%s: the batch took two appends: positions %s and %s", id, b.res.Position, d.res.Position)
		}
		stored, err := s.ReadStream(ctx, agg.Stream(id), eventstore.ReadOptions{Count: 10})
		if err != nil || len(stored) != 3 {
			t.Fatalf("%s: stream holds %d events (%v), want 3", id, len(stored), err)
		}
	}
}

// TestBatchSameKeyTwice: two commands with one idempotency key in one
// batch write once; the second gets the first's result, replayed.
func TestBatchSameKeyTwice(t *testing.T) {
	h, s := newHandler(t)
	ctx := context.Background()
	release := holdWriter(t, h, cachedCounters, "twice")
	keyed := func() (command.Result, error) {
		return command.Execute(ctx, h, cachedCounters, "twice", command.Meta{IdempotencyKey: "k"}, increment(100))
	}
	outs := queue(t, h, cachedCounters, "twice", keyed, keyed)
	release()
	a, b := <-outs[0], <-outs[1]
	if a.err != nil || a.res.Replayed || b.err != nil || !b.res.Replayed || b.res.Revision != a.res.Revision || len(b.res.Events) != 1 {
		t.Fatalf("same key twice in a batch: %+v, %+v", a, b)
	}
	if stored, _ := s.ReadStream(ctx, "counter-twice", eventstore.ReadOptions{Count: 10}); len(stored) != 2 {
		t.Fatalf("stream holds %d events, want 2", len(stored))
	}
}

// TestPanickingDecision: a decision that panics fails its own command and
// no other.
func TestPanickingDecision(t *testing.T) {
	h, _ := newHandler(t)
	ctx := context.Background()
	release := holdWriter(t, h, cachedCounters, "panic")
	outs := queue(t, h, cachedCounters, "panic",
		func() (command.Result, error) {
			return command.Execute(ctx, h, cachedCounters, "panic", command.Meta{}, func(counter, time.Time) ([]domain.Event, error) {
				panic("boom")
			})
		},
		func() (command.Result, error) {
			return command.Execute(ctx, h, cachedCounters, "panic", command.Meta{}, increment(100))
		})
	release()
	bad, good := <-outs[0], <-outs[1]
	if bad.err == nil || !strings.Contains(bad.err.Error(), "boom") {
		t.Fatalf("panicking command: %+v", bad)
	}
	if good.err != nil || good.res.Revision != 1 {
		t.Fatalf("the other command: %+v", good)
	}
}

// TestInvalidEventFailsItsCommandOnly: a command whose event the store
// refuses (over the largest event size) fails alone; the command decided
// with it is appended.
func TestInvalidEventFailsItsCommandOnly(t *testing.T) {
	h, _ := newHandler(t)
	ctx := context.Background()
	release := holdWriter(t, h, cachedCounters, "huge")
	huge := strings.Repeat("x", eventstore.MaxEventSize)
	outs := queue(t, h, cachedCounters, "huge",
		func() (command.Result, error) {
			return command.Execute(ctx, h, cachedCounters, "huge", command.Meta{UserID: huge}, increment(100))
		},
		func() (command.Result, error) {
			return command.Execute(ctx, h, cachedCounters, "huge", command.Meta{}, increment(100))
		})
	release()
	bad, good := <-outs[0], <-outs[1]
	if !errors.Is(bad.err, eventstore.ErrInvalid) {
		t.Fatalf("command with a huge event: %+v, want ErrInvalid", bad)
	}
	if good.err != nil || good.res.Revision != 1 {
		t.Fatalf("the other command: %+v", good)
	}
}
