package api_test

import (
	"bytes"
	"context"
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
	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/orderflow/orderflow/eventstore"
	"github.com/orderflow/orderflow/eventstore/pg"
	"github.com/orderflow/orderflow/platform/auth"
	"github.com/orderflow/orderflow/platform/dbtest"
	"github.com/orderflow/orderflow/write/api"
	"github.com/orderflow/orderflow/write/command"
	"github.com/orderflow/orderflow/write/inventory"
	"github.com/orderflow/orderflow/write/money"
	"github.com/orderflow/orderflow/write/service"
)

// placedData and placedMeta are an order.placed event of the size the
// command path appends.
var (
	placedData = []byte(`{"v":1,"orderId":"9a1f3c5e-2b4d-4f6a-8c0e-1d3f5a7b9c2e","customerId":"c-1","lines":[{"sku":"SKU-1","quantity":2,"unitPrice":{"amount":1999,"currency":"EUR"}}],"total":{"amount":3998,"currency":"EUR"},"shippingAddress":{"name":"A. Buyer","line1":"1 Main St","city":"Berlin","postalCode":"10115","country":"DE"},"placedAt":"2026-11-25T20:00:00Z"}`)
	placedMeta = eventstore.Metadata{CorrelationID: uuid.NewString(), CausationID: uuid.NewString()}
)

// BenchmarkPlaceOrder places orders over HTTP (impl=http: a real socket,
// the whole command path: token check, decode, catalog lookup, load,
// decide, append, respond) as an admin and compares it, in the same run and
// at the same concurrency, with bare appends of one event of the same size
// (impl=store) and with a raw pgx INSERT of that row in autocommit
// (impl=raw), with a pool as large as the store's.
func BenchmarkPlaceOrder(b *testing.B) {
	for _, conns := range []int{1, 4, 16, 64} {
		b.Run(fmt.Sprintf("conns=%d/impl=http", conns), func(b *testing.B) {
			url, _, _ := benchServer(b)
			client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: conns, MaxConnsPerHost: conns}}
			body := []byte(validOrder)
			authorization := bearer(b, testAdmin, auth.RoleAdmin)
			measure(b, conns, func() error {
				req, err := http.NewRequest(http.MethodPost, url+"/orders", bytes.NewReader(body))
				if err != nil {
					return err
				}
				req.Header.Set("Content-Type", "application/json")
				req.Header.Set("Authorization", authorization)
				resp, err := client.Do(req)
				if err != nil {
					return err
				}
				defer resp.Body.Close()
				_, _ = io.Copy(io.Discard, resp.Body)
				if resp.StatusCode != http.StatusAccepted {
					return fmt.Errorf("status %d", resp.StatusCode)
				}
				return nil
			})
		})
		b.Run(fmt.Sprintf("conns=%d/impl=store", conns), func(b *testing.B) {
			_, store, _ := benchServer(b)
			measure(b, conns, func() error {
				_, err := store.Append(context.Background(), "order-"+uuid.NewString(), eventstore.NoStream,
					eventstore.EventData{ID: uuid.New(), Type: "order.placed", Data: placedData, Metadata: placedMeta})
				return err
			})
		})
		b.Run(fmt.Sprintf("conns=%d/impl=raw", conns), func(b *testing.B) {
			_, _, dbURL := benchServer(b)
			cfg, err := pgxpool.ParseConfig(dbURL)
			if err != nil {
				b.Fatal(err)
			}
			cfg.MaxConns = pg.DefaultMaxConns
			pool, err := pgxpool.NewWithConfig(context.Background(), cfg)
			if err != nil {
				b.Fatal(err)
			}
			b.Cleanup(pool.Close)
			meta := eventstore.MarshalMetadata(placedMeta)
			measure(b, conns, func() error {
				_, err := pool.Exec(context.Background(), `INSERT INTO eventstore.events (event_id, stream_id, category, revision, type, data, metadata)
VALUES ($1, $2, 'order', 0, 'order.placed', $3, $4)`, uuid.New(), "order-"+uuid.NewString(), placedData, meta)
				return err
			})
		})
	}
}

// benchServer serves the command API on a fresh database with SKU-1 in the
// catalog, behind the verifier of the tests' tokens. It returns the API's
// URL, its store and the database's URL.
func benchServer(b *testing.B) (string, eventstore.Store, string) {
	dbURL := dbtest.New(b)
	ctx := context.Background()
	store, err := pg.New(ctx, pg.Config{DatabaseURL: dbURL})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { store.Close() })
	pool, err := pgxpool.New(ctx, dbURL)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(pool.Close)
	catalog := service.NewCatalog()
	catalogCtx, stopCatalog := context.WithCancel(ctx)
	go func() { _ = catalog.Run(catalogCtx, store) }()
	b.Cleanup(stopCatalog)
	svc := service.New(command.NewHandler(store, time.Now), catalog)
	if _, err := svc.Inventory(ctx, command.Meta{}, "SKU-1", inventory.RegisterProduct{SKU: "SKU-1", Name: "Widget", Price: money.Money{Amount: 1999, Currency: "EUR"}}); err != nil {
		b.Fatal(err)
	}
	verifier, err := auth.NewVerifier(auth.Config{Secret: testSecret, Issuer: testIssuer, Audience: testAudience})
	if err != nil {
		b.Fatal(err)
	}
	r := chi.NewRouter()
	r.Use(verifier.Middleware)
	r.Mount(api.Prefix, api.New(api.Config{Service: svc, Pool: pool}).Routes())
	srv := httptest.NewServer(r)
	b.Cleanup(srv.Close)
	return srv.URL + api.Prefix, store, dbURL
}

// measure runs b.N operations on conns goroutines and reports their rate
// and latency percentiles.
func measure(b *testing.B, conns int, op func() error) {
	var (
		next   atomic.Int64
		wg     sync.WaitGroup
		mu     sync.Mutex
		lat    = make([]time.Duration, 0, b.N)
		failed atomic.Value
	)
	b.ResetTimer()
	for range conns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			mine := make([]time.Duration, 0, b.N/conns+1)
			for next.Add(1) <= int64(b.N) {
				start := time.Now()
				if err := op(); err != nil {
					failed.Store(err)
					return
				}
				mine = append(mine, time.Since(start))
			}
			mu.Lock()
			lat = append(lat, mine...)
			mu.Unlock()
		}()
	}
	wg.Wait()
	b.StopTimer()
	if err, _ := failed.Load().(error); err != nil {
		b.Fatal(err)
	}
	slices.Sort(lat)
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "ops/s")
	b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "p99-ms")
}
