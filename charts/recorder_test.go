package charts_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/orderflow/orderflow/charts"
	"github.com/orderflow/orderflow/platform/lease"
	"github.com/orderflow/orderflow/projections"
	"github.com/orderflow/orderflow/projections/orderview"
	"github.com/orderflow/orderflow/projections/readmodels/readmodelstest"
	"github.com/orderflow/orderflow/write/order"
)

// report writes what the payment client of owner reported, age ago.
func report(t *testing.T, e *readmodelstest.Env, owner, state string, age time.Duration) {
	t.Helper()
	_, err := e.Pool.Exec(e.Ctx(), `INSERT INTO sagas.payment_client_state (owner, state, reported_at) VALUES ($1, $2, now() - $3 * interval '1 second')
ON CONFLICT (owner) DO UPDATE SET state = excluded.state, reported_at = excluded.reported_at`, owner, state, age.Seconds())
	if err != nil {
		t.Fatal(err)
	}
}

// TestRecorderSamples records three intervals of a known sequence of
// payment client reports and a projection behind the log, and reads them
// back exactly: the first sample only notes where the counters stand,
// later ones count what grew, summed over the processes, a process first
// seen counts whole, one gone or silent counts no more and leaves the
// circuit states; a second sample of an interval adds its counts; a lost
// lease writes nothing; a sample after a pause counts nothing and prunes
// what is past the retention.
func TestRecorderSamples(t *testing.T) {
	t.Parallel()
	e := readmodelstest.New(t)
	e.Product("A", "Apple", readmodelstest.EUR(5), 100)
	statusNow := time.Now().Add(time.Minute)
	m := e.ManagerWith(projections.Config{Owner: "p", Projections: []projections.Projection{orderview.New()}, Now: func() time.Time { return statusNow }})
	stop := e.Run(m)
	e.Place("o-1", "c-1", order.LineRequest{SKU: "A", Quantity: 1})
	e.CaughtUp(orderview.Name)
	stop()
	e.Place("o-2", "c-1", order.LineRequest{SKU: "A", Quantity: 1}) // the orders are behind by one
	e.Visible()
	statuses, err := m.Status(e.Ctx())
	if err != nil {
		t.Fatal(err)
	}
	if len(statuses) != 1 || statuses[0].Behind != 1 || statuses[0].Lag < 50*time.Second {
		t.Fatalf("status %+v, want orders one event behind", statuses)
	}
	lag := fmt.Sprint(statuses[0].Lag.Seconds())

	rec, err := charts.NewRecorder(charts.RecorderConfig{Pool: e.Pool, Status: m.Status, Owner: "rec", Retention: time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	holder, err := lease.New(lease.Config{Owner: "rec", TTL: 15 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	grants, err := holder.Acquire(e.Ctx(), e.Pool, charts.LeaseName)
	if err != nil || len(grants) != 1 {
		t.Fatalf("acquire: %v %v", grants, err)
	}
	tenure := grants[0].Tenure
	record := func(seconds int) {
		t.Helper()
		if err := rec.Record(e.Ctx(), tenure, at(seconds)); err != nil {
			t.Fatal(err)
		}
	}

	report(t, e, "A", `{"breaker":"closed","answered":10,"retries":2}`, 0)
	report(t, e, "B", `{"breaker":"open","rejectedByBreaker":5}`, 0)
	record(0)
	report(t, e, "A", `{"breaker":"closed","answered":15,"retries":3}`, 0)
	report(t, e, "B", `{"breaker":"open","rejectedByBreaker":9,"unavailable":1}`, 0)
	report(t, e, "C", `{"breaker":"closed","answered":4}`, 0)
	record(5)
	if _, err := e.Pool.Exec(e.Ctx(), `DELETE FROM sagas.payment_client_state WHERE owner = 'B'`); err != nil {
		t.Fatal(err)
	}
	report(t, e, "A", `{"breaker":"half-open","answered":16,"retries":3}`, 0)
	report(t, e, "C", `{"breaker":"closed","answered":4}`, 30*time.Second)
	record(10)

	c, err := charts.New(charts.Config{Pool: e.Pool, Now: func() time.Time { return at(14) }})
	if err != nil {
		t.Fatal(err)
	}
	check := func(want map[string]string) {
		t.Helper()
		ch, err := c.Read(e.Ctx(), at(0))
		if err != nil {
			t.Fatal(err)
		}
		for name, w := range want {
			if got := values(ch.Series[name]); got != w {
				t.Errorf("%s = %s, want %s", name, got, w)
			}
		}
		if got := strings.Join(keys(ch.Series), " "); !strings.Contains(got, "lag.orders") || len(ch.Series) != 14 {
			t.Errorf("series %s, want the 13 and lag.orders", got)
		}
	}
	want := map[string]string{
		charts.PaymentAnswered:           "null 9 1",
		charts.PaymentRejectedByBreaker:  "null 4 0",
		charts.PaymentRejectedByBulkhead: "null 0 0",
		charts.PaymentUnavailable:        "null 1 0",
		charts.PaymentRetries:            "null 1 0",
		charts.CircuitClosed:             "1 2 0",
		charts.CircuitHalfOpen:           "0 0 1",
		charts.CircuitOpen:               "1 1 0",
		charts.LagPrefix + "orders":      strings.Repeat(lag+" ", 2) + lag,
		charts.OrdersPlaced:              "1 0 0", // o-1 at t0 by the Env's clock; o-2 not projected
	}
	check(want)
	var owners string
	if err := e.Pool.QueryRow(e.Ctx(), `SELECT string_agg(owner, ' ' ORDER BY owner) FROM charts.payment_counters`).Scan(&owners); err != nil || owners != "A C" {
		t.Fatalf("counters kept of %q (%v), want A and C", owners, err)
	}

	// A second sample of an interval (a takeover within it) adds its
	// counts and replaces the states.
	report(t, e, "A", `{"breaker":"closed","answered":18,"retries":3}`, 0)
	record(10)
	want[charts.PaymentAnswered], want[charts.CircuitClosed], want[charts.CircuitHalfOpen] = "null 9 3", "1 2 1", "0 0 0"
	check(want)

	// A lease lost to another process writes nothing.
	if err := holder.Release(e.Ctx(), e.Pool, tenure); err != nil {
		t.Fatal(err)
	}
	other, err := lease.New(lease.Config{Owner: "other", TTL: 15 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	if gs, err := other.Acquire(e.Ctx(), e.Pool, charts.LeaseName); err != nil || len(gs) != 1 {
		t.Fatalf("takeover: %v %v", gs, err)
	} else if err := other.Release(e.Ctx(), e.Pool, gs[0].Tenure); err != nil {
		t.Fatal(err)
	}
	if err := rec.Record(e.Ctx(), tenure, at(15)); !errors.Is(err, lease.ErrLost) {
		t.Fatalf("record after the release: %v, want lease.ErrLost", err)
	}
	if n := count(t, e, `SELECT count(*) FROM charts.samples WHERE at = $1`, at(15)); n != 0 {
		t.Fatalf("%d samples written under a lost lease", n)
	}

	// After a pause, a sample counts nothing (what grew meanwhile belongs
	// to no one interval) and the past beyond the retention goes.
	grants, err = holder.Acquire(e.Ctx(), e.Pool, charts.LeaseName)
	if err != nil || len(grants) != 1 {
		t.Fatalf("acquire again: %v %v", grants, err)
	}
	tenure = grants[0].Tenure
	report(t, e, "A", `{"breaker":"closed","answered":30,"retries":3}`, 0)
	record(300)
	if n := count(t, e, `SELECT count(*) FROM charts.samples WHERE at < $1`, at(300)); n != 0 {
		t.Errorf("%d samples older than the retention kept", n)
	}
	if n := count(t, e, `SELECT count(*) FROM charts.samples WHERE series LIKE 'payment.%'`); n != 0 {
		t.Errorf("%d payment counts after a pause, want none", n)
	}
	if n := count(t, e, `SELECT count(*) FROM charts.samples WHERE at = $1 AND series IN ('circuit.closed', 'lag.orders')`, at(300)); n != 2 {
		t.Errorf("%d states recorded after the pause, want the circuit's and the lag", n)
	}
}

// count runs a counting query.
func count(t *testing.T, e *readmodelstest.Env, sql string, args ...any) int {
	t.Helper()
	var n int
	if err := e.Pool.QueryRow(context.Background(), sql, args...).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}
