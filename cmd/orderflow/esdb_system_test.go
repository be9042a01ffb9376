package main

import (
	"bytes"
	"context"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/orderflow/orderflow/eventstore/esdb/esdbtest"
	"github.com/orderflow/orderflow/platform/dbtest"
)

// TestWholeSystemOnEventStoreDB runs serve on the EventStoreDB adapter:
// against the server EVENTSTORE_URL names, or, when it is unset, against
// the esdbtest stand-in started here, which is test scaffolding and not
// EventStoreDB. An order is placed, a query with X-Min-Position set to the
// command's position waits for it, the saga pays it, the orders read model
// shows it paid, and a rebuild of that read model, while serve runs,
// reproduces it. On the stand-in, refusals injected into it reach the
// client as the command API promises: unavailable is a 503 with
// Retry-After, events over the maximum append size a 413.
func TestWholeSystemOnEventStoreDB(t *testing.T) {
	url := os.Getenv("EVENTSTORE_URL")
	var standIn *esdbtest.Server
	if url == "" {
		standIn = esdbtest.Start(t)
		url = standIn.URL()
		t.Log("EVENTSTORE_URL is not set: serve runs against the esdbtest stand-in, NOT against EventStoreDB")
	} else {
		t.Log("serve runs against the EventStoreDB server EVENTSTORE_URL names")
	}
	dbURL := dbtest.New(t)
	s := startSystem(t, dbURL, map[string]string{"EVENTSTORE_URL": url})
	if rec := s.logs.WaitFor(t, "orderflow starting", 0); rec["eventstore"] != "eventstoredb" {
		t.Fatalf("serve started on event store %v, want eventstoredb", rec["eventstore"])
	}

	s.call(t, http.MethodPost, "/api/v1/products", s.admin, map[string]any{"sku": "SKU-ES", "name": "Widget", "price": map[string]any{"amount": 1999, "currency": "EUR"}}, http.StatusAccepted, nil)
	s.call(t, http.MethodPost, "/api/v1/products/SKU-ES/stock", s.admin, map[string]any{"quantity": 5}, http.StatusAccepted, nil)
	var placed struct{ OrderID, Position string }
	s.call(t, http.MethodPost, "/api/v1/orders", s.customer, map[string]any{
		"lines":           []map[string]any{{"sku": "SKU-ES", "quantity": 2}},
		"shippingAddress": map[string]any{"name": "A. Buyer", "line1": "1 Main St", "city": "Berlin", "postalCode": "10115", "country": "DE"},
	}, http.StatusAccepted, &placed, "Idempotency-Key", "esdb-order-1")
	if placed.OrderID == "" || placed.Position == "" {
		t.Fatalf("the 202 of placing an order: %+v", placed)
	}

	// Read your writes: asked at once with the command's position, the
	// query waits for the orders read model and finds the order.
	const orderQuery = `query($id: ID!) { order(id: $id) { id status total { amount currency } } }`
	var fresh struct {
		Data struct {
			Order *struct {
				ID     string
				Status string
			}
		}
		Errors     []any
		Extensions map[string]any
	}
	s.call(t, http.MethodPost, graphqlPath, s.customer, map[string]any{"query": orderQuery, "variables": map[string]any{"id": placed.OrderID}},
		http.StatusOK, &fresh, "X-Min-Position", placed.Position)
	if len(fresh.Errors) > 0 || fresh.Data.Order == nil || fresh.Data.Order.ID != placed.OrderID || fresh.Extensions["stale"] != nil {
		t.Fatalf("query with X-Min-Position %s: %+v, want the order, not stale", placed.Position, fresh)
	}

	// The saga reserves, charges and ships; the read model shows it paid.
	type order struct {
		Order *struct {
			ID     string
			Status string
			Total  struct {
				Amount   string
				Currency string
			}
		}
	}
	var paid order
	eventually(t, 60*time.Second, "the saga to pay the order", func() bool {
		paid = order{}
		errs := s.tryGraphQL(t, s.customer, orderQuery, map[string]any{"id": placed.OrderID}, &paid)
		return len(errs) == 0 && paid.Order != nil && paid.Order.Status == "PAID"
	})
	if paid.Order.Total.Amount != "3998" || paid.Order.Total.Currency != "EUR" {
		t.Fatalf("the paid order's total is %+v, want 39.98 EUR", paid.Order.Total)
	}

	// A rebuild from the log, while serve runs, reproduces it.
	var stdout, stderr bytes.Buffer
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	env := envOf(map[string]string{envDatabaseURL: dbURL, "EVENTSTORE_URL": url})
	if err := run(ctx, []string{"projections", "rebuild", "orders"}, env, &stdout, &stderr); err != nil {
		t.Fatalf("projections rebuild orders: %v\n%s", err, stderr.String())
	}
	if !strings.HasPrefix(stdout.String(), "rebuilt orders") {
		t.Fatalf("rebuild summary %q", stdout.String())
	}
	var rebuilt order
	s.graphql(t, s.customer, orderQuery, map[string]any{"id": placed.OrderID}, &rebuilt)
	if rebuilt.Order == nil || *rebuilt.Order != *paid.Order {
		t.Fatalf("after the rebuild the order reads %+v, want %+v", rebuilt.Order, paid.Order)
	}

	// Every event went to EventStoreDB: PostgreSQL's event store is empty.
	conn, err := pgx.Connect(ctx, dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	var inPG int
	if err := conn.QueryRow(ctx, `SELECT count(*) FROM eventstore.events`).Scan(&inPG); err != nil {
		t.Fatal(err)
	}
	if inPG != 0 {
		t.Fatalf("%d events in PostgreSQL's event store, want none: serve did not run on EventStoreDB", inPG)
	}

	if standIn == nil {
		return // the refusals below are injected into the stand-in
	}
	another := map[string]any{
		"lines":           []map[string]any{{"sku": "SKU-ES", "quantity": 1}},
		"shippingAddress": map[string]any{"name": "A. Buyer", "line1": "1 Main St", "city": "Berlin", "postalCode": "10115", "country": "DE"},
	}
	t.Run("an unavailable event store is a 503 with Retry-After", func(t *testing.T) {
		standIn.Fail(esdbtest.OpAppend, -1, esdbtest.Unavailable)
		defer standIn.Fail(esdbtest.OpAppend, 0, esdbtest.Fault{}) // also when this part fails
		h := s.call(t, http.MethodPost, "/api/v1/orders", s.customer, another, http.StatusServiceUnavailable, nil, "Idempotency-Key", "esdb-order-2")
		if h.Get("Retry-After") != "1" || h.Get("Content-Type") != "application/problem+json" {
			t.Fatalf("503 with Retry-After %q and Content-Type %q", h.Get("Retry-After"), h.Get("Content-Type"))
		}
		standIn.Fail(esdbtest.OpAppend, 0, esdbtest.Fault{})
		s.call(t, http.MethodPost, "/api/v1/orders", s.customer, another, http.StatusAccepted, nil, "Idempotency-Key", "esdb-order-2")
	})
	t.Run("events over the maximum append size are a 413", func(t *testing.T) {
		standIn.SetMaxAppendSize(200)
		defer standIn.SetMaxAppendSize(esdbtest.DefaultMaxAppendSize)
		var p struct{ Code string }
		s.call(t, http.MethodPost, "/api/v1/orders", s.customer, another, http.StatusRequestEntityTooLarge, &p, "Idempotency-Key", "esdb-order-3")
		if p.Code != "too_large" {
			t.Fatalf("problem code %q, want too_large", p.Code)
		}
	})
}
