package charts_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/orderflow/orderflow/charts"
	"github.com/orderflow/orderflow/projections/fulfillmentview"
	"github.com/orderflow/orderflow/projections/orderview"
	"github.com/orderflow/orderflow/projections/readmodels/readmodelstest"
	"github.com/orderflow/orderflow/sagas/fulfillment"
	"github.com/orderflow/orderflow/write/order"
)

// t0 is where the tests' clocks start: an interval's start for steps of
// 5 s.
var t0 = time.Date(2025, 3, 1, 9, 0, 0, 0, time.UTC)

// at returns t0 plus seconds.
func at(seconds int) time.Time { return t0.Add(time.Duration(seconds) * time.Second) }

// sagaEvent appends one event of the saga of order id, as the runner
// would, its time at seconds after t0.
func sagaEvent(e *readmodelstest.Env, id, typ string, seconds int, fields string) {
	e.T.Helper()
	stamp := at(seconds).Format(time.RFC3339)
	data := `{"v":1,` + fields + `"at":"` + stamp + `"}`
	if typ == fulfillment.TypeStarted {
		data = `{"v":1,"orderId":"` + id + `","customerId":"c-1","lines":[{"sku":"A","quantity":1}],"total":{"amount":5,"currency":"EUR"},` +
			`"address":{"name":"n","line1":"l","city":"c","postalCode":"1","country":"DE"},` +
			`"paymentDeadline":"2025-03-01T10:00:00Z","startedAt":"` + stamp + `"}`
	}
	e.Raw(fulfillment.StreamID(id), typ, data)
}

// TestChartCountsTheReadModels places orders and records saga steps at
// known times, and reads them back per interval of 5 s, exactly, from
// the read models, through the HTTP handler; the recorded series, never
// recorded here, are null throughout.
func TestChartCountsTheReadModels(t *testing.T) {
	t.Parallel()
	e := readmodelstest.New(t)
	e.Clock.Set(at(0))
	e.Product("A", "Apple", readmodelstest.EUR(5), 100)
	for i, seconds := range []int{1, 1, 7, 12, 15} {
		e.Clock.Set(at(seconds))
		e.Place(fmt.Sprintf("o-%d", i), "c-1", order.LineRequest{SKU: "A", Quantity: 1})
	}
	sagaEvent(e, "o-0", fulfillment.TypeStarted, 1, "")
	sagaEvent(e, "o-0", fulfillment.TypeStepRecorded, 3, `"step":"charge","outcome":"parked","cause":"provider","detail":"circuit open",`)
	sagaEvent(e, "o-0", fulfillment.TypeStepRecorded, 4, `"step":"charge","outcome":"done",`)
	sagaEvent(e, "o-0", fulfillment.TypeCompleted, 8, "")
	sagaEvent(e, "o-1", fulfillment.TypeStarted, 1, "")
	sagaEvent(e, "o-1", fulfillment.TypeStepRecorded, 6, `"step":"reserve:A","outcome":"failed","detail":"boom",`)
	sagaEvent(e, "o-1", fulfillment.TypeStepRecorded, 9, `"step":"charge","outcome":"parked","cause":"queue",`)
	sagaEvent(e, "o-1", fulfillment.TypeCompensated, 11, `"reason":"out of stock",`)
	sagaEvent(e, "o-2", fulfillment.TypeStarted, 7, "")
	sagaEvent(e, "o-2", fulfillment.TypeCompleted, 10, "")
	e.Run(e.Manager("a", orderview.New(), fulfillmentview.New()))
	e.CaughtUp(orderview.Name, fulfillmentview.Name)

	c, err := charts.New(charts.Config{Pool: e.Pool, Now: func() time.Time { return at(14) }})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(c.Handler())
	t.Cleanup(srv.Close)

	ch := getChart(t, srv.URL+"?since="+at(2).Format(time.RFC3339))
	if ch.Step != 5 || !ch.Since.Equal(at(0)) || !ch.Until.Equal(at(10)) || !slices.Equal(ch.Times, []int64{at(0).Unix(), at(5).Unix(), at(10).Unix()}) {
		t.Fatalf("window: step %d since %s until %s times %v", ch.Step, ch.Since, ch.Until, ch.Times)
	}
	// The order placed at 15 s is after now: a placement in the running
	// interval would count, one from the future does not.
	for name, want := range map[string]string{
		charts.OrdersPlaced:    "2 1 1",
		charts.OrdersCompleted: "0 1 1",
		charts.OrdersCancelled: "0 0 1",
		charts.StepsParked:     "1 1 0",
		charts.StepsFailed:     "0 1 0",
	} {
		if got := values(ch.Series[name]); got != want {
			t.Errorf("%s = %s, want %s", name, got, want)
		}
	}
	for _, name := range []string{charts.PaymentAnswered, charts.PaymentRejectedByBreaker, charts.PaymentRejectedByBulkhead,
		charts.PaymentUnavailable, charts.PaymentRetries, charts.CircuitClosed, charts.CircuitHalfOpen, charts.CircuitOpen} {
		if got := values(ch.Series[name]); got != "null null null" {
			t.Errorf("%s = %s, want nothing recorded", name, got)
		}
	}
	if len(ch.Series) != 13 {
		t.Errorf("%d series, want 13: %v", len(ch.Series), keys(ch.Series))
	}

	// The window ends now and starts no earlier than the retention, nor
	// more than MaxBuckets intervals back.
	if ch := getChart(t, srv.URL+"?since=10s"); !ch.Since.Equal(at(0)) || len(ch.Times) != 3 {
		t.Errorf("since 10s ago: since %s, %d intervals", ch.Since, len(ch.Times))
	}
	if ch := getChart(t, srv.URL+"?since=2000-01-01T00:00:00Z"); !ch.Since.Equal(at(10).Add(-(charts.MaxBuckets-1)*5*time.Second)) ||
		len(ch.Times) != charts.MaxBuckets || values(ch.Series[charts.OrdersPlaced][charts.MaxBuckets-3:]) != "2 1 1" {
		t.Errorf("since long ago: since %s, %d intervals", ch.Since, len(ch.Times))
	}
	if ch := getChart(t, srv.URL); !ch.Since.Equal(at(14).Add(-time.Hour).Truncate(5*time.Second)) || len(ch.Times) != 721 {
		t.Errorf("by default: since %s, %d intervals", ch.Since, len(ch.Times))
	}
	for _, bad := range []string{"yesterday", "-5m", "0s", at(20).Format(time.RFC3339)} {
		res, err := http.Get(srv.URL + "?since=" + bad)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != http.StatusBadRequest || res.Header.Get("Content-Type") != "application/problem+json" || !strings.Contains(string(body), `"code":"invalid-since"`) {
			t.Errorf("since=%s: %d %s %s", bad, res.StatusCode, res.Header.Get("Content-Type"), body)
		}
	}
	res, err := http.Post(srv.URL, "application/json", nil)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("POST: %d", res.StatusCode)
	}

	// The saga series are read through the fulfillment history's index by
	// time, whatever the table's size.
	var plan string
	tx, err := e.Pool.Begin(e.Ctx())
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = tx.Rollback(context.Background()) }()
	if _, err := tx.Exec(e.Ctx(), `SET LOCAL enable_seqscan = off`); err != nil {
		t.Fatal(err)
	}
	rows, err := tx.Query(e.Ctx(), `EXPLAIN SELECT date_bin('5 seconds'::interval, at, 'epoch'::timestamptz), count(*)
FROM readmodel.fulfillment_history
WHERE (outcome IN ('parked', 'failed') OR step IN ('completed', 'compensated')) AND at >= $1 AND at < $2 GROUP BY 1`, at(0), at(15))
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var line string
		if err := rows.Scan(&line); err != nil {
			t.Fatal(err)
		}
		plan += line + "\n"
	}
	if !strings.Contains(plan, "fulfillment_history_by_time") {
		t.Errorf("the saga series' plan does not use the index:\n%s", plan)
	}
}

// TestChartOfNoReadModels: before the read models' first build, their
// series are null, not zero.
func TestChartOfNoReadModels(t *testing.T) {
	t.Parallel()
	e := readmodelstest.New(t)
	c, err := charts.New(charts.Config{Pool: e.Pool, Step: 2 * time.Second, Now: func() time.Time { return at(5) }})
	if err != nil {
		t.Fatal(err)
	}
	ch, err := c.Read(e.Ctx(), at(0))
	if err != nil {
		t.Fatal(err)
	}
	if ch.Step != 2 || len(ch.Times) != 3 || values(ch.Series[charts.OrdersPlaced]) != "null null null" || values(ch.Series[charts.StepsParked]) != "null null null" {
		t.Fatalf("chart %+v", ch)
	}
	if _, err := charts.New(charts.Config{Pool: e.Pool, Step: 1500 * time.Millisecond}); err == nil {
		t.Fatal("a step of 1.5 s was accepted")
	}
}

// getChart GETs url and decodes its Chart, failing unless it is a 200.
func getChart(t *testing.T, url string) charts.Chart {
	t.Helper()
	res, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK || res.Header.Get("Content-Type") != "application/json" || res.Header.Get("Cache-Control") != "no-store" {
		body, _ := io.ReadAll(res.Body)
		t.Fatalf("GET %s: %d %v %s", url, res.StatusCode, res.Header, body)
	}
	var ch charts.Chart
	if err := json.NewDecoder(res.Body).Decode(&ch); err != nil {
		t.Fatal(err)
	}
	return ch
}

// values formats a series' values, space-separated, null for none.
func values(vs []*float64) string {
	out := make([]string, len(vs))
	for i, v := range vs {
		out[i] = "null"
		if v != nil {
			out[i] = fmt.Sprint(*v)
		}
	}
	return strings.Join(out, " ")
}

// keys lists m's keys, sorted.
func keys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}
