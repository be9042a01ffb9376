package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/orderflow/orderflow/platform/auth"
	"github.com/orderflow/orderflow/platform/dbtest"
)

// peakLoad is a whole system under a flash sale: the API and the
// projections in the test, the saga in worker processes of their own.
type peakLoad struct {
	*testSystem
	dbURL string
	env   []string
}

// startPeakLoad runs the API and the projections in the test and returns
// the environment a saga worker needs; env adds to the API's environment.
func startPeakLoad(t *testing.T, env map[string]string) *peakLoad {
	t.Helper()
	dbURL := dbtest.New(t)
	api := startSystem(t, dbURL, env, "--roles", "api,projections")
	return &peakLoad{testSystem: api, dbURL: dbURL, env: []string{"DATABASE_URL=" + dbURL, "PAYMENT_PROVIDER_URL=" + api.providerURL}}
}

// sagaWorker starts an `orderflow serve --roles sagas` process and waits
// until it holds saga leases or, when others hold them all, has started.
func (p *peakLoad) sagaWorker(t *testing.T) *worker {
	t.Helper()
	return startWorker(t, p.env, "--roles", "sagas")
}

// stock registers sku and puts quantity in stock.
func (p *peakLoad) stock(t *testing.T, sku string, quantity int) {
	t.Helper()
	p.call(t, http.MethodPost, "/api/v1/products", p.admin, map[string]any{"sku": sku, "name": "Flash " + sku, "price": map[string]any{"amount": 1999, "currency": "EUR"}}, http.StatusAccepted, nil)
	p.call(t, http.MethodPost, "/api/v1/products/"+sku+"/stock", p.admin, map[string]any{"quantity": quantity}, http.StatusAccepted, nil)
}

// placed is what a burst of orders came to.
type placed struct {
	ids  []string // accepted orders
	shed int64    // 503 answers, each retried with the same key
}

// placeOrders places n orders of one unit of skuOf(i) with clients
// concurrent clients for 50 customers, each with a token of its own, as a
// well-behaved client would: every POST carries
// an Idempotency-Key, and a 503 is retried with the same key after its
// Retry-After. Any other answer than 202 or 503 fails the test.
func (p *peakLoad) placeOrders(t *testing.T, n, clients int, skuOf func(i int) string) placed {
	t.Helper()
	var (
		mu   sync.Mutex
		out  placed
		next atomic.Int64
		wg   sync.WaitGroup
	)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	for range clients {
		wg.Go(func() {
			for {
				i := int(next.Add(1)) - 1
				if i >= n {
					return
				}
				id, shed, err := p.placeOne(ctx, i, skuOf(i))
				atomic.AddInt64(&out.shed, int64(shed))
				if err != nil {
					t.Error(err)
					return
				}
				mu.Lock()
				out.ids = append(out.ids, id)
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	return out
}

// placeOne places order i until it is accepted, retrying 503s with the
// same Idempotency-Key; it returns the order id and how many 503s it got.
func (p *peakLoad) placeOne(ctx context.Context, i int, sku string) (string, int, error) {
	customer := fmt.Sprintf("c-%d", i%50)
	token, err := auth.Mint([]byte(testJWTSecret), "orderflow", "orderflow-api", customer, auth.RoleCustomer, time.Hour, time.Now())
	if err != nil {
		return "", 0, err
	}
	body, _ := json.Marshal(map[string]any{
		"lines":           []map[string]any{{"sku": sku, "quantity": 1}},
		"shippingAddress": map[string]any{"name": "A. Buyer", "line1": "1 Main St", "city": "Berlin", "postalCode": "10115", "country": "DE"},
	})
	key := "flash-" + strconv.Itoa(i)
	for shed := 0; ; {
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, p.base+"/api/v1/orders", bytes.NewReader(body))
		if err != nil {
			return "", shed, err
		}
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+token)
		req.Header.Set("Idempotency-Key", key)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			return "", shed, err
		}
		raw, _ := io.ReadAll(res.Body)
		res.Body.Close()
		switch res.StatusCode {
		case http.StatusAccepted:
			var accepted struct{ OrderID string }
			if err := json.Unmarshal(raw, &accepted); err != nil || accepted.OrderID == "" {
				return "", shed, fmt.Errorf("order %d: 202 without an order id: %s", i, raw)
			}
			return accepted.OrderID, shed, nil
		case http.StatusServiceUnavailable:
			shed++
			wait, err := strconv.Atoi(res.Header.Get("Retry-After"))
			if err != nil || wait < 1 || res.Header.Get("Content-Type") != "application/problem+json" {
				return "", shed, fmt.Errorf("order %d: 503 without Retry-After or problem+json: %v %s", i, res.Header, raw)
			}
			select {
			case <-ctx.Done():
				return "", shed, ctx.Err()
			case <-time.After(time.Duration(wait) * time.Second):
			}
		default:
			return "", shed, fmt.Errorf("order %d: POST /api/v1/orders = %d %s", i, res.StatusCode, raw)
		}
	}
}

// sagaEnds waits until every one of n sagas has ended and returns how many
// completed and, for the compensated ones, how many compensated for each
// reason, read from the event log.
func (p *peakLoad) sagaEnds(t *testing.T, n int, timeout time.Duration) (completed int, compensated map[string]int) {
	t.Helper()
	conn, err := pgx.Connect(t.Context(), p.dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	const ends = `SELECT count(*) FILTER (WHERE type = 'fulfillment.completed'), count(*) FILTER (WHERE type = 'fulfillment.compensated')
		FROM eventstore.events WHERE category = 'fulfillment'`
	var done, undone int
	deadline := time.Now().Add(timeout)
	for {
		if err := conn.QueryRow(t.Context(), ends).Scan(&done, &undone); err != nil {
			t.Fatal(err)
		}
		if done+undone >= n {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("after %s only %d of %d sagas ended (%d completed, %d compensated)", timeout, done+undone, n, done, undone)
		}
		time.Sleep(250 * time.Millisecond)
	}
	compensated = map[string]int{}
	rows, err := conn.Query(t.Context(), `SELECT convert_from(data, 'UTF8')::jsonb->>'reason' FROM eventstore.events WHERE type = 'fulfillment.compensated'`)
	if err != nil {
		t.Fatal(err)
	}
	reasons, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range reasons {
		compensated[outOfStockOr(r)]++
	}
	return done, compensated
}

// outOfStock is how sagaEnds counts a compensation for want of stock.
const outOfStock = "out of stock"

// outOfStockOr returns outOfStock for a reason that says stock was short,
// else the reason itself.
func outOfStockOr(reason string) string {
	if bytes.Contains([]byte(reason), []byte("available")) {
		return outOfStock
	}
	return reason
}

// stockOf returns the SKU's stock as its write-side stream says, summed
// from its events: on hand, reserved and shipped.
func (p *peakLoad) stockOf(t *testing.T, sku string) (onHand, reserved, shipped int64) {
	t.Helper()
	conn, err := pgx.Connect(t.Context(), p.dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	var added, reservedN, released int64
	err = conn.QueryRow(t.Context(), `SELECT
			coalesce(sum((convert_from(data, 'UTF8')::jsonb->>'quantity')::bigint) FILTER (WHERE type = 'inventory.stock_added'), 0),
			coalesce(sum((convert_from(data, 'UTF8')::jsonb->>'quantity')::bigint) FILTER (WHERE type = 'inventory.stock_reserved'), 0),
			coalesce(sum((convert_from(data, 'UTF8')::jsonb->>'quantity')::bigint) FILTER (WHERE type = 'inventory.reservation_released'), 0),
			coalesce(sum((convert_from(data, 'UTF8')::jsonb->>'quantity')::bigint) FILTER (WHERE type = 'inventory.stock_shipped'), 0)
		FROM eventstore.events WHERE stream_id = $1`, "inventory-"+sku).Scan(&added, &reservedN, &released, &shipped)
	if err != nil {
		t.Fatal(err)
	}
	return added - shipped, reservedN - released - shipped, shipped
}

// TestFlashSaleOnOneSKU places 1,000 orders of one product at once over
// two saga processes: a hot inventory stream is a normal case, so every
// order is paid and none is cancelled for any reason.
func TestFlashSaleOnOneSKU(t *testing.T) {
	p := startPeakLoad(t, nil)
	p.sagaWorker(t)
	p.sagaWorker(t)
	p.stock(t, "HOT", 100_000)

	const orders = 1000
	got := p.placeOrders(t, orders, 32, func(int) string { return "HOT" })
	if len(got.ids) != orders {
		t.Fatalf("%d orders accepted, want %d", len(got.ids), orders)
	}
	completed, compensated := p.sagaEnds(t, orders, 5*time.Minute)
	t.Logf("%d orders, %d POSTs shed and retried", len(got.ids), got.shed)
	if completed != orders || len(compensated) != 0 {
		t.Errorf("%d of %d orders paid; compensated by reason: %v (%d POSTs shed)", completed, orders, compensated, got.shed)
	}
	onHand, reserved, shipped := p.stockOf(t, "HOT")
	if onHand != 100_000 || reserved != orders || shipped != 0 {
		t.Errorf("stock on hand %d, reserved %d, shipped %d; want 100000, %d, 0", onHand, reserved, shipped, orders)
	}
}

// TestFlashSaleNeverOversells sells a product with 300 in stock to 1,000
// customers over two saga processes, one killed with SIGKILL mid-run and
// started again: exactly 300 orders are paid, the other 700 cancelled for
// want of stock, and the stock adds up.
func TestFlashSaleNeverOversells(t *testing.T) {
	p := startPeakLoad(t, nil)
	victim := p.sagaWorker(t)
	p.sagaWorker(t)
	p.stock(t, "RARE", 300)

	const orders = 1000
	var got placed
	placing := make(chan struct{})
	go func() {
		defer close(placing)
		got = p.placeOrders(t, orders, 32, func(int) string { return "RARE" })
	}()
	time.Sleep(3 * time.Second)
	if !victim.logged("fulfillment: leases taken") {
		t.Error("the worker to be killed held no saga partition")
	}
	if err := victim.cmd.Process.Kill(); err != nil { // SIGKILL: no release, no flush
		t.Fatal(err)
	}
	p.sagaWorker(t) // started again
	<-placing
	if len(got.ids) != orders {
		t.Fatalf("%d orders accepted, want %d", len(got.ids), orders)
	}
	completed, compensated := p.sagaEnds(t, orders, 5*time.Minute)
	if completed != 300 || compensated[outOfStock] != orders-300 || len(compensated) != 1 {
		t.Errorf("%d orders paid, compensated by reason %v; want 300 paid and %d out of stock", completed, compensated, orders-300)
	}
	onHand, reserved, shipped := p.stockOf(t, "RARE")
	if onHand != 300 || reserved != 300 || shipped != 0 {
		t.Errorf("stock on hand %d, reserved %d, shipped %d; want 300, 300, 0", onHand, reserved, shipped)
	}
}
