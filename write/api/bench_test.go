package api_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/orderflow/orderflow/eventstore"
	"github.com/orderflow/orderflow/eventstore/pg"
	"github.com/orderflow/orderflow/platform/auth"
	"github.com/orderflow/orderflow/platform/benchtest"
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

// BenchmarkPlaceOrder places orders over HTTP (http: a real socket, the
// whole command path: token check, decode, catalog lookup, load, decide,
// append, respond) as an admin and compares it, in the same run and at the
// same concurrency, with bare appends of one event of the same size
// (store) and with a raw pgx INSERT of that row in autocommit (raw), with
// a pool as large as the store's, the sides alternating
// (benchtest.Paired): http:store is what the command path costs on top of
// its append.
func BenchmarkPlaceOrder(b *testing.B) {
	for _, conns := range []int{1, 4, 16, 64} {
		b.Run(fmt.Sprintf("conns=%d", conns), func(b *testing.B) {
			benchtest.Paired(b, conns, 1, placeOrderSides(b, conns)...)
		})
	}
}

// placeOrderSides opens BenchmarkPlaceOrder's sides, each on a database of
// its own, and warms them up with conns goroutines.
func placeOrderSides(b *testing.B, conns int) []benchtest.Side {
	apiURL, _, apiDB := benchServer(b)
	_, store, storeDB := benchServer(b)
	_, _, rawDB := benchServer(b)
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: conns, MaxConnsPerHost: conns}}
	body := []byte(validOrder)
	authorization := bearer(b, testAdmin, auth.RoleAdmin)
	cfg, err := pgxpool.ParseConfig(rawDB)
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
	sides := []benchtest.Side{
		{Name: "http", DatabaseURL: apiDB, Op: func(ctx context.Context, _ int) error {
			req, err := http.NewRequestWithContext(ctx, http.MethodPost, apiURL+"/orders", bytes.NewReader(body))
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
		}},
		{Name: "store", DatabaseURL: storeDB, Op: func(ctx context.Context, _ int) error {
			_, err := store.Append(ctx, "order-"+uuid.NewString(), eventstore.NoStream,
				eventstore.EventData{ID: uuid.New(), Type: "order.placed", Data: placedData, Metadata: placedMeta})
			return err
		}},
		{Name: "raw", DatabaseURL: rawDB, Op: func(ctx context.Context, _ int) error {
			_, err := pool.Exec(ctx, `INSERT INTO eventstore.events (event_id, stream_id, category, revision, type, data, metadata)
VALUES ($1, $2, 'order', 0, 'order.placed', $3, $4)`, uuid.New(), "order-"+uuid.NewString(), placedData, meta)
			return err
		}},
	}
	for _, sd := range sides {
		benchtest.WarmUp(b, conns, time.Second, sd.Op)
	}
	return sides
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
