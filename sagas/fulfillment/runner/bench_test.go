package runner_test

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
	"sync/atomic"
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
				r := fulfillmentRun(b, w, load{skus: 50, rate: rate, duration: 5 * time.Second})
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
		r := fulfillmentRun(b, w, load{skus: 50, rate: rate, duration: 8 * time.Second})
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

// load is what a fulfillmentRun offers: orders of one unit spread
// round-robin over skus products, either at rate orders a second for
// duration (an open loop), or, when clients is set, orders placed by
// clients concurrent clients, each placing its next as soon as its last
// was accepted (a closed loop, as buyers in a flash sale do).
type load struct {
	skus     int
	rate     int
	duration time.Duration
	clients  int
	orders   int
}

// total is how many orders l places.
func (l load) total() int {
	if l.clients > 0 {
		return l.orders
	}
	return l.rate * int(l.duration/time.Second)
}

// fulfillmentRun offers l to w over REST and measures each order from its
// POST to its saga's end.
func fulfillmentRun(b *testing.B, w *world, l load) runResult {
	for i := range l.skus {
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
	place := func(i int) {
		body := fmt.Sprintf(`{"customerId":"c-%d","lines":[{"sku":"SKU-%d","quantity":1}],"shippingAddress":{"name":"A. Buyer","line1":"1 Main St","city":"Berlin","postalCode":"10115","country":"DE"}}`, i%100, i%l.skus)
		at := time.Now()
		var r struct {
			OrderID string `json:"orderId"`
		}
		resp, err := client.Post(url+"/orders", "application/json", bytes.NewReader([]byte(body)))
		if err == nil {
			data, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != http.StatusAccepted || json.Unmarshal(data, &r) != nil {
				err = fmt.Errorf("%d %s", resp.StatusCode, data)
			}
		}
		mu.Lock()
		defer mu.Unlock()
		if err != nil {
			failures++
			return
		}
		sent[r.OrderID] = at
	}
	total := l.total()
	b.ResetTimer()
	start := time.Now()
	var wg sync.WaitGroup
	if l.clients > 0 {
		var next atomic.Int64
		for range l.clients {
			wg.Go(func() {
				for i := int(next.Add(1)) - 1; i < total; i = int(next.Add(1)) - 1 {
					place(i)
				}
			})
		}
	} else {
		tick := time.NewTicker(time.Second / time.Duration(l.rate))
		defer tick.Stop()
		for i := range total {
			<-tick.C
			wg.Go(func() { place(i) })
		}
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

// BenchmarkFlashSale is a flash sale end to end: 3,000 orders of one unit
// placed over REST by 64 concurrent clients, with the sandbox at zero
// latency, all for one product (skus=1) or spread over 50 (skus=50), each
// from its POST to its saga's end. A hot product should cost little: the
// orders per second with one SKU against those with 50 is the figure to
// read. Every order must complete; a compensated one is reported.
func BenchmarkFlashSale(b *testing.B) {
	for _, skus := range []int{1, 50} {
		b.Run(fmt.Sprintf("skus=%d", skus), func(b *testing.B) {
			for range b.N {
				w := newWorldTB(b, 5*time.Minute, 64)
				r := fulfillmentRun(b, w, load{skus: skus, clients: 64, orders: 3000})
				b.ReportMetric(r.perSecond, "orders/s")
				b.ReportMetric(float64(r.p99.Milliseconds()), "p99-ms")
				b.ReportMetric(float64(r.compensated), "compensated")
			}
		})
	}
}
