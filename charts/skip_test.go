package charts_test

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/orderflow/orderflow/charts"
	"github.com/orderflow/orderflow/eventstore/pg"
	"github.com/orderflow/orderflow/platform/logtest"
	"github.com/orderflow/orderflow/projections"
	"github.com/orderflow/orderflow/projections/orderview"
	"github.com/orderflow/orderflow/projections/readmodels/readmodelstest"
)

// TestRecorderSkipsWhatItCannotRead: with the projections' status failing
// (their event store is closed), every interval still gets the samples
// the recorder could read, and the missing lag is a WARN line and
// OnSkip.
func TestRecorderSkipsWhatItCannotRead(t *testing.T) {
	t.Parallel()
	e := readmodelstest.New(t)
	closed, err := pg.New(context.Background(), pg.Config{DatabaseURL: e.URL, MaxConns: 1})
	if err != nil {
		t.Fatal(err)
	}
	closed.Close()
	m := e.ManagerWith(projections.Config{Owner: "p", Store: closed, Projections: []projections.Projection{orderview.New()}})
	var skipped atomic.Int64
	logs := &logtest.Sink{}
	rec, err := charts.NewRecorder(charts.RecorderConfig{Pool: e.Pool, Status: m.Status, Owner: "rec", Step: time.Second,
		Logger: logs.Logger(), OnSkip: func() { skipped.Add(1) }})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- rec.Run(ctx) }()
	readmodelstest.WaitFor(t, 10*time.Second, "two intervals skipped", func() bool { return skipped.Load() >= 2 })
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("Run: %v", err)
	}
	if n := count(t, e, `SELECT count(*) FROM charts.samples WHERE series = 'circuit.closed'`); n < 2 {
		t.Errorf("%d intervals with the circuits' states, want every interval skipped to have them", n)
	}
	if n := count(t, e, `SELECT count(*) FROM charts.samples WHERE series LIKE 'lag.%'`); n != 0 {
		t.Errorf("%d lag samples without a status", n)
	}
	warned := 0
	for _, r := range logs.Warnings(t) {
		if r["msg"] == "charts recorder: the samples of an interval were not recorded; its points stay empty" {
			warned++
		}
	}
	if warned < 2 {
		t.Errorf("%d WARN lines for %d intervals skipped:\n%s", warned, skipped.Load(), logs.String())
	}
	if n := count(t, e, `SELECT count(*) FROM leases.leases WHERE name = $1 AND expires_at > clock_timestamp()`, charts.LeaseName); n != 0 {
		t.Errorf("the lease is still held after Run returned")
	}
}
