package read_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/orderflow/orderflow/eventstore"
	"github.com/orderflow/orderflow/projections/readmodels"
	"github.com/orderflow/orderflow/projections/readmodels/readmodelstest"
	"github.com/orderflow/orderflow/read"
	"github.com/orderflow/orderflow/sagas/fulfillment"
	"github.com/orderflow/orderflow/write/order"
)

// BenchmarkOrderHistory asks for the history of a paid order (12 events
// of two streams) over a real socket: through the GraphQL API, which
// reads both streams, folds them with the write side's Evolve and
// answers the state after every event (impl=graphql), and through a
// plain handler that reads the same two streams and writes their events
// as JSON (impl=raw), the floor of reading them at all. Compare with
// benchstat -col /impl.
func BenchmarkOrderHistory(b *testing.B) {
	e := readmodelstest.New(b)
	e.Run(e.Manager("bench", readmodels.All()...))
	saga := e.StartSaga(readmodelstest.HistoryPaymentTimeout * 20)
	e.Product("A", "Product A", eur(1999), 10)
	e.Place("o-1", "c-1", order.LineRequest{SKU: "A", Quantity: 2})
	saga.Finished("o-1")
	e.CaughtUp("orders")
	saga.Stop()

	h, err := read.New(read.Config{Pool: e.Pool, Events: e.Store})
	if err != nil {
		b.Fatal(err)
	}
	gql := httptest.NewServer(asPrincipal(h))
	b.Cleanup(gql.Close)
	raw := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var all []eventstore.RecordedEvent
		for _, s := range []string{order.StreamID("o-1"), fulfillment.StreamID("o-1")} {
			events, err := e.Store.ReadStream(r.Context(), s, eventstore.ReadOptions{Count: 501})
			if err != nil {
				http.Error(w, err.Error(), http.StatusInternalServerError)
				return
			}
			all = append(all, events...)
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(all)
	}))
	b.Cleanup(raw.Close)
	body, err := json.Marshal(request{Query: historyQuery, Variables: map[string]any{"id": "o-1"}})
	if err != nil {
		b.Fatal(err)
	}
	send := func(b *testing.B, url string, body []byte) {
		req, _ := http.NewRequest(http.MethodPost, url, bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set(asHeader, admin)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		n, _ := io.Copy(io.Discard, res.Body)
		res.Body.Close()
		if res.StatusCode != http.StatusOK || n < 1000 {
			b.Fatalf("%s: %d, %d bytes", url, res.StatusCode, n)
		}
	}
	b.Run("impl=graphql", func(b *testing.B) {
		for b.Loop() {
			send(b, gql.URL, body)
		}
	})
	b.Run("impl=raw", func(b *testing.B) {
		for b.Loop() {
			send(b, raw.URL, nil)
		}
	})
}
