package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/orderflow/orderflow/paymentprovider/sandbox"
	"github.com/orderflow/orderflow/platform/dbtest"
)

// TestOverloadIsShedAtTheDoor offers a burst of orders to a system whose
// provider answers in 200 ms behind a bulkhead of 2 (10 charges/s) with
// room for 12 orders in flight and a payment deadline of 3 s: some orders
// are refused at the door with 503 overloaded, a Retry-After and one WARN
// line each, counted by a metric, and every order accepted ends PAID,
// none cancelled by its deadline.
func TestOverloadIsShedAtTheDoor(t *testing.T) {
	const offered, clients = 60, 6
	s := startSystem(t, dbtest.New(t), map[string]string{
		"ORDERFLOW_PAYMENT_CONCURRENCY": "2", "ORDERFLOW_ORDER_CAPACITY": "12", "ORDERFLOW_PAYMENT_TIMEOUT": "3s", "ORDERFLOW_RATE_LIMIT": "100000",
	})
	if err := s.sandbox.SetControls(sandbox.Controls{LatencyMs: 200}); err != nil {
		t.Fatal(err)
	}
	s.call(t, http.MethodPost, "/api/v1/products", s.admin, map[string]any{"sku": "SKU-O", "name": "Offered", "price": map[string]any{"amount": 1999, "currency": "EUR"}}, http.StatusAccepted, nil)
	s.call(t, http.MethodPost, "/api/v1/products/SKU-O/stock", s.admin, map[string]any{"quantity": offered}, http.StatusAccepted, nil)
	body, _ := json.Marshal(map[string]any{
		"lines":           []map[string]any{{"sku": "SKU-O", "quantity": 1}},
		"shippingAddress": map[string]any{"name": "A. Buyer", "line1": "1 Main St", "city": "Berlin", "postalCode": "10115", "country": "DE"},
	})

	var (
		mu       sync.Mutex
		accepted []string
		shed     int
		wg       sync.WaitGroup
	)
	for c := range clients {
		wg.Go(func() {
			for i := range offered / clients {
				req, _ := http.NewRequest(http.MethodPost, s.base+"/api/v1/orders", bytes.NewReader(body))
				req.Header.Set("Content-Type", "application/json")
				req.Header.Set("Authorization", "Bearer "+s.customer)
				req.Header.Set("Idempotency-Key", fmt.Sprintf("burst-%d-%d", c, i))
				res, err := http.DefaultClient.Do(req)
				if err != nil {
					t.Error(err)
					return
				}
				raw, _ := io.ReadAll(res.Body)
				res.Body.Close()
				var answer struct{ OrderID, Code string }
				_ = json.Unmarshal(raw, &answer)
				mu.Lock()
				switch {
				case res.StatusCode == http.StatusAccepted && answer.OrderID != "":
					accepted = append(accepted, answer.OrderID)
				case res.StatusCode == http.StatusServiceUnavailable && answer.Code == "overloaded" &&
					res.Header.Get("Retry-After") != "" && strings.HasPrefix(res.Header.Get("Content-Type"), "application/problem+json"):
					shed++
				default:
					t.Errorf("order %d-%d: %d %v %s", c, i, res.StatusCode, res.Header, raw)
				}
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if t.Failed() {
		return
	}
	if shed == 0 || len(accepted) == 0 {
		t.Fatalf("%d orders accepted, %d shed: want both", len(accepted), shed)
	}

	for _, id := range accepted {
		var got struct{ Order *struct{ Status string } }
		eventually(t, 60*time.Second, "order "+id+" to be paid", func() bool {
			errs := s.tryGraphQL(t, s.admin, `query($id: ID!) { order(id: $id) { status } }`, map[string]any{"id": id}, &got)
			if len(errs) == 0 && got.Order != nil && got.Order.Status == "CANCELLED" {
				t.Fatalf("accepted order %s was cancelled", id)
			}
			return len(errs) == 0 && got.Order != nil && got.Order.Status == "PAID"
		})
	}
	if n := s.sandbox.Stats().ChargesMade; n != int64(len(accepted)) {
		t.Fatalf("%d charges for %d accepted orders", n, len(accepted))
	}
	metrics := s.text(t, "/metrics")
	if got := metricValue(t, metrics, `orderflow_api_shed_total{route="/api/v1/orders"}`); got != float64(shed) {
		t.Errorf("orderflow_api_shed_total = %v, want %d", got, shed)
	}
	if got := metricValue(t, metrics, `orderflow_saga_deadline_compensations_total{saga="fulfillment"}`); got != 0 {
		t.Errorf("%v sagas compensated at their deadline", got)
	}
	warned := 0
	for _, r := range s.logs.Records(t) {
		if r["level"] == "WARN" && r["reason"] == "overloaded" && r["correlation_id"] != "" && r["correlation_id"] != nil {
			warned++
		}
	}
	if warned != shed {
		t.Errorf("%d WARN lines for %d orders shed", warned, shed)
	}
	t.Logf("%d orders accepted and paid, %d shed", len(accepted), shed)
}
