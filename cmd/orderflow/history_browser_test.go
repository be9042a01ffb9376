package main

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/orderflow/orderflow/eventstore"
	"github.com/orderflow/orderflow/platform/dbtest"
	"github.com/orderflow/orderflow/sagas/fulfillment"
	"github.com/orderflow/orderflow/write/order"
)

// TestConsolePastAndEventLog drives the console's step-through of an
// order's past and its event log in a real headless Chromium against a
// whole `orderflow serve` beside a sandbox payment provider, with one paid
// and one declined order; and checks that a customer's token reaches none
// of it. Screenshots go where TestOperatorConsole's do.
func TestConsolePastAndEventLog(t *testing.T) {
	sys := startPastSystem(t)
	b := newBrowser(t)
	b.signIn(t, sys.base, sys.operator)
	b.waitFor(t, "the console", `document.getElementById('console').hidden ? '' : 'shown'`, 15*time.Second)

	t.Run("step through a paid order's past", func(t *testing.T) { consoleStepThrough(t, sys, b, sys.orders[0], "PAID") })
	t.Run("step through a declined order's past", func(t *testing.T) { consoleStepThrough(t, sys, b, sys.declined, "CANCELLED") })
	t.Run("browse a stream and follow its ids", func(t *testing.T) { consoleBrowseStream(t, sys, b) })
	t.Run("page through the global log", func(t *testing.T) { consoleGlobalLog(t, sys, b) })
	t.Run("a customer reaches none of it", func(t *testing.T) { consoleCustomerSeesNoLog(t, sys, b) })
	b.checkConsole(t)
}

// startPastSystem runs serve with the sandbox provider, SKU-OK at 19.99
// EUR and SKU-DECLINE at 10.02 EUR (which the sandbox declines), one
// order of each whose saga has ended, and every read model caught up.
func startPastSystem(t *testing.T) *consoleSystem {
	t.Helper()
	db := dbtest.New(t)
	s := serveConsole(t, db, nil)
	s.waitCaughtUp(t) // the first builds
	for _, p := range []struct {
		sku    string
		amount int
	}{{"SKU-OK", 1999}, {"SKU-DECLINE", 1002}} {
		s.call(t, http.MethodPost, "/api/v1/products", s.checks, map[string]any{"sku": p.sku, "name": p.sku, "price": map[string]any{"amount": p.amount, "currency": "EUR"}}, http.StatusAccepted, nil)
		s.call(t, http.MethodPost, "/api/v1/products/"+p.sku+"/stock", s.checks, map[string]any{"quantity": 100}, http.StatusAccepted, nil)
	}
	s.orders = []string{s.place(t, "c-1", "SKU-OK")}
	s.declined = s.place(t, "c-2", "SKU-DECLINE")
	s.waitSaga(t, s.orders[0], "COMPLETED")
	s.waitSaga(t, s.declined, "COMPENSATED")
	s.waitCaughtUp(t)
	return s
}

// pastOf returns, from the event store itself, the events of order id's
// stream and its saga's in log order, each with the order's status after
// it as the order events say (placed: PENDING, and so on).
func pastOf(t *testing.T, s *consoleSystem, id string) (types, statuses []string) {
	t.Helper()
	ctx := context.Background()
	var all []eventstore.RecordedEvent
	for _, stream := range []string{order.StreamID(id), fulfillment.StreamID(id)} {
		events, err := s.store.ReadStream(ctx, stream, eventstore.ReadOptions{Count: 1000})
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, events...)
	}
	for i := 1; i < len(all); i++ { // insertion sort by position: a handful of events
		for j := i; j > 0 && all[j].Position.Less(all[j-1].Position); j-- {
			all[j], all[j-1] = all[j-1], all[j]
		}
	}
	status := ""
	for _, e := range all {
		switch e.Type {
		case order.TypePlaced:
			status = "PENDING"
		case order.TypeConfirmed:
			status = "CONFIRMED"
		case order.TypePaid:
			status = "PAID"
		case order.TypeShipped:
			status = "SHIPPED"
		case order.TypeDelivered:
			status = "DELIVERED"
		case order.TypeCancelled:
			status = "CANCELLED"
		}
		types, statuses = append(types, e.Type), append(statuses, status)
	}
	return types, statuses
}

// consoleStepThrough: searching an order opens its past at the last
// event; First, then Next event by event, shows at each step the event
// the store holds there and the status it leaves the order in; the
// order's status row is marked changed exactly at the events that change
// it; Previous goes back.
func consoleStepThrough(t *testing.T, s *consoleSystem, b *browser, id, final string) {
	types, statuses := pastOf(t, s, id)
	if statuses[len(statuses)-1] != final {
		t.Fatalf("order %s ends %s, want %s", id, statuses[len(statuses)-1], final)
	}
	b.tab(t, "orders")
	b.fill(t, "order-query", id)
	b.do(t, chromedp.Click(chromedp.CSS(`#order-search button[type=submit]`)))
	b.waitFor(t, "the order in the search results", `document.querySelector("#orders-table tr[data-order='`+id+`'] button") ? 'found' : ''`, 15*time.Second)
	// Clicked from the page: the poller may redraw the table in between.
	b.eval(t, `(document.querySelector("#orders-table tr[data-order='`+id+`'] button").click(), '')`)
	n := len(types)
	b.waitFor(t, "the past at its last event", `(() => {
		const p = document.getElementById('history-step');
		return !document.getElementById('history').hidden && p.textContent.startsWith('Event `+fmt.Sprint(n)+` of `+fmt.Sprint(n)+`:') ? 'shown' : '';
	})()`, 15*time.Second)
	b.shot(t, "past-last-"+strings.ToLower(final))
	b.do(t, chromedp.Click(chromedp.CSS("#history-first")))
	step := `(() => { const p = document.getElementById('history-step');
		const row = document.querySelector('#history-order tr[data-field=Status]');
		return [p.textContent.split(':')[0], p.dataset.type, p.dataset.status, row.classList.contains('changed')].join('|'); })()`
	for i := range n {
		if i > 0 {
			b.do(t, chromedp.Click(chromedp.CSS("#history-next")))
		}
		changed := i > 0 && statuses[i] != statuses[i-1]
		want := fmt.Sprintf("Event %d of %d|%s|%s|%t", i+1, n, types[i], statuses[i], changed)
		if got := b.waitFor(t, "step "+fmt.Sprint(i+1), step, 10*time.Second); got != want {
			t.Fatalf("step %d shows %q, want %q", i+1, got, want)
		}
		if i == 0 || types[i] == order.TypePaid || types[i] == order.TypeCancelled {
			b.shot(t, fmt.Sprintf("past-%s-step-%d-%s", strings.ToLower(final), i+1, types[i]))
		}
	}
	if b.eval(t, `String(document.getElementById('history-next').disabled)`) != "true" {
		t.Fatal("Next event is enabled at the last event")
	}
	b.do(t, chromedp.Click(chromedp.CSS("#history-prev")))
	want := fmt.Sprintf("Event %d of %d|%s|%s", n-1, n, types[n-2], statuses[n-2])
	if got := b.eval(t, step); !strings.HasPrefix(got, want+"|") {
		t.Fatalf("back one step shows %q, want %q", got, want)
	}
	// The saga's side: after the last event it is finished.
	b.do(t, chromedp.Click(chromedp.CSS("#history-last")))
	sagaState := map[string]string{"PAID": "completed", "CANCELLED": "compensated"}[final]
	if got := b.eval(t, `document.querySelector('#history-saga tr[data-field=Saga] td').textContent`); got != sagaState {
		t.Fatalf("the saga at the last event shows %q, want %q", got, sagaState)
	}
}

// consoleBrowseStream: the event log shows an order's stream with each
// event's data; its correlation link shows that correlation's events (the
// saga's among them); a saga step's causation link shows the saga's
// stream; the order link opens the order.
func consoleBrowseStream(t *testing.T, s *consoleSystem, b *browser) {
	id := s.orders[0]
	b.tab(t, "events")
	b.fill(t, "events-stream", order.StreamID(id))
	b.do(t, chromedp.Click(chromedp.CSS(`#events-form button[type=submit]`)))
	rows := `[...document.querySelectorAll('#events-table tbody tr')].map(r => r.dataset.stream + ' ' + r.dataset.type).join(', ')`
	want := fmt.Sprintf("order-%[1]s order.placed, order-%[1]s order.confirmed, order-%[1]s order.paid", id)
	b.waitFor(t, "the order's stream", `(`+rows+`) === `+js(want)+` ? 'shown' : ''`, 15*time.Second)
	data := b.eval(t, `document.querySelector('#events-table tbody tr pre').textContent`)
	for _, w := range []string{`"orderId": "` + id + `"`, `"customerId": "c-1"`, `"correlationId"`, `"causationId"`} {
		if !strings.Contains(data, w) {
			t.Fatalf("the first event's data and metadata lack %s:\n%s", w, data)
		}
	}
	b.click(t, `#events-table tbody tr:first-child details summary`)
	b.shot(t, "stream-of-an-order")

	// The correlation of the placement: the order's events and the saga's.
	corr := b.eval(t, `document.querySelector('#events-table tbody tr:first-child button[aria-label^="Show the events of correlation"]').textContent`)
	b.click(t, `#events-table tbody tr:first-child button[aria-label^="Show the events of correlation"]`)
	got := b.waitFor(t, "the correlation's events", `document.getElementById('events-caption').textContent.startsWith('Events of correlation') ? (`+rows+`) : ''`, 15*time.Second)
	for _, w := range []string{"order-" + id + " order.placed", "fulfillment-" + id + " fulfillment.started", "fulfillment-" + id + " fulfillment.completed", "payment-" + id + " payment.requested"} {
		if !strings.Contains(got, w) {
			t.Fatalf("the events of correlation %s lack %s: %s", corr, w, got)
		}
	}
	others := b.eval(t, `[...document.querySelectorAll('#events-table tbody tr button[aria-label^="Show the events of correlation"]')].filter(x => x.textContent !== `+js(corr)+`).length + ''`)
	if others != "0" {
		t.Fatalf("%s events of another correlation shown", others)
	}
	b.shot(t, "a-correlation")

	// An event's causation: the saga's start was caused by the placement,
	// which its link marks (and focuses) among the correlation's events.
	b.click(t, `#events-table tbody tr[data-type="fulfillment.started"] button[aria-label^="Find the event"]`)
	marked := b.waitFor(t, "the causing event marked", `(() => {
		const r = document.querySelector('#events-table tbody tr.highlight');
		return r && document.getElementById('events-what').textContent.endsWith('The causing event is marked.') ? r.dataset.type + ' ' + (document.activeElement === r) : '';
	})()`, 15*time.Second)
	if marked != "order.placed true" {
		t.Fatalf("the cause of fulfillment.started: %s, want order.placed, focused", marked)
	}
	b.shot(t, "a-causation")

	// A saga step's command: its causation link shows the saga's stream.
	b.click(t, `#events-table tbody tr[data-type="order.confirmed"] button[aria-label^="Show the saga stream"]`)
	b.waitFor(t, "the saga's stream", `document.getElementById('events-caption').textContent === 'Stream fulfillment-`+id+`, oldest first' ? 'shown' : ''`, 15*time.Second)

	// The order link opens the order's timeline and past.
	b.click(t, `#events-table tbody tr:first-child button[aria-label^="Open order"]`)
	b.waitFor(t, "the order view", `(() => !document.getElementById('panel-orders').hidden && document.getElementById('timeline-title').textContent === 'Timeline of order `+id+`' ? 'open' : '')()`, 15*time.Second)
	b.shot(t, "order-from-the-log")
}

// consoleGlobalLog: the global log shows the newest events first; the
// next page holds the events before them, and the previous page goes
// back to the same newest ones.
func consoleGlobalLog(t *testing.T, s *consoleSystem, b *browser) {
	head, err := s.store.ReadAllBackwards(context.Background(), eventstore.LogEnd, 10)
	if err != nil {
		t.Fatal(err)
	}
	positions := func(events []eventstore.RecordedEvent) string {
		var p []string
		for _, e := range events {
			p = append(p, e.Position.String())
		}
		return strings.Join(p, " ")
	}
	b.tab(t, "events")
	b.fill(t, "events-stream", "")
	b.fill(t, "events-count", "5")
	b.do(t, chromedp.Click(chromedp.CSS(`#events-form button[type=submit]`)))
	shown := `[...document.querySelectorAll('#events-table tbody tr td:first-child')].map(td => td.textContent).join(' ')`
	if got := b.waitFor(t, "the newest events", `document.getElementById('events-caption').textContent === 'The global log, newest first' ? `+shown+` : ''`, 15*time.Second); got != positions(head[:5]) {
		t.Fatalf("newest five: %s, want %s", got, positions(head[:5]))
	}
	b.do(t, chromedp.Click(chromedp.CSS("#events-next")))
	b.waitFor(t, "the five before", `(`+shown+`) === `+js(positions(head[5:10]))+` ? 'shown' : ''`, 15*time.Second)
	b.shot(t, "global-log-older")
	b.do(t, chromedp.Click(chromedp.CSS("#events-previous")))
	want := positions(head[:5])
	parts := strings.Split(want, " ")
	for i, j := 0, len(parts)-1; i < j; i, j = i+1, j-1 {
		parts[i], parts[j] = parts[j], parts[i]
	}
	b.waitFor(t, "the newest five again, oldest first", `(`+shown+`) === `+js(strings.Join(parts, " "))+` ? 'shown' : ''`, 15*time.Second)
}

// consoleCustomerSeesNoLog: a customer's token is refused by the console
// (the event log with it) and by the log's endpoint; its GraphQL history
// of someone else's order is null.
func consoleCustomerSeesNoLog(t *testing.T, s *consoleSystem, b *browser) {
	b.do(t, chromedp.Click(chromedp.CSS("#sign-out")))
	b.signIn(t, s.base, s.customer)
	b.waitFor(t, "the refusal", `(() => { const e = document.getElementById('auth-error'); return e.hidden ? '' : e.textContent; })()`, 15*time.Second)
	if got := b.eval(t, `[document.getElementById('console').hidden, document.getElementById('panel-events').offsetParent === null, document.querySelectorAll('#events-table tbody tr').length].join(' ')`); got != "true true 0" {
		t.Fatalf("after the refusal (console hidden, log hidden, no events): %s", got)
	}
	b.eval(t, `(fetch('/api/v1/admin/events?stream=order-`+s.orders[0]+`', {headers: {Authorization: 'Bearer `+s.customer+`'}}).then(r => { window.eventsStatus = r.status; }), '')`)
	if status := b.waitFor(t, "the customer's call to the event log", `String(window.eventsStatus || '')`, 15*time.Second); status != "403" {
		t.Fatalf("the customer's call to the event log: %s, want 403", status)
	}
	b.shot(t, "customer-refused")
	for _, path := range []string{"/api/v1/admin/events", "/api/v1/admin/events?stream=order-" + s.orders[0], "/api/v1/admin/events?correlation=x"} {
		s.call(t, http.MethodGet, path, s.customer, nil, http.StatusForbidden, nil)
	}
	query := `query($id: ID!) { order(id: $id) { history { steps { position } } } }`
	if data, errs := s.gql(t, s.customer, query, map[string]any{"id": s.declined}); len(errs) > 0 || string(data) != `{"order":null}` {
		t.Fatalf("customer c-1's history of c-2's order: %s %v", data, errs)
	}
	if data, errs := s.gql(t, s.customer, query, map[string]any{"id": s.orders[0]}); len(errs) > 0 || !strings.Contains(string(data), `"steps":[{"position"`) {
		t.Fatalf("customer c-1's history of its own order: %s %v", data, errs)
	}
}

// fill sets the value of the input with the id.
func (b *browser) fill(t *testing.T, id, value string) {
	t.Helper()
	b.eval(t, `(document.getElementById(`+js(id)+`).value = `+js(value)+`, '')`)
}

// click clicks the element the selector finds from inside the page, in
// one step: a table the poller redraws cannot swap it in between.
func (b *browser) click(t *testing.T, selector string) {
	t.Helper()
	if got := b.eval(t, `(() => { const e = document.querySelector(`+js(selector)+`); if (!e) return 'missing'; e.click(); return ''; })()`); got != "" {
		b.shot(t, "failed")
		t.Fatalf("no %s to click", selector)
	}
}
