package charts_test

import (
	"context"
	"testing"
	"time"

	"github.com/orderflow/orderflow/charts"
	"github.com/orderflow/orderflow/projections/orderview"
	"github.com/orderflow/orderflow/projections/readmodels/readmodelstest"
)

// TestRecordersTakeOver runs two recorders: one holds the lease and
// records an interval a step; when it stops it releases the lease, and
// the other takes over and goes on recording.
func TestRecordersTakeOver(t *testing.T) {
	t.Parallel()
	e := readmodelstest.New(t)
	m := e.Manager("p", orderview.New())
	start := func(owner string) (stop func()) {
		rec, err := charts.NewRecorder(charts.RecorderConfig{Pool: e.Pool, Status: m.Status, Owner: owner, Step: time.Second})
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error, 1)
		go func() { done <- rec.Run(ctx) }()
		stop = func() {
			cancel()
			if err := <-done; err != nil {
				t.Errorf("%s: Run: %v", owner, err)
			}
		}
		t.Cleanup(func() { cancel() })
		return stop
	}
	owner := func() string {
		var o string
		_ = e.Pool.QueryRow(e.Ctx(), `SELECT owner FROM leases.leases WHERE name = $1 AND expires_at > clock_timestamp()`, charts.LeaseName).Scan(&o)
		return o
	}
	latest := func() time.Time {
		var at *time.Time
		if err := e.Pool.QueryRow(e.Ctx(), `SELECT max(at) FROM charts.samples WHERE series = 'circuit.closed'`).Scan(&at); err != nil {
			t.Fatal(err)
		}
		if at == nil {
			return time.Time{}
		}
		return *at
	}

	stop1 := start("r1")
	readmodelstest.WaitFor(t, 10*time.Second, "r1 to hold the lease", func() bool { return owner() == "r1" })
	stop2 := start("r2")
	defer stop2()
	readmodelstest.WaitFor(t, 10*time.Second, "two intervals recorded", func() bool {
		return count(t, e, `SELECT count(*) FROM charts.samples WHERE series = 'circuit.closed'`) >= 2
	})
	if o := owner(); o != "r1" {
		t.Fatalf("the lease is %q's while r1 records", o)
	}
	stop1()
	before := latest()
	readmodelstest.WaitFor(t, 5*time.Second, "r2 to take over and record", func() bool {
		return owner() == "r2" && latest().After(before)
	})
}
