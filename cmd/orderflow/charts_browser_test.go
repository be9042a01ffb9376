package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/orderflow/orderflow/charts"
	"github.com/orderflow/orderflow/platform/dbtest"
)

// chartsBurst is how many orders the charts test places at once.
const chartsBurst = 12

// TestChartsConsole drives the console's Over time view in headless
// Chromium against a whole `orderflow serve` (charts step 1 s) with the
// sandbox provider: a burst of orders shows in what the charts plot (the
// placed series sums to the burst, the completed series follows, the
// payment provider answered one charge per order, the circuits closed,
// every read model's lag drawn), the same as the admin endpoint says; a
// customer's token gets none of it: the endpoint answers 403 (401
// without a token) and the view never shows.
func TestChartsConsole(t *testing.T) {
	s := startChartsSystem(t)
	b := newBrowser(t)
	b.signIn(t, s.base, s.operator)
	b.waitFor(t, "the console", `document.getElementById('console').hidden ? '' : 'yes'`, 15*time.Second)
	b.tab(t, "charts")

	// sum(chart, i) is the sum over the window of series i of a chart, as
	// plotted; latest(chart, i) its last value plotted.
	sum := func(chart string, i int) string {
		return `(() => { const f = document.getElementById('chart-` + chart + `'); return f && f.plot ? String(f.plot.data[` + strconv.Itoa(i) + `].reduce((a, v) => a + (v || 0), 0)) : ''; })()`
	}
	latest := func(chart string, i int) string {
		return `(() => { const f = document.getElementById('chart-` + chart + `'); if (!f || !f.plot) return ''; const v = f.plot.data[` + strconv.Itoa(i) + `].filter(x => x !== null && x !== undefined); return v.length ? String(v[v.length - 1]) : ''; })()`
	}
	labels := func(chart string) string {
		return b.eval(t, `(() => { const f = document.getElementById('chart-`+chart+`'); return f && f.plot ? f.plot.series.slice(1).map(s => s.label).join(',') : ''; })()`)
	}
	if got := b.waitFor(t, "the charts drawn, with the circuit closed", latest("circuit", 1), 30*time.Second); got != "1" {
		t.Fatalf("closed circuits plotted: %s, want the one saga process", got)
	}
	for chart, want := range map[string]string{
		"orders":     "placed,completed,cancelled",
		"saga-steps": "parked,failed",
		"payments":   "answered,refused: circuit open,refused: bulkhead full,unavailable after retries,retries",
		"circuit":    "closed,half-open,open",
	} {
		if got := labels(chart); got != want {
			t.Errorf("chart %s plots %q, want %q", chart, got, want)
		}
	}
	if got := b.eval(t, sum("orders", 1)); got != "0" {
		t.Fatalf("orders placed before the burst, as plotted: %s", got)
	}
	b.shot(t, "charts-before")

	ids := make(chan string, chartsBurst)
	for i := range chartsBurst {
		go func() { ids <- s.placeQuietly(fmt.Sprintf("c-%d", i)) }()
	}
	for range chartsBurst {
		if id := <-ids; id == "" {
			t.Fatal("an order of the burst was not accepted")
		}
	}
	burst := strconv.Itoa(chartsBurst)
	b.waitFor(t, "the burst in the placed series", `(`+sum("orders", 1)+` === '`+burst+`') ? 'yes' : ''`, 30*time.Second)
	b.waitFor(t, "the completed series to follow", `(`+sum("orders", 2)+` === '`+burst+`') ? 'yes' : ''`, 60*time.Second)
	b.waitFor(t, "one answered charge per order", `(`+sum("payments", 1)+` === '`+burst+`') ? 'yes' : ''`, 30*time.Second)
	for _, check := range []struct{ what, expr, want string }{
		{"orders cancelled", sum("orders", 3), "0"},
		{"saga steps parked", sum("saga-steps", 1), "0"},
		{"saga steps failed", sum("saga-steps", 2), "0"},
		{"calls refused by the circuit", sum("payments", 2), "0"},
		{"open circuits", latest("circuit", 3), "0"},
	} {
		if got := b.eval(t, check.expr); got != check.want {
			t.Errorf("%s, as plotted: %s, want %s", check.what, got, check.want)
		}
	}
	lagged := labels("lag")
	for _, name := range append(consoleReadModels, consoleConsumers...) {
		if !strings.Contains(","+lagged+",", ","+name+",") {
			t.Errorf("the lag chart plots %q, want every projection's, %s's among them", lagged, name)
		}
	}
	summary := b.eval(t, `document.querySelector('#chart-orders [data-col=sum]').textContent`)
	if want := "In the last hour: " + burst + " placed · " + burst + " completed · 0 cancelled"; summary != want {
		t.Errorf("the orders chart says %q, want %q", summary, want)
	}
	b.shot(t, "charts-after-burst")

	// The endpoint says what the page plots.
	var ch charts.Chart
	s.call(t, http.MethodGet, charts.Path+"?since=30m", s.checks, nil, http.StatusOK, &ch)
	total := func(name string) float64 {
		var n float64
		for _, v := range ch.Series[name] {
			if v != nil {
				n += *v
			}
		}
		return n
	}
	if total(charts.OrdersPlaced) != chartsBurst || total(charts.OrdersCompleted) != chartsBurst || total(charts.PaymentAnswered) != chartsBurst || ch.Step != 1 {
		t.Errorf("the endpoint: step %d, placed %v, completed %v, answered %v", ch.Step, total(charts.OrdersPlaced), total(charts.OrdersCompleted), total(charts.PaymentAnswered))
	}
	s.call(t, http.MethodGet, charts.Path+"?since=soon", s.checks, nil, http.StatusBadRequest, nil)

	// A customer sees none of it.
	s.call(t, http.MethodGet, charts.Path, s.customer, nil, http.StatusForbidden, nil)
	s.call(t, http.MethodGet, charts.Path, "", nil, http.StatusUnauthorized, nil)
	b.do(t, chromedp.Click(chromedp.CSS("#sign-out")))
	b.signIn(t, s.base, s.customer)
	refusal := b.waitFor(t, "the refusal", `(() => { const e = document.getElementById('auth-error'); return e.hidden ? '' : e.textContent; })()`, 15*time.Second)
	if !strings.Contains(refusal, "403") {
		t.Fatalf("the refusal says %q", refusal)
	}
	if got := b.eval(t, `[document.getElementById('console').hidden, document.getElementById('charts').children.length, document.getElementById('panel-charts').offsetParent === null].join(' ')`); got != "true 0 true" {
		t.Fatalf("for a customer (console hidden, charts drawn, view not shown): %s", got)
	}
	b.shot(t, "customer-refused")
	b.checkConsole(t)
}

// startChartsSystem runs serve with the sandbox provider and the charts
// step at 1 s, and one product, SKU-OK, with stock.
func startChartsSystem(t *testing.T) *consoleSystem {
	t.Helper()
	db := dbtest.New(t)
	s := serveConsole(t, db, map[string]string{"ORDERFLOW_CHARTS_STEP": "1s"})
	s.waitCaughtUp(t)
	s.call(t, http.MethodPost, "/api/v1/products", s.checks, map[string]any{"sku": "SKU-OK", "name": "SKU-OK", "price": map[string]any{"amount": 1999, "currency": "EUR"}}, http.StatusAccepted, nil)
	s.call(t, http.MethodPost, "/api/v1/products/SKU-OK/stock", s.checks, map[string]any{"quantity": 100}, http.StatusAccepted, nil)
	return s
}

// placeQuietly places an order of one unit of SKU-OK for customer from
// any goroutine and returns its id, or "" when it was not accepted.
func (s *consoleSystem) placeQuietly(customer string) string {
	body := `{"customerId":"` + customer + `","lines":[{"sku":"SKU-OK","quantity":1}],` +
		`"shippingAddress":{"name":"A. Buyer","line1":"1 Main St","city":"Berlin","postalCode":"10115","country":"DE"}}`
	req, err := http.NewRequest(http.MethodPost, s.base+"/api/v1/orders", strings.NewReader(body))
	if err != nil {
		return ""
	}
	req.Header.Set("Authorization", "Bearer "+s.checks)
	req.Header.Set("Content-Type", "application/json")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return ""
	}
	defer res.Body.Close()
	var placed struct{ OrderID string }
	if res.StatusCode != http.StatusAccepted || json.NewDecoder(res.Body).Decode(&placed) != nil {
		return ""
	}
	return placed.OrderID
}
