package command_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/orderflow/orderflow/eventstore"
	"github.com/orderflow/orderflow/eventstore/esdb"
	"github.com/orderflow/orderflow/eventstore/esdb/esdbtest"
	"github.com/orderflow/orderflow/write/command"
)

// TestBatchOverTheAppendLimitIsSplit: commands decided together whose
// events are more than the store takes in one append (EventStoreDB's
// maximum append size, on the esdbtest stand-in, configured on the adapter
// as in production) are appended in smaller
// groups, each keeping its own outcome; a command whose own events are too
// large fails alone with ErrTooLarge.
func TestBatchOverTheAppendLimitIsSplit(t *testing.T) {
	f := esdbtest.Start(t)
	f.SetMaxAppendSize(1000) // one event of these fits, two do not
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	s, err := esdb.New(ctx, esdb.Config{URL: f.URL(), MaxAppendSize: 1000})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	h := command.NewHandler(s, time.Now)
	pad := command.Meta{UserID: strings.Repeat("u", 500)}

	release := holdWriter(t, h, cachedCounters, "big")
	run := func(meta command.Meta) func() (command.Result, error) {
		return func() (command.Result, error) {
			return command.Execute(ctx, h, cachedCounters, "big", meta, increment(100))
		}
	}
	outs := queue(t, h, cachedCounters, "big", run(pad), run(pad), run(command.Meta{UserID: strings.Repeat("u", 1200)}), run(pad))
	if first := release(); first.err != nil || first.res.Revision != 0 {
		t.Fatalf("held command: %+v", first)
	}
	var revisions []int64
	for i, out := range outs {
		o := <-out
		if i == 2 {
			if !errors.Is(o.err, eventstore.ErrTooLarge) {
				t.Fatalf("command %d, alone over the limit: %+v, want ErrTooLarge", i, o)
			}
			continue
		}
		if o.err != nil {
			t.Fatalf("command %d: %v", i, o.err)
		}
		revisions = append(revisions, o.res.Revision)
	}
	if len(revisions) != 3 || revisions[0] != 1 || revisions[1] != 2 || revisions[2] != 3 {
		t.Fatalf("revisions %v, want 1, 2, 3", revisions)
	}
	stored, err := s.ReadStream(ctx, cachedCounters.Stream("big"), eventstore.ReadOptions{Count: 10})
	if err != nil || len(stored) != 4 {
		t.Fatalf("stream holds %d events (%v), want 4", len(stored), err)
	}
}
