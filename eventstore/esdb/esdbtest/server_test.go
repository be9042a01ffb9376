package esdbtest_test

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/EventStore/EventStore-Client-Go/v4/esdb"

	"github.com/orderflow/orderflow/eventstore/esdb/esdbtest"
)

// TestFilteredSubscriptionMessages holds the stand-in to the messages the
// server sends on a filtered subscription to $all, as read from its
// Enumerator.AllSubscriptionFiltered: while catching up, a checkpoint
// after each page of 32 considered events (at the last event sent in the
// page, or where the page began), none at the end of the log, then
// CaughtUp; live, a checkpoint every 32 considered events; FellBehind,
// catch-up and CaughtUp again when it falls behind.
func TestFilteredSubscriptionMessages(t *testing.T) {
	s := esdbtest.Start(t) // two system events first
	type pos struct{ commit, prepare uint64 }
	at := func(c, p uint64) pos { return pos{c, p} }
	mine := at(s.Write("mine-1", "e", []byte(`{}`)))
	var others []pos
	for i := range 100 {
		others = append(others, at(s.Write(fmt.Sprintf("other-%d", i%3), "e", []byte(`{}`))))
	}

	conf, err := esdb.ParseConnectionString(s.URL())
	if err != nil {
		t.Fatal(err)
	}
	conf.Logger = esdb.NoopLogging()
	c, err := esdb.NewClient(conf)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	sub, err := c.SubscribeToAll(ctx, esdb.SubscribeToAllOptions{From: esdb.Start{},
		Filter: &esdb.SubscriptionFilter{Type: esdb.StreamFilterType, Regex: "^mine"}})
	if err != nil {
		t.Fatal(err)
	}
	defer sub.Close()

	// what names the next message: "event c.p", "checkpoint c.p", "caught up"
	// or "fell behind".
	what := func() string {
		t.Helper()
		for {
			m := sub.Recv()
			switch {
			case m.SubscriptionDropped != nil:
				t.Fatalf("dropped: %v", m.SubscriptionDropped.Error)
			case m.EventAppeared != nil:
				p := m.EventAppeared.OriginalEvent().Position
				return fmt.Sprintf("event %d.%d", p.Commit, p.Prepare)
			case m.CheckPointReached != nil:
				return fmt.Sprintf("checkpoint %d.%d", m.CheckPointReached.Commit, m.CheckPointReached.Prepare)
			case m.CaughtUp != nil:
				return "caught up"
			case m.FellBehind != nil:
				return "fell behind"
			}
		}
	}
	name := func(kind string, p pos) string { return fmt.Sprintf("%s %d.%d", kind, p.commit, p.prepare) }
	expect := func(want ...string) {
		t.Helper()
		for _, w := range want {
			if got := what(); got != w {
				t.Fatalf("got %q, want %q", got, w)
			}
		}
	}
	if mine.commit == mine.prepare {
		t.Fatalf("commit and prepare positions are equal (%v)", mine)
	}
	// The log: 2 system events, mine, 100 others. Pages: [0,32) sends mine,
	// [32,64) and [64,96) send nothing, [96,103) ends the log.
	expect(name("event", mine), name("checkpoint", mine), name("checkpoint", others[29]), name("checkpoint", others[61]), "caught up")

	// Live: the last page's 7 events count towards the first interval.
	var live []pos
	for i := range 40 {
		live = append(live, at(s.Write(fmt.Sprintf("other-%d", i%3), "e", []byte(`{}`))))
	}
	expect(name("checkpoint", live[24]))
	again := at(s.Write("mine-1", "e", []byte(`{}`)))
	expect(name("event", again))

	// Falling behind: FellBehind, a catch-up that finds nothing new,
	// CaughtUp; an event written meanwhile comes once, before or after.
	s.FallBehind()
	later := at(s.Write("mine-2", "e", []byte(`{}`)))
	var got []string
	for !slices.Contains(got, "caught up") || !slices.Contains(got, name("event", later)) {
		got = append(got, what())
	}
	want1 := []string{"fell behind", "caught up", name("event", later)}
	want2 := []string{"fell behind", name("event", later), "caught up"}
	if !slices.Equal(got, want1) && !slices.Equal(got, want2) {
		t.Fatalf("after falling behind: %q, want %q or %q", got, want1, want2)
	}
}
