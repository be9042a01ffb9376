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
	"github.com/orderflow/orderflow/paymentprovider/sandbox"
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
				w := newWorldTB(b, time.Minute, 64)
				r := fulfillmentRun(b, w, rate, 5*time.Second)
				b.ReportMetric(r.perSecond, "orders/s")
				b.ReportMetric(float64(r.p50.Milliseconds()), "p50-ms")
				b.ReportMetric(float64(r.p99.Milliseconds()), "p99-ms")
			}
		})
	}
}

// BenchmarkSlowProvider offers orders faster than a healthy but slow
// provider (200 ms a charge) can take them through a bulkhead of 8, whose
// bound is 8 / 0.2 s = 40 charges/s, with a payment deadline of 5 s that
// the queue outgrows. It reports the completed orders per second, their
// ratio to the bound min(offered rate, bulkhead / latency), the p99 from
// POST to completion, and the sagas compensated (by a deadline or
// anything else), which should be none.
func BenchmarkSlowProvider(b *testing.B) {
	const (
		rate     = 60
		bulkhead = 8
		latency  = 200 * time.Millisecond
	)
	bound := min(float64(rate), bulkhead/latency.Seconds())
	for range b.N {
		w := newIdleWorldBulkhead(b, 5*time.Second, 64, bulkhead)
		w.start()
		if err := w.sandbox.SetControls(sandbox.Controls{LatencyMs: int(latency / time.Millisecond)}); err != nil {
			b.Fatal(err)
		}
		r := fulfillmentRun(b, w, rate, 8*time.Second)
		b.ReportMetric(r.perSecond, "orders/s")
		b.ReportMetric(r.perSecond/bound, "ratio-to-bound")
		b.ReportMetric(float64(r.p99.Milliseconds()), "p99-ms")
		b.ReportMetric(float64(r.compensated), "compensated")
	}
}

// runResult is what one fulfillmentRun measured.
type runResult struct {
	// perSecond is the completed orders per second over the run, from its
	// start to the last completion.
	perSecond   float64
	p50, p99    time.Duration
	compensated int
}

func fulfillmentRun(b *testing.B, w *world, rate int, duration time.Duration) runResult {
	const skus = 50
	for i := range skus {
		w.product(fmt.Sprintf("SKU-%d", i), 1999, 1_000_000)
	}
	url := w.api(b)

	var (
		mu          sync.Mutex
		sent        = map[string]time.Time{}
		done        = map[string]time.Time{}
		compensated = map[string]bool{}
		failures    int
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
					id := e.Stream[len(fulfillment.Category)+1:]
					done[id] = now
					compensated[id] = e.Type == fulfillment.TypeCompensated
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
		res  runResult
	)
	for id, at := range sent {
		end, ok := done[id]
		if !ok {
			b.Fatalf("order %s never finished", id)
		}
		if compensated[id] {
			res.compensated++
			continue
		}
		lat = append(lat, end.Sub(at))
		if end.After(last) {
			last = end
		}
	}
	if len(lat) == 0 {
		b.Fatalf("none of %d orders completed", total)
	}
	slices.Sort(lat)
	res.perSecond = float64(len(lat)) / last.Sub(start).Seconds()
	res.p50, res.p99 = lat[len(lat)/2], lat[len(lat)*99/100]
	return res
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
