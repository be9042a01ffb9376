package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/orderflow/orderflow/platform/dbtest"
)

// worker is an `orderflow serve` in a process of its own, which the test
// can kill.
type worker struct {
	cmd  *exec.Cmd
	mu   sync.Mutex
	msgs []string
	// lines are the JSON lines of its stderr, whole; read is closed once
	// stderr has been read to its end.
	lines []string
	read  chan struct{}
}

// startWorker runs the test binary as orderflow serve with args and waits
// until it listens.
func startWorker(t *testing.T, env []string, args ...string) *worker {
	t.Helper()
	cmd := exec.Command(os.Args[0], append([]string{"serve", "--addr", "127.0.0.1:0"}, args...)...)
	// No race-detector sleep at exit: tests time how soon a worker exits.
	cmd.Env = append(append(os.Environ(), runMainEnv+"=1", "EVENTSTORE_URL=", "GORACE=atexit_sleep_ms=0"), env...)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	w := &worker{cmd: cmd, read: make(chan struct{})}
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	})
	listening := make(chan struct{})
	go func() {
		defer close(w.read)
		sc := bufio.NewScanner(stderr)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		once := sync.Once{}
		for sc.Scan() {
			var rec map[string]any
			if json.Unmarshal(sc.Bytes(), &rec) != nil {
				continue
			}
			msg, _ := rec["msg"].(string)
			w.mu.Lock()
			w.msgs = append(w.msgs, msg)
			w.lines = append(w.lines, sc.Text())
			w.mu.Unlock()
			if msg == "http server listening" {
				once.Do(func() { close(listening) })
			}
		}
	}()
	select {
	case <-listening:
	case <-time.After(60 * time.Second):
		t.Fatal("a worker did not start listening within 60s")
	}
	return w
}

// wait waits for the worker to exit, its stderr read to the end, and
// returns how it exited.
func (w *worker) wait() error {
	<-w.read
	return w.cmd.Wait()
}

// output returns the JSON lines the worker has logged.
func (w *worker) output() []string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return slices.Clone(w.lines)
}

// logged reports whether the worker has logged a line with message msg.
func (w *worker) logged(msg string) bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	for _, m := range w.msgs {
		if m == msg {
			return true
		}
	}
	return false
}

// dumpReadModels dumps every view of the readmodel schema: its rows as JSON,
// in a fixed order.
func dumpReadModels(t *testing.T, databaseURL string) map[string]string {
	t.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, databaseURL)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	rows, err := conn.Query(ctx, `SELECT table_name FROM information_schema.views WHERE table_schema = 'readmodel' ORDER BY 1`)
	if err != nil {
		t.Fatal(err)
	}
	views, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, v := range views {
		var dump string
		if err := conn.QueryRow(ctx, fmt.Sprintf(`SELECT coalesce(json_agg(t ORDER BY t::text), '[]')::text FROM readmodel.%s t`, v)).Scan(&dump); err != nil {
			t.Fatal(err)
		}
		out[v] = dump
	}
	return out
}

// projectionStatus is what the admin API says of a projection.
type projectionStatus struct {
	Name, State, Position, Head string
	Consumer                    bool
	Generation                  int
	Behind                      int64
	Rebuild                     *struct{ Done int64 }
}

func (s *testSystem) projections(t *testing.T) []projectionStatus {
	t.Helper()
	var body struct{ Projections []projectionStatus }
	s.call(t, http.MethodGet, "/api/v1/admin/projections/", s.admin, nil, http.StatusOK, &body)
	return body.Projections
}

// caughtUp reports whether every projection is live, at the head, with no
// rebuild running.
func caughtUp(ps []projectionStatus) bool {
	for _, p := range ps {
		if p.Generation == 0 || p.Behind != 0 || p.Rebuild != nil || p.Position != p.Head {
			return false
		}
	}
	return len(ps) > 0
}

// TestTwoWorkersOneKilled runs the API in the test and two processes of
// the projections and sagas roles against one database, places orders
// while one worker is killed with SIGKILL mid-stream, and checks that the
// survivor took over: every saga ends as it must, no order is charged
// twice, and the read models equal a rebuild of each from the history
// (what a single instance would build).
func TestTwoWorkersOneKilled(t *testing.T) {
	dbURL := dbtest.New(t)
	api := startSystem(t, dbURL, nil, "--roles", "api")
	env := []string{"DATABASE_URL=" + dbURL, "PAYMENT_PROVIDER_URL=" + api.providerURL}
	first := startWorker(t, env, "--roles", "projections,sagas")
	eventually(t, 60*time.Second, "the first worker to own the projections and saga partitions", func() bool {
		return first.logged("projection running") && first.logged("fulfillment: leases taken")
	})
	second := startWorker(t, env, "--roles", "projections,sagas")

	api.call(t, http.MethodPost, "/api/v1/products", api.admin, map[string]any{"sku": "A", "name": "Anvil", "price": map[string]any{"amount": 1999, "currency": "EUR"}}, http.StatusAccepted, nil)
	api.call(t, http.MethodPost, "/api/v1/products", api.admin, map[string]any{"sku": "D", "name": "Declined", "price": map[string]any{"amount": 1002, "currency": "EUR"}}, http.StatusAccepted, nil)
	for _, sku := range []string{"A", "D"} {
		api.call(t, http.MethodPost, "/api/v1/products/"+sku+"/stock", api.admin, map[string]any{"quantity": 1000}, http.StatusAccepted, nil)
	}

	const orders = 30
	want := map[string]string{} // order id → the saga's end
	for i := range orders {
		if i == orders/3 {
			if err := first.cmd.Process.Kill(); err != nil { // SIGKILL: no release, no flush
				t.Fatal(err)
			}
		}
		sku, end, quantity := "A", "COMPLETED", 1+i%3
		if i%4 == 3 {
			sku, end, quantity = "D", "COMPENSATED", 1 // the sandbox declines amounts ending in 02
		}
		var placed struct{ OrderID string }
		api.call(t, http.MethodPost, "/api/v1/orders", api.admin, map[string]any{
			"customerId":      fmt.Sprintf("c-%d", i%5),
			"lines":           []map[string]any{{"sku": sku, "quantity": quantity}},
			"shippingAddress": map[string]any{"name": "A. Buyer", "line1": "1 Main St", "city": "Berlin", "postalCode": "10115", "country": "DE"},
		}, http.StatusAccepted, &placed)
		want[placed.OrderID] = end
		time.Sleep(20 * time.Millisecond)
	}

	eventually(t, 30*time.Second, "the second worker to take the projections over", func() bool { return second.logged("projection running") })
	for id, end := range want {
		var got struct{ Fulfillment *struct{ State string } }
		eventually(t, 90*time.Second, "the saga of "+id+" to end "+end, func() bool {
			errs := api.tryGraphQL(t, api.admin, `query($id: ID!) { fulfillment(orderId: $id) { state } }`, map[string]any{"id": id}, &got)
			return len(errs) == 0 && got.Fulfillment != nil && (got.Fulfillment.State == "COMPLETED" || got.Fulfillment.State == "COMPENSATED")
		})
		if got.Fulfillment.State != end {
			t.Errorf("the saga of %s ended %s, want %s", id, got.Fulfillment.State, end)
		}
	}
	stats := api.sandbox.Stats()
	for id, end := range want {
		if charges, wantCharges := stats.ChargesByReference[id], map[string]int64{"COMPLETED": 1, "COMPENSATED": 0}[end]; charges != wantCharges {
			t.Errorf("order %s was charged %d times, want %d", id, charges, wantCharges)
		}
	}

	eventually(t, 60*time.Second, "every projection to catch up", func() bool { return caughtUp(api.projections(t)) })
	live := dumpReadModels(t, dbURL)
	for _, p := range api.projections(t) {
		if p.Consumer {
			// The saga's intake has no read model: its rebuild is refused.
			api.call(t, http.MethodPost, "/api/v1/admin/projections/"+p.Name+"/rebuild", api.admin, nil, http.StatusConflict, nil)
			continue
		}
		var started struct{ Status string }
		api.call(t, http.MethodPost, "/api/v1/admin/projections/"+p.Name+"/rebuild", api.admin, nil, http.StatusAccepted, &started)
		eventually(t, 60*time.Second, p.Name+" to be rebuilt", func() bool {
			for _, q := range api.projections(t) {
				if q.Name == p.Name {
					return q.Generation == p.Generation+1 && q.Rebuild == nil
				}
			}
			return false
		})
	}
	eventually(t, 60*time.Second, "every projection to catch up after the rebuilds", func() bool { return caughtUp(api.projections(t)) })
	rebuilt := dumpReadModels(t, dbURL)
	if len(live) < 9 {
		t.Fatalf("only %d readmodel views: %v", len(live), live)
	}
	for view, rows := range live {
		if rebuilt[view] != rows {
			t.Errorf("view %s after the takeover differs from its rebuild:\nlive:    %.600s\nrebuilt: %.600s", view, rows, rebuilt[view])
		}
	}
	if !strings.Contains(live["orders"], "CANCELLED") || !strings.Contains(live["orders"], "PAID") {
		t.Errorf("orders view lacks paid or cancelled orders: %.300s", live["orders"])
	}
}
