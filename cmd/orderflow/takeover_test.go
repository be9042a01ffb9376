package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/orderflow/orderflow/platform/dbtest"
	"github.com/orderflow/orderflow/sagas/fulfillment"
	"github.com/orderflow/orderflow/sagas/fulfillment/runner"
)

// takeoverWithin is how soon after a worker stopped gracefully the other
// must own everything it owned. A released lease is taken at once: the
// release's notification wakes the survivor's projection standbys and its
// saga lease keeper (platform/lease's Waker), which otherwise would look
// only at their next poll (750 ms, 1 s); a lease left to expire instead
// would take at least two seconds.
const takeoverWithin = time.Second

// ownership counts the projection leases (the saga's intake's among them)
// and the fulfillment saga's partition leases that the process pid holds
// now.
func ownership(t *testing.T, conn *pgx.Conn, pid int) (projections, sagas int) {
	t.Helper()
	// A process's one name is host-pid-suffix (platform/instance).
	owner := `-` + strconv.Itoa(pid) + `-[0-9a-f]+$`
	err := conn.QueryRow(context.Background(), `SELECT
	(SELECT count(*) FROM leases.leases WHERE name LIKE 'projection/%' AND owner ~ $1 AND expires_at > now()),
	(SELECT count(*) FROM leases.leases WHERE name LIKE 'saga/' || $2 || '/%' AND owner ~ $1 AND expires_at > now())`, owner, fulfillment.Category).Scan(&projections, &sagas)
	if err != nil {
		t.Fatal(err)
	}
	return projections, sagas
}

// TestGracefulStopHandsOverAtOnce runs the API in the test and two
// processes of the projections and sagas roles, places orders throughout,
// and stops the one that owns the projections with SIGTERM: it exits 0
// having released what it held (no "closed pool" in its logs), and within
// takeoverWithin of its exit the other owns every projection, every saga
// partition and the saga's intake; its payment client's report is gone.
// Every order placed still completes.
func TestGracefulStopHandsOverAtOnce(t *testing.T) {
	dbURL := dbtest.New(t)
	api := startSystem(t, dbURL, nil, "--roles", "api")
	env := []string{"DATABASE_URL=" + dbURL, "PAYMENT_PROVIDER_URL=" + api.providerURL}
	conn, err := pgx.Connect(context.Background(), dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	// The saga's intake is a consumer of the projection runtime, with a
	// projection's lease.
	wantProjections, wantSagas := len(readModels())+1, runner.DefaultPartitions

	first := startWorker(t, env, "--roles", "projections,sagas")
	eventually(t, 60*time.Second, "the first worker to own every projection and saga partition", func() bool {
		p, s := ownership(t, conn, first.cmd.Process.Pid)
		return p == wantProjections && s == wantSagas
	})
	second := startWorker(t, env, "--roles", "projections,sagas")
	eventually(t, 30*time.Second, "the second worker to take a share of the saga partitions", func() bool {
		return second.logged("fulfillment: leases taken")
	})
	if p, _ := ownership(t, conn, first.cmd.Process.Pid); p != wantProjections {
		t.Fatalf("the first worker owns %d projections before it is stopped, want all %d", p, wantProjections)
	}

	api.call(t, http.MethodPost, "/api/v1/products", api.admin, map[string]any{"sku": "A", "name": "Anvil", "price": map[string]any{"amount": 1999, "currency": "EUR"}}, http.StatusAccepted, nil)
	api.call(t, http.MethodPost, "/api/v1/products/A/stock", api.admin, map[string]any{"quantity": 10000}, http.StatusAccepted, nil)

	// Orders flow until the handover is checked.
	var (
		mu      sync.Mutex
		placed  []string
		refused []string
	)
	stopOrders := make(chan struct{})
	ordersDone := make(chan struct{})
	go func() {
		defer close(ordersDone)
		for i := 0; ; i++ {
			select {
			case <-stopOrders:
				return
			case <-time.After(20 * time.Millisecond):
			}
			id, err := placeOrder(api, i)
			mu.Lock()
			if err != nil {
				refused = append(refused, err.Error())
			} else {
				placed = append(placed, id)
			}
			mu.Unlock()
		}
	}()
	eventually(t, 30*time.Second, "orders to flow", func() bool {
		mu.Lock()
		defer mu.Unlock()
		return len(placed) >= 20
	})

	sigterm := time.Now()
	if err := first.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	type exit struct {
		err error
		at  time.Time
	}
	exited := make(chan exit, 1)
	go func() {
		err := first.wait()
		exited <- exit{err, time.Now()}
	}()
	var (
		ownedAt, projectionsAt, sagasAt time.Time
		gone                            *exit
		// what the stopped worker still held when it had exited
		leftProjections, leftSagas int
	)
	for deadline := time.Now().Add(60 * time.Second); ownedAt.IsZero() || gone == nil; time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("60s after SIGTERM: exited %v, the second worker owns everything: %v", gone != nil, !ownedAt.IsZero())
		}
		if ownedAt.IsZero() {
			p, s := ownership(t, conn, second.cmd.Process.Pid)
			now := time.Now()
			if p == wantProjections && projectionsAt.IsZero() {
				projectionsAt = now
			}
			if s == wantSagas && sagasAt.IsZero() {
				sagasAt = now
			}
			if p == wantProjections && s == wantSagas {
				ownedAt = now
			}
		}
		if gone == nil {
			select {
			case e := <-exited:
				gone = &e
				leftProjections, leftSagas = ownership(t, conn, first.cmd.Process.Pid)
			default:
			}
		}
	}
	close(stopOrders)
	<-ordersDone

	ms := func(d time.Duration) time.Duration { return d.Round(time.Millisecond) }
	t.Logf("SIGTERM to exit %v; SIGTERM to the other owning every projection %v, every saga partition %v, both %v (%v after the exit)",
		ms(gone.at.Sub(sigterm)), ms(projectionsAt.Sub(sigterm)), ms(sagasAt.Sub(sigterm)), ms(ownedAt.Sub(sigterm)), ms(ownedAt.Sub(gone.at)))
	if gone.err != nil {
		t.Errorf("the stopped worker exited with %v, want status 0", gone.err)
	}
	if took := ownedAt.Sub(gone.at); took > takeoverWithin {
		t.Errorf("the other worker owned everything %v after the first exited, want within %v", took, takeoverWithin)
	}
	if leftProjections != 0 || leftSagas != 0 {
		t.Errorf("the stopped worker exited still holding %d projection leases and %d saga leases, want every lease released", leftProjections, leftSagas)
	}
	var reports int
	if err := conn.QueryRow(context.Background(), `SELECT count(*) FROM sagas.payment_client_state WHERE owner ~ $1`,
		`:`+strconv.Itoa(first.cmd.Process.Pid)+`$`).Scan(&reports); err != nil || reports != 0 {
		t.Errorf("the stopped worker left %d payment client reports (err %v), want its report removed", reports, err)
	}
	var afterStop []string
	for _, line := range first.output() {
		if strings.Contains(line, "closed pool") {
			t.Errorf("the stopped worker logged %s", line)
		}
		var rec struct{ Time time.Time }
		if json.Unmarshal([]byte(line), &rec) == nil && !rec.Time.Before(sigterm) {
			afterStop = append(afterStop, line)
		}
	}
	t.Logf("the stopped worker's lines after SIGTERM:\n%s", strings.Join(afterStop, "\n"))
	if len(refused) > 0 {
		t.Errorf("%d orders refused while a worker stopped, e.g. %s", len(refused), refused[0])
	}

	for _, id := range placed {
		var got struct{ Fulfillment *struct{ State string } }
		eventually(t, 90*time.Second, "the saga of "+id+" to complete", func() bool {
			errs := api.tryGraphQL(t, api.admin, `query($id: ID!) { fulfillment(orderId: $id) { state } }`, map[string]any{"id": id}, &got)
			return len(errs) == 0 && got.Fulfillment != nil && got.Fulfillment.State == "COMPLETED"
		})
	}
}

// placeOrder places order i of one Anvil through the API and returns its
// id, or why it was not accepted. It does not fail the test: it runs
// beside it.
func placeOrder(api *testSystem, i int) (string, error) {
	body, _ := json.Marshal(map[string]any{
		"customerId":      fmt.Sprintf("c-%d", i%5),
		"lines":           []map[string]any{{"sku": "A", "quantity": 1}},
		"shippingAddress": map[string]any{"name": "A. Buyer", "line1": "1 Main St", "city": "Berlin", "postalCode": "10115", "country": "DE"},
	})
	req, err := http.NewRequest(http.MethodPost, api.base+"/api/v1/orders", bytes.NewReader(body))
	if err != nil {
		return "", err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+api.admin)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return "", err
	}
	defer res.Body.Close()
	var placed struct{ OrderID string }
	if err := json.NewDecoder(res.Body).Decode(&placed); err != nil || res.StatusCode != http.StatusAccepted {
		return "", fmt.Errorf("order %d: %d %v", i, res.StatusCode, err)
	}
	return placed.OrderID, nil
}
