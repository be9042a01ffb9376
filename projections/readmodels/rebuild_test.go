package readmodels_test

import (
	"testing"

	"github.com/orderflow/orderflow/projections/readmodels"
	"github.com/orderflow/orderflow/projections/readmodels/readmodelstest"
)

// dumpAll returns the tables of the live generation of every read model,
// by projection name.
func dumpAll(t *testing.T, e *readmodelstest.Env) map[string]readmodelstest.Tables {
	t.Helper()
	out := make(map[string]readmodelstest.Tables)
	for _, name := range names() {
		tables, err := readmodelstest.Dump(e.Ctx(), e.Pool, name)
		if err != nil {
			t.Fatal(err)
		}
		out[name] = tables
	}
	return out
}

// diffAll describes how got differs from want, projection by projection,
// or returns "".
func diffAll(got, want map[string]readmodelstest.Tables) string {
	var out string
	for _, name := range names() {
		if d := got[name].Diff(want[name]); d != "" {
			out += name + ":\n" + d
		}
	}
	return out
}

// TestRebuildEqualsLive builds every read model live, while a history
// with every kind of event is written, then rebuilds each from the whole
// log: every table of every read model, views and bookkeeping alike,
// holds the same rows.
func TestRebuildEqualsLive(t *testing.T) {
	t.Parallel()
	e := readmodelstest.New(t)
	saga := e.StartSaga(readmodelstest.HistoryPaymentTimeout)
	m := e.Manager("live", readmodels.All()...)
	stop := e.Run(m)
	if err := e.History(e.Ctx(), saga, 2); err != nil {
		t.Fatal(err)
	}
	saga.Stop()
	e.CaughtUp(names()...)
	stop()
	log := e.Log()
	if err := readmodelstest.AllKinds(log); err != nil {
		t.Fatal(err)
	}
	live := dumpAll(t, e)
	for _, name := range names() {
		if parked := e.Parked(m, name); len(parked) != 0 {
			t.Errorf("%s parked events: %v", name, parked)
		}
		if len(live[name]) == 0 {
			t.Fatalf("%s has no tables", name)
		}
		for table, rows := range live[name] {
			if len(rows) == 0 {
				t.Errorf("%s: table %s is empty", name, table)
			}
		}
	}

	rebuilder := e.Manager("rebuild", readmodels.All()...)
	for _, name := range names() {
		res, err := rebuilder.Rebuild(e.Ctx(), name, nil)
		if err != nil {
			t.Fatal(err)
		}
		if res.Generation != 2 || res.Events != int64(len(log)) || res.Parked != 0 {
			t.Errorf("rebuild of %s = %+v, want generation 2 from %d events, none parked", name, res, len(log))
		}
	}
	if d := diffAll(dumpAll(t, e), live); d != "" {
		t.Fatalf("rebuilt read models differ from the live ones:\n%s", d)
	}
	t.Logf("%d events", len(log))
}
