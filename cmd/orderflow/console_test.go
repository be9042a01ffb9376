package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
	"github.com/google/uuid"

	"github.com/orderflow/orderflow/eventstore"
	"github.com/orderflow/orderflow/eventstore/pg"
	"github.com/orderflow/orderflow/platform/auth"
	"github.com/orderflow/orderflow/platform/benchtest"
	"github.com/orderflow/orderflow/platform/dbtest"
	"github.com/orderflow/orderflow/platform/logtest"
	"github.com/orderflow/orderflow/write/order"
)

// The read models the console must list, in its order (by name).
var consoleReadModels = []string{"customer_notifications", "customers", "fulfillment", "order_timeline", "orders", "products"}

// consoleConsumers are the consumers the console lists with the read
// models: the saga's intake.
var consoleConsumers = []string{"fulfillment_intake"}

// fillerEvents is how long a log the tests give the rebuild to replay, on
// top of the orders: a few seconds of replay here, long enough for the
// console to show its progress and load the orders list before the swap.
const fillerEvents = 100_000

// TestOperatorConsole drives the operator console in a real headless
// Chromium against a whole `orderflow serve` (REST, GraphQL, projections,
// saga) on a fresh PostgreSQL database, beside a sandbox payment provider
// that it stops and starts. Each subtest is one scenario, in order; they
// share the system and the browser, and each leaves screenshots behind.
func TestOperatorConsole(t *testing.T) {
	started := time.Now()
	sys := startConsoleSystem(t)
	b := newBrowser(t)
	t.Cleanup(func() { t.Logf("the browser scenarios took %s", time.Since(started).Round(time.Second)) })

	t.Run("projections and a rebuild", func(t *testing.T) { consoleRebuild(t, sys, b) })
	t.Run("a declined payment's saga", func(t *testing.T) { consoleDeclinedSaga(t, sys, b) })
	t.Run("a poison event's dead letters", func(t *testing.T) { consoleDeadLetters(t, sys, b) })
	t.Run("the circuit breaker", func(t *testing.T) { consoleCircuit(t, sys, b) })
	t.Run("a customer is refused", func(t *testing.T) { consoleCustomerRefused(t, sys, b) })
	b.checkConsole(t)
}

// consoleSystem is serve, its event store, its payment provider and the
// tokens the scenarios use.
type consoleSystem struct {
	base     string
	store    *pg.Store
	provider *switchableProvider
	// operator is the admin token pasted into the console; checks the one
	// the test's own calls use (the rate limit counts each subject apart).
	operator, checks, customer string
	// orders are those placed before the rebuild.
	orders []string
	// declined is the order whose payment the sandbox declined.
	declined string
}

// startConsoleSystem runs serve with the sandbox provider, two products
// (SKU-OK at 19.99 EUR; SKU-DECLINE at 10.02 EUR, which the sandbox
// always declines), a few completed orders and a long log.
func startConsoleSystem(t *testing.T) *consoleSystem {
	t.Helper()
	db := dbtest.New(t)
	// A long log for the rebuild to replay: events of a category no read
	// model reads. Stored before serve starts, the read models' first
	// builds replay them in big batches, as the rebuild will.
	filled := time.Now()
	benchtest.FillLog(t, db, fillerEvents, func(i int) (string, string, int64, string, []byte, []byte) {
		return fmt.Sprintf("filler-%d", i/1000), "filler", int64(i % 1000), "filler.noted", fmt.Appendf(nil, `{"v":1,"n":%d}`, i), []byte("{}")
	})
	t.Logf("filled in %s", time.Since(filled))
	s := serveConsole(t, db, nil)
	s.waitCaughtUp(t) // the first builds, from the filler
	t.Logf("read models built in %s", time.Since(filled))
	for _, p := range []struct {
		sku    string
		amount int
	}{{"SKU-OK", 1999}, {"SKU-DECLINE", 1002}} {
		s.call(t, http.MethodPost, "/api/v1/products", s.checks, map[string]any{"sku": p.sku, "name": p.sku, "price": map[string]any{"amount": p.amount, "currency": "EUR"}}, http.StatusAccepted, nil)
		s.call(t, http.MethodPost, "/api/v1/products/"+p.sku+"/stock", s.checks, map[string]any{"quantity": 100}, http.StatusAccepted, nil)
	}
	for i := range 4 {
		s.orders = append(s.orders, s.place(t, fmt.Sprintf("c-%d", i+1), "SKU-OK"))
	}
	for _, id := range s.orders {
		s.waitSaga(t, id, "COMPLETED")
	}
	s.waitCaughtUp(t)
	t.Logf("caught up in %s", time.Since(filled))
	return s
}

// call sends a JSON request with token and decodes the JSON answer into
// out (when not nil); it fails the test unless the status is want.
func (s *consoleSystem) call(t *testing.T, method, path, token string, body any, want int, out any) {
	t.Helper()
	callJSON(t, s.base, method, path, token, body, want, out)
}

// gql runs a GraphQL query with token and returns its response.
func (s *consoleSystem) gql(t *testing.T, token, query string, vars map[string]any) (data json.RawMessage, errs []map[string]any) {
	t.Helper()
	var resp struct {
		Data   json.RawMessage
		Errors []map[string]any
	}
	s.call(t, http.MethodPost, graphqlPath, token, map[string]any{"query": query, "variables": vars}, http.StatusOK, &resp)
	return resp.Data, resp.Errors
}

// data runs a query as the checks admin and decodes its data into out,
// failing on any GraphQL error.
func (s *consoleSystem) data(t *testing.T, query string, vars map[string]any, out any) {
	t.Helper()
	data, errs := s.gql(t, s.checks, query, vars)
	if len(errs) > 0 {
		t.Fatalf("GraphQL errors: %v", errs)
	}
	if err := json.Unmarshal(data, out); err != nil {
		t.Fatalf("GraphQL data %s: %v", data, err)
	}
}

// place places an order of one unit of sku for customer and returns its
// id.
func (s *consoleSystem) place(t *testing.T, customer, sku string) string {
	t.Helper()
	var placed struct{ OrderID string }
	s.call(t, http.MethodPost, "/api/v1/orders", s.checks, map[string]any{
		"customerId":      customer,
		"lines":           []map[string]any{{"sku": sku, "quantity": 1}},
		"shippingAddress": map[string]any{"name": "A. Buyer", "line1": "1 Main St", "city": "Berlin", "postalCode": "10115", "country": "DE"},
	}, http.StatusAccepted, &placed)
	return placed.OrderID
}

// waitSaga waits until the saga of order id is in state.
func (s *consoleSystem) waitSaga(t *testing.T, id, state string) {
	t.Helper()
	var got struct{ Fulfillment *struct{ State string } }
	waitUntil(t, 60*time.Second, "the saga of "+id+" to be "+state, func() bool {
		s.data(t, `query($id: ID!) { fulfillment(orderId: $id) { state } }`, map[string]any{"id": id}, &got)
		return got.Fulfillment != nil && got.Fulfillment.State == state
	})
}

// projection is what the tests read of a projection's status.
type projection struct {
	Name       string
	State      string
	Generation int
	Behind     string
	Rebuild    *struct{ Done string }
}

// projections reads every projection's status.
func (s *consoleSystem) projections(t *testing.T) map[string]projection {
	t.Helper()
	var d struct{ Projections []projection }
	s.data(t, `{ projections { name state generation behind rebuild { done } } }`, nil, &d)
	out := make(map[string]projection, len(d.Projections))
	for _, p := range d.Projections {
		out[p.Name] = p
	}
	return out
}

// waitCaughtUp waits until every read model is live at the head.
func (s *consoleSystem) waitCaughtUp(t *testing.T) {
	t.Helper()
	waitUntil(t, 90*time.Second, "every read model to catch up", func() bool {
		all := s.projections(t)
		for _, name := range consoleReadModels {
			if p := all[name]; p.State != "LIVE" || p.Behind != "0" {
				return false
			}
		}
		return len(all) == len(consoleReadModels)+len(consoleConsumers)
	})
}

// signIn loads the console and signs in with token.
func (b *browser) signIn(t *testing.T, base, token string) {
	t.Helper()
	b.do(t,
		chromedp.Navigate(base+"/console/"),
		chromedp.WaitVisible(chromedp.CSS("#token")),
		chromedp.SendKeys(chromedp.CSS("#token"), token),
		chromedp.Click(chromedp.CSS("#sign-in")),
	)
}

// tab opens a section of the console.
func (b *browser) tab(t *testing.T, name string) {
	t.Helper()
	b.do(t, chromedp.Click(chromedp.CSS("#tab-"+name)), chromedp.WaitVisible(chromedp.CSS("#panel-"+name)))
}

// consoleRebuild: signed in as an admin, every projection shows with its
// lag; a rebuild of orders started from the page shows its progress
// (events done of the log's total, rate, ETA) while the orders list keeps
// loading from the live generation, until the swap: generation 2 live and
// no rebuild.
func consoleRebuild(t *testing.T, s *consoleSystem, b *browser) {
	b.signIn(t, s.base, s.operator)
	rows := b.waitFor(t, "every projection live, with its lag", `(() => {
		const rows = [...document.querySelectorAll('#projections-table tbody tr')];
		const ok = rows.every(r => r.querySelector('[data-col=state]').textContent === 'live' && /^[0-9.]+ s$/.test(r.querySelector('[data-col=lag]').textContent));
		return rows.length === 7 && ok ? rows.map(r => r.dataset.name + ' ' + r.querySelector('[data-col=lag]').textContent).join(', ') : '';
	})()`, 30*time.Second)
	for _, name := range consoleReadModels {
		if !strings.Contains(rows, name+" ") {
			t.Fatalf("the projections shown are %q, want every read model", rows)
		}
	}
	if who := b.eval(t, `document.getElementById('who').textContent`); who != "Signed in as ops (admin)" {
		t.Fatalf("the page says %q", who)
	}
	// Every control has a name a screen reader reads out.
	unnamed := b.eval(t, `[...document.querySelectorAll('input, button')]
		.filter(e => e.tagName === 'INPUT' ? e.labels.length === 0 && !e.getAttribute('aria-label') : !(e.getAttribute('aria-label') || e.textContent.trim()))
		.map(e => e.outerHTML).join('\n')`)
	if unnamed != "" {
		t.Fatalf("controls without a label or a name:\n%s", unnamed)
	}
	b.shot(t, "projections")

	b.do(t, chromedp.Click(chromedp.CSS(`button[aria-label="Rebuild orders"]`)))
	progress := b.waitFor(t, "the rebuild's progress", `(() => {
		const cell = document.querySelector('#projections-table tr[data-name=orders] [data-col=rebuild-progress]');
		return cell && / of [0-9,]+ events · [0-9.,]+ events\/s · ETA /.test(cell.textContent) ? cell.textContent : '';
	})()`, 20*time.Second)
	t.Logf("rebuild progress shown: %s", progress)
	b.shot(t, "rebuild-progress")

	b.tab(t, "orders")
	count := fmt.Sprintf("%d", len(s.orders))
	loaded := `(() => {
		const ids = [...document.querySelectorAll('#orders-table tbody tr[data-order]')].map(r => r.dataset.order);
		return ids.length >= ` + count + ` ? 'yes' : '';
	})()`
	b.waitFor(t, "the orders list during the rebuild", loaded, 10*time.Second)
	if p := s.projections(t)["orders"]; p.Rebuild == nil || p.Generation != 1 {
		t.Fatalf("orders once the list loaded: %+v; want generation 1 live and its rebuild still running (is fillerEvents too small for this machine?)", p)
	}
	for _, id := range s.orders {
		if b.eval(t, `document.querySelector(`+js(`#orders-table tr[data-order="`+id+`"]`)+`) ? 'yes' : ''`) != "yes" {
			t.Fatalf("order %s is not in the list during the rebuild", id)
		}
	}
	b.shot(t, "orders-during-rebuild")

	b.tab(t, "projections")
	swapped := b.waitFor(t, "the swap", `(() => {
		const line = document.querySelector('#rebuild-log li[data-projection=orders]');
		const row = document.querySelector('#projections-table tr[data-name=orders]');
		return line && line.dataset.phase === 'swapped' && row.querySelector('[data-col=generation]').textContent === '2' &&
			row.querySelector('[data-col=rebuild]').textContent === '—' && row.querySelector('[data-col=state]').textContent === 'live' ? line.textContent : '';
	})()`, 60*time.Second)
	if !strings.Contains(swapped, "swapped in generation 2 (was 1)") {
		t.Fatalf("the log says %q", swapped)
	}
	if p := s.projections(t)["orders"]; p.Generation != 2 || p.Rebuild != nil {
		t.Fatalf("orders after the swap: %+v", p)
	}
	b.shot(t, "rebuild-swapped")
}

// consoleDeclinedSaga: an order whose payment the sandbox declines; its
// saga, found in the console's list of compensated sagas (reached by
// keyboard), shows the refused charge and the compensation that undid
// the reservation and cancelled the order; the order, found by its
// customer, shows its timeline with every event's metadata.
func consoleDeclinedSaga(t *testing.T, s *consoleSystem, b *browser) {
	s.declined = s.place(t, "c-decline", "SKU-DECLINE")
	s.waitSaga(t, s.declined, "COMPENSATED")

	// The tabs by keyboard: from the selected tab, the right arrow.
	b.do(t, chromedp.Focus(chromedp.CSS("#tab-projections")), chromedp.KeyEvent(kb.ArrowRight))
	if got := b.eval(t, `document.activeElement.id + ' ' + document.getElementById('tab-sagas').getAttribute('aria-selected') + ' ' + document.getElementById('panel-sagas').hidden`); got != "tab-sagas true false" {
		t.Fatalf("after the right arrow: %q, want the Sagas tab focused, selected and its panel shown", got)
	}
	if outline := b.eval(t, `getComputedStyle(document.activeElement).outlineStyle`); outline == "none" {
		t.Fatal("the focused tab shows no focus outline")
	}
	b.do(t, chromedp.Click(chromedp.CSS(`#saga-filter input[value=COMPENSATED]`)))
	row := `#sagas-table tr[data-order=` + js(s.declined) + `]`
	b.waitFor(t, "the declined order's saga in the list", `(() => {
		const r = document.querySelector(`+js(row)+`);
		return r && r.querySelector('[data-col=state]').textContent === 'compensated' ? 'yes' : '';
	})()`, 15*time.Second)
	stats := b.waitFor(t, "the count of compensated sagas", `(() => {
		const r = document.querySelector('#saga-states tr[data-state=COMPENSATED] td');
		return r ? r.textContent : '';
	})()`, 10*time.Second)
	if stats != "1" {
		t.Fatalf("%s sagas compensated, want 1", stats)
	}
	// Opened with the keyboard: focus its button, press Enter.
	b.do(t, chromedp.Focus(chromedp.CSS(row+" button")), chromedp.KeyEvent(kb.Enter))
	history := b.waitFor(t, "the saga's history", `(() => {
		const rows = [...document.querySelectorAll('#saga-history tbody tr')];
		const text = rows.map(r => [...r.cells].map(c => c.textContent).slice(0, 3).join(' | ')).join('\n');
		return text.includes('compensated | done') ? text : '';
	})()`, 15*time.Second)
	for _, want := range []string{"started | done | \n", "reserve:SKU-DECLINE | done | \n", "charge | rejected | payment declined: card_declined\n",
		"release:SKU-DECLINE | done | \n", "cancel_order | done | \n", "compensated | done | charge: payment declined: card_declined"} {
		if !strings.Contains(history, want) {
			t.Fatalf("the history lacks %q:\n%s", want, history)
		}
	}
	facts := b.eval(t, `document.getElementById('saga-facts').innerText`)
	if !strings.Contains(facts, "compensated") || !strings.Contains(facts, "declined") {
		t.Fatalf("the saga's facts: %s", facts)
	}
	if focus := b.eval(t, `document.activeElement.id`); focus != "saga-detail-title" {
		t.Fatalf("focus on %q after opening the saga, want its heading", focus)
	}
	b.shot(t, "declined-saga")

	// The same order found by its customer, and its timeline.
	b.tab(t, "orders")
	b.do(t, chromedp.SendKeys(chromedp.CSS("#order-query"), "c-decline"), chromedp.Click(chromedp.CSS(`#order-search button[type=submit]`)))
	found := b.waitFor(t, "the customer's orders", `(() => {
		const r = document.getElementById('search-result').textContent;
		return r.startsWith('Found') ? r : '';
	})()`, 10*time.Second)
	if found != "Found customer c-decline with 1 order." {
		t.Fatalf("the search says %q", found)
	}
	b.do(t, chromedp.Click(chromedp.CSS(`#orders-table tr[data-order="`+s.declined+`"] button`)))
	timeline := b.waitFor(t, "the order's timeline", `(() => {
		const rows = [...document.querySelectorAll('#timeline-table tbody tr')];
		const text = rows.map(r => ['type', 'position', 'stream', 'time', 'correlation', 'causation', 'caused-by'].map(c => r.querySelector('[data-col=' + c + ']').textContent).join(' | ')).join('\n');
		return text.includes('order.cancelled') ? text : '';
	})()`, 10*time.Second)
	for _, want := range []string{"order.placed | ", "fulfillment.started | ", "payment.requested | ", "order.cancelled | ", "fulfillment.compensated | "} {
		if !strings.Contains(timeline, "\n"+want) && !strings.HasPrefix(timeline, want) {
			t.Fatalf("the timeline lacks %q:\n%s", want, timeline)
		}
	}
	// The order named no sales channel: an api order.
	if channel := b.eval(t, `(() => {
		const dt = [...document.querySelectorAll('#order-facts dt')].find(d => d.textContent === 'Channel');
		return dt ? dt.nextElementSibling.textContent : 'no Channel';
	})()`); channel != "api" {
		t.Fatalf("the order's facts say channel %q, want api", channel)
	}
	// Every entry has its position, time, correlation and causation id,
	// and says what caused it.
	causes := map[string]string{}
	for _, line := range strings.Split(timeline, "\n") {
		cells := strings.Split(line, " | ")
		if len(cells) != 7 || cells[1] == "" || cells[3] == "—" || cells[4] == "" || cells[5] == "" || cells[6] == "" {
			t.Fatalf("a timeline entry without its position, time, correlation or causation id or its cause: %q", line)
		}
		causes[cells[0]] = cells[6]
	}
	for typ, want := range map[string]string{
		"order.placed":                   "command sent to the API",
		"fulfillment.started":            "order.placed",
		"inventory.stock_reserved":       "command of saga step reserve:SKU-DECLINE",
		"payment.failed":                 "command of saga step charge",
		"order.cancelled":                "command of saga step cancel_order",
		"inventory.reservation_released": "command of saga step release:SKU-DECLINE",
		"fulfillment.compensated":        "fulfillment.step_recorded",
	} {
		if causes[typ] != want {
			t.Errorf("%s caused by %q, want %q", typ, causes[typ], want)
		}
	}
	// The cause of the saga's start goes to the placement.
	b.do(t, chromedp.Click(chromedp.CSS(`#timeline-table tr[data-type="fulfillment.started"] [data-col=caused-by] button`)))
	if focus := b.eval(t, `document.activeElement.dataset.type + ' ' + getComputedStyle(document.activeElement).outlineStyle`); focus != "order.placed solid" {
		t.Fatalf("after going to the saga start's cause, focus is on %q, want the order.placed entry, outlined", focus)
	}
	b.shot(t, "declined-order-timeline")
}

// consoleDeadLetters: an order.shipped event with a payload that does not
// decode, appended to the declined order's stream, is parked by every
// projection that decodes order.shipped; the console lists the three
// dead letters, and redriving them fails again (the event cannot change),
// one by its button and the others with "redrive all", each on its
// second attempt.
func consoleDeadLetters(t *testing.T, s *consoleSystem, b *browser) {
	poison := eventstore.EventData{ID: uuid.New(), Type: order.TypeShipped, Data: []byte(`{"v":1,"shippedAt":"not a time","trackingNumber":"TRK-1"}`),
		Metadata: eventstore.Metadata{CorrelationID: "poison-test", CausationID: "poison-test", UserID: "test"}}
	res, err := s.store.Append(context.Background(), "order-"+s.declined, eventstore.Any, poison)
	if err != nil {
		t.Fatal(err)
	}
	parkers := []string{"customer_notifications", "order_timeline", "orders"}

	b.tab(t, "deadletters")
	listed := b.waitFor(t, "the three dead letters", `(() => {
		const rows = [...document.querySelectorAll('#deadletters-table tbody tr[data-id]')];
		return rows.length === 3 ? rows.map(r => r.dataset.projection + ' ' + r.querySelector('[data-col=position]').textContent + ' ' +
			r.querySelector('[data-col=type]').textContent + ' ' + r.querySelector('[data-col=attempts]').textContent + ' ' +
			r.querySelector('[data-col=reason]').textContent).sort().join('\n') : '';
	})()`, 30*time.Second)
	lines := strings.Split(listed, "\n")
	for i, name := range parkers {
		prefix := fmt.Sprintf("%s %s %s 1 ", name, res.Position, order.TypeShipped)
		if !strings.HasPrefix(lines[i], prefix) || !strings.Contains(lines[i], s.declined+" revision 3: decode order.shipped v1: malformed event payload") {
			t.Fatalf("dead letter %d is %q, want %q and a reason naming the event and what is wrong with it", i, lines[i], prefix)
		}
	}
	b.shot(t, "dead-letters")

	b.do(t, chromedp.Click(chromedp.CSS(`#deadletters-table tr[data-projection=orders] button[data-action=redrive]`)))
	result := b.waitFor(t, "the redrive's outcome", `(() => {
		const r = document.getElementById('redrive-result');
		return r.dataset.failed ? r.textContent : '';
	})()`, 15*time.Second)
	if !strings.Contains(result, ": 0 applied, 1 failed again (dead letter ") || !strings.Contains(result, "attempt 2") {
		t.Fatalf("the redrive says %q", result)
	}
	b.waitFor(t, "the second attempt in the list", `(() => {
		const r = document.querySelector('#deadletters-table tr[data-projection=orders] [data-col=attempts]');
		return r && r.textContent === '2' ? 'yes' : '';
	})()`, 10*time.Second)
	b.shot(t, "redrive-failed-again")

	for _, name := range parkers[:2] {
		b.do(t, chromedp.Click(chromedp.CSS(`#redrive-all button[data-projection=`+name+`]`)))
		b.waitFor(t, "redrive all of "+name, `(() => {
			const r = document.querySelector('#deadletters-table tr[data-projection=`+name+`] [data-col=attempts]');
			return r && r.textContent === '2' ? 'yes' : '';
		})()`, 15*time.Second)
	}
	var letters struct{ DeadLetters []struct{ Attempts int } }
	for _, name := range parkers {
		s.call(t, http.MethodGet, "/api/v1/admin/projections/"+name+"/dead-letters", s.checks, nil, http.StatusOK, &letters)
		if len(letters.DeadLetters) != 1 || letters.DeadLetters[0].Attempts != 2 {
			t.Fatalf("%s's dead letters after the redrives: %+v", name, letters.DeadLetters)
		}
	}
	b.shot(t, "all-redriven")
}

// consoleCircuit: the payment provider stops; an order's charge fails
// until the client's circuit opens, which the console shows with the
// failures, and the order's saga waits, marked stuck on top of the sagas
// in flight; the provider starts again, the parked charge's retry closes
// the circuit, which the console shows too, and the order completes,
// charged once.
func consoleCircuit(t *testing.T, s *consoleSystem, b *browser) {
	b.tab(t, "resilience")
	badge := `(() => { const e = document.querySelector('#clients [data-col=breaker]'); return e ? e.textContent : ''; })()`
	if got := b.waitFor(t, "the circuit's state", badge, 15*time.Second); got != "closed" {
		t.Fatalf("the circuit is %q before the outage", got)
	}
	s.provider.Stop()
	id := s.place(t, "c-outage", "SKU-OK")
	b.waitFor(t, "the circuit to open", `(`+badge+` === 'open') ? 'yes' : ''`, 30*time.Second)
	failures := b.eval(t, `document.querySelector('#clients [data-col=failures]').innerText`)
	if !strings.Contains(failures, "connection refused") {
		t.Fatalf("the recent failures: %s", failures)
	}
	b.shot(t, "circuit-open")

	// Its saga waits for the provider: in flight, on top of the list, and
	// stuck once the threshold is a second.
	b.tab(t, "sagas")
	b.do(t, chromedp.Click(chromedp.CSS(`#saga-filter input[value=COMPENSATED]`)),
		chromedp.Clear(chromedp.CSS("#stuck-after")), chromedp.SendKeys(chromedp.CSS("#stuck-after"), "1"))
	stuck := b.waitFor(t, "the waiting saga, stuck, on top", `(() => {
		const r = document.querySelector('#sagas-table tbody tr');
		return r && r.dataset.order === `+js(id)+` && r.dataset.stuck === 'true' ?
			r.querySelector('[data-col=state]').textContent + ' | ' + r.querySelector('[data-col=last-error]').textContent : '';
	})()`, 20*time.Second)
	if !strings.HasPrefix(stuck, "running | ") || !strings.Contains(stuck, "unavailable") {
		t.Fatalf("the stuck saga shows %q, want it running and why it waits", stuck)
	}
	b.shot(t, "stuck-saga")

	b.tab(t, "resilience")
	s.provider.Start()
	b.waitFor(t, "the circuit to close", `(`+badge+` === 'closed') ? 'yes' : ''`, 60*time.Second)
	b.shot(t, "circuit-closed")
	s.waitSaga(t, id, "COMPLETED")
	if n := s.provider.sandbox.Stats().ChargesByReference[id]; n != 1 {
		t.Fatalf("order %s was charged %d times", id, n)
	}
}

// consoleCustomerRefused: a customer's token opens none of the console's
// data: the page shows the refusal and keeps no token; the admin GraphQL
// queries answer "forbidden" and the admin endpoints 403.
func consoleCustomerRefused(t *testing.T, s *consoleSystem, b *browser) {
	b.do(t, chromedp.Click(chromedp.CSS("#sign-out")))
	b.signIn(t, s.base, s.customer)
	refusal := b.waitFor(t, "the refusal", `(() => { const e = document.getElementById('auth-error'); return e.hidden ? '' : e.textContent; })()`, 15*time.Second)
	for _, want := range []string{"403", "admins only", "c-1", "customer"} {
		if !strings.Contains(refusal, want) {
			t.Fatalf("the refusal %q lacks %q", refusal, want)
		}
	}
	if got := b.eval(t, `[document.getElementById('console').hidden, sessionStorage.length].join(' ')`); got != "true 0" {
		t.Fatalf("after the refusal (console hidden, tokens kept): %s", got)
	}
	b.shot(t, "customer-refused")

	data, errs := s.gql(t, s.customer, `{ fulfillments { edges { node { orderId } } } fulfillmentStats { byState { state } } projections { name } }`, nil)
	var paths []string
	for _, e := range errs {
		if e["message"] != "forbidden" {
			t.Fatalf("error %v, want forbidden", e)
		}
		paths = append(paths, fmt.Sprint(e["path"]))
	}
	slices.Sort(paths)
	if strings.Join(paths, " ") != "[fulfillmentStats] [fulfillments] [projections]" || string(data) != `{"fulfillments":null,"fulfillmentStats":null,"projections":null}` {
		t.Fatalf("a customer's admin queries: %s %v", data, errs)
	}
	for _, path := range []string{"/api/v1/admin/projections/", "/api/v1/admin/projections/orders/dead-letters", "/api/v1/admin/payment-provider"} {
		s.call(t, http.MethodGet, path, s.customer, nil, http.StatusForbidden, nil)
	}
}

// waitUntil polls check until it returns true, failing the test after
// timeout.
func waitUntil(t *testing.T, timeout time.Duration, what string, check func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !check() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %v waiting for %s", timeout, what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// serveConsole runs serve on db with a switchable sandbox provider
// and the settings in extra, stops it when the test ends, and returns the
// system with its tokens: an operator and a checks admin, and customer
// c-1.
func serveConsole(t *testing.T, db string, extra map[string]string) *consoleSystem {
	t.Helper()
	provider := startSwitchableProvider(t)
	ctx, cancel := context.WithCancel(context.Background())
	logs := &logtest.Sink{}
	done := make(chan error, 1)
	settings := map[string]string{"DATABASE_URL": db, "ORDERFLOW_JWT_SECRET": testJWTSecret, "PAYMENT_PROVIDER_URL": provider.URL()}
	maps.Copy(settings, extra)
	env := envOf(settings)
	go func() { done <- run(ctx, []string{"serve", "--addr", "127.0.0.1:0"}, env, io.Discard, logs) }()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("serve: %v", err)
			}
		case <-time.After(30 * time.Second):
			t.Error("serve did not stop")
		}
	})
	store, err := pg.New(context.Background(), pg.Config{DatabaseURL: db, MaxConns: 2})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	mint := func(sub string, role auth.Role) string {
		tok, err := auth.Mint([]byte(testJWTSecret), "orderflow", "orderflow-api", sub, role, time.Hour, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		return tok
	}
	return &consoleSystem{
		base:     "http://" + logs.WaitFor(t, "http server listening", 30*time.Second)["addr"].(string),
		store:    store,
		provider: provider,
		operator: mint("ops", auth.RoleAdmin),
		checks:   mint("ops-checks", auth.RoleAdmin),
		customer: mint("c-1", auth.RoleCustomer),
	}
}
