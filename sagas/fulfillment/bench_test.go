package fulfillment_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/orderflow/orderflow/eventstore"
	"github.com/orderflow/orderflow/platform/auth"
	"github.com/orderflow/orderflow/sagas/fulfillment"
	"github.com/orderflow/orderflow/write/api"
)

// BenchmarkFulfillment places orders over REST at a fixed rate for a few
// seconds, with the sandbox provider at zero latency, and measures each
// order from the moment its POST was sent to the moment its saga completed
// (shipment scheduled). It reports the completed orders per second
// sustained over the whole run and the p50 and p99 of that latency.
func BenchmarkFulfillment(b *testing.B) {
	for _, rate := range []int{100, 300, 400} {
		b.Run(fmt.Sprintf("rate=%d", rate), func(b *testing.B) {
			for range b.N {
				fulfillmentRun(b, rate, 5*time.Second)
			}
		})
	}
}

func fulfillmentRun(b *testing.B, rate int, duration time.Duration) {
	w := newWorldTB(b, time.Minute, 64)
	const skus = 50
	for i := range skus {
		w.product(fmt.Sprintf("SKU-%d", i), 1999, 1_000_000)
	}
	url := w.api(b)

	var (
		mu       sync.Mutex
		sent     = map[string]time.Time{}
		done     = map[string]time.Time{}
		failures int
	)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	sub, err := w.cfg.Store.Subscribe(ctx, eventstore.SubscribeOptions{Category: fulfillment.Category})
	if err != nil {
		b.Fatal(err)
	}
	defer sub.Close()
	go func() {
		for {
			events, err := sub.Next(ctx)
			if err != nil {
				return
			}
			now := time.Now()
			mu.Lock()
			for _, e := range events {
				if e.Type == fulfillment.TypeCompleted || e.Type == fulfillment.TypeCompensated {
					done[e.Stream[len(fulfillment.Category)+1:]] = now
				}
			}
			mu.Unlock()
		}
	}()

	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 256}}
	total := rate * int(duration/time.Second)
	tick := time.NewTicker(time.Second / time.Duration(rate))
	defer tick.Stop()
	b.ResetTimer()
	start := time.Now()
	var wg sync.WaitGroup
	for i := range total {
		<-tick.C
		wg.Add(1)
		go func() {
			defer wg.Done()
			body := fmt.Sprintf(`{"customerId":"c-%d","lines":[{"sku":"SKU-%d","quantity":1}],"shippingAddress":{"name":"A. Buyer","line1":"1 Main St","city":"Berlin","postalCode":"10115","country":"DE"}}`, i%100, i%skus)
			at := time.Now()
			resp, err := client.Post(url+"/orders", "application/json", bytes.NewReader([]byte(body)))
			if err != nil {
				mu.Lock()
				failures++
				mu.Unlock()
				return
			}
			defer resp.Body.Close()
			var r struct {
				OrderID string `json:"orderId"`
			}
			data, _ := io.ReadAll(resp.Body)
			if resp.StatusCode != http.StatusAccepted || json.Unmarshal(data, &r) != nil {
				mu.Lock()
				failures++
				mu.Unlock()
				return
			}
			mu.Lock()
			sent[r.OrderID] = at
			mu.Unlock()
		}()
	}
	wg.Wait()
	deadline := time.Now().Add(2 * time.Minute)
	for {
		mu.Lock()
		finished := len(done)
		mu.Unlock()
		if finished >= total-failures || time.Now().After(deadline) {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	b.StopTimer()

	mu.Lock()
	defer mu.Unlock()
	if failures > 0 {
		b.Fatalf("%d of %d placements failed", failures, total)
	}
	var (
		lat  []time.Duration
		last time.Time
	)
	for id, at := range sent {
		end, ok := done[id]
		if !ok {
			b.Fatalf("order %s never finished", id)
		}
		lat = append(lat, end.Sub(at))
		if end.After(last) {
			last = end
		}
	}
	slices.Sort(lat)
	b.ReportMetric(float64(len(lat))/last.Sub(start).Seconds(), "orders/s")
	b.ReportMetric(float64(lat[len(lat)/2].Milliseconds()), "p50-ms")
	b.ReportMetric(float64(lat[len(lat)*99/100].Milliseconds()), "p99-ms")
}

// api serves the command API on w's database and returns its base URL.
func (w *world) api(b *testing.B) string {
	pool, err := pgxpool.New(w.ctx, w.dbURL)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(pool.Close)
	r := chi.NewRouter()
	// The API serves authenticated callers only; here every request comes
	// from an admin, who may place orders for any customer.
	r.Use(func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(rw http.ResponseWriter, req *http.Request) {
			next.ServeHTTP(rw, req.WithContext(auth.WithPrincipal(req.Context(), auth.Principal{Subject: "bench", Role: auth.RoleAdmin})))
		})
	})
	r.Mount(api.Prefix, api.New(api.Config{Service: w.svc, Pool: pool}).Routes())
	srv := httptest.NewServer(r)
	b.Cleanup(srv.Close)
	return srv.URL + api.Prefix
}
