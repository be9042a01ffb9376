package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/orderflow/orderflow/eventstore/origin"
	"github.com/orderflow/orderflow/platform/dbtest"
	"github.com/orderflow/orderflow/platform/logtest"
)

// TestServeRefusesAWipedEventStore: serve runs and records its event
// store's identity beside everything that follows the log; the event
// store is then wiped (as a new volume or the other backend would be),
// and serve, started again, stops at once with a message that says what
// happened and how to reset, having started nothing. After `orderflow
// projections reset --adopt-event-store` it starts, rebuilds the read
// models from the new log alone, and the forgotten Idempotency-Key
// responses no longer answer for requests of the old log.
func TestServeRefusesAWipedEventStore(t *testing.T) {
	dbURL := dbtest.New(t)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	conn, err := pgx.Connect(ctx, dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	products := func() string {
		t.Helper()
		var skus []string
		if err := conn.QueryRow(ctx, `SELECT coalesce(array_agg(sku ORDER BY sku), '{}') FROM readmodel.products`).Scan(&skus); err != nil {
			return "unreadable: " + err.Error()
		}
		return strings.Join(skus, ",")
	}
	// stores lists the event stores the checkpoints record, with how many
	// record each, and those of the sagas and the idempotency store.
	stores := func() string {
		t.Helper()
		var out string
		if err := conn.QueryRow(ctx, `SELECT coalesce(string_agg(s, ' ' ORDER BY s), '') FROM (
    SELECT 'checkpoints:' || coalesce(event_store_id::text, 'none') || '*' || count(*) AS s FROM projections.checkpoints GROUP BY event_store_id
    UNION ALL SELECT 'sagas:' || id FROM sagas.event_store
    UNION ALL SELECT 'idempotency:' || id FROM api.event_store) x`).Scan(&out); err != nil {
			t.Fatal(err)
		}
		return out
	}
	identity := func() string {
		t.Helper()
		var id string
		if err := conn.QueryRow(ctx, `SELECT convert_from(data, 'UTF8')::jsonb->>'id' FROM eventstore.events WHERE stream_id = 'eventstore.identity'`).Scan(&id); err != nil {
			t.Fatal(err)
		}
		return id
	}
	product := func(sku string) map[string]any {
		return map[string]any{"sku": sku, "name": sku, "price": map[string]any{"amount": 100, "currency": "EUR"}}
	}
	const everything = 7 // six read models and the saga intake

	s := startSystem(t, dbURL, nil)
	s.call(t, http.MethodPost, "/api/v1/products", s.admin, product("SKU-OLD"), http.StatusAccepted, nil, "Idempotency-Key", "k-1")
	eventually(t, 60*time.Second, "the product in the read model", func() bool { return products() == "SKU-OLD" })
	first := identity()
	eventually(t, 30*time.Second, "every checkpoint to record the event store", func() bool {
		return stores() == fmt.Sprintf("checkpoints:%s*%d idempotency:%s sagas:%s", first, everything, first, first)
	})
	env := envOf(map[string]string{"DATABASE_URL": dbURL, "ORDERFLOW_JWT_SECRET": testJWTSecret, "PAYMENT_PROVIDER_URL": s.providerURL})
	var stdout, stderr bytes.Buffer
	err = run(ctx, []string{"projections", "reset", "--adopt-event-store"}, env, &stdout, &stderr)
	if err == nil || !strings.Contains(err.Error(), "orderflow processes still follow the log ("+instanceOf(t, conn)+")") || stdout.Len() > 0 {
		t.Fatalf("reset while serve runs: %v, stdout %q; want it refused, naming the process", err, stdout.String())
	}
	s.cancel()
	<-s.done
	if s.err != nil {
		t.Fatalf("first serve: %v", s.err)
	}

	// The event store is wiped.
	if _, err := conn.Exec(ctx, `TRUNCATE eventstore.events`); err != nil {
		t.Fatal(err)
	}
	logs := &logtest.Sink{}
	err = run(ctx, []string{"serve", "--addr", "127.0.0.1:0"}, env, io.Discard, logs)
	var mismatch *origin.MismatchError
	if !errors.As(err, &mismatch) || errors.Is(err, errUsage) || ctx.Err() != nil {
		t.Fatalf("serve on the wiped event store returned %v, want a *origin.MismatchError (exit status 1)", err)
	}
	second := identity()
	for _, part := range []string{
		"the checkpoints customer_notifications, customers, fulfillment, fulfillment_intake, order_timeline, orders and products, " +
			"the running sagas and the stored Idempotency-Key responses came from event store " + first + " (created ",
		"; this event store is " + second + " (created ",
		"The event store was switched (PostgreSQL <-> EventStoreDB) or wiped since",
		"run `orderflow projections reset --adopt-event-store`",
	} {
		if !strings.Contains(err.Error(), part) {
			t.Errorf("message %q does not say %q", err, part)
		}
	}
	rec := logs.WaitFor(t, "event store mismatch: not starting", 0)
	if rec["level"] != "ERROR" || rec["err"] != err.Error() {
		t.Errorf("logged %v, want an ERROR line with the message", rec)
	}
	for _, r := range logs.Records(t) {
		if msg := r["msg"].(string); msg == "http server listening" || strings.HasPrefix(msg, "projection") || strings.HasPrefix(msg, "rebuild") {
			t.Errorf("serve started something before it stopped: %q", msg)
		}
	}
	if got := products(); got != "SKU-OLD" {
		t.Fatalf("the refused start changed the read model: %s", got)
	}

	stderr.Reset()
	if err := run(ctx, []string{"projections", "reset"}, env, &stdout, &stderr); !errors.Is(err, errUsage) || !strings.Contains(stderr.String(), "--adopt-event-store") {
		t.Fatalf("reset without --adopt-event-store: %v, stderr %q; want a usage error", err, stderr.String())
	}
	stdout.Reset()
	if err := run(ctx, []string{"projections", "reset", "--adopt-event-store"}, env, &stdout, &stderr); err != nil {
		t.Fatalf("reset: %v\n%s", err, stderr.String())
	}
	wantSummary := "the state in PostgreSQL now follows event store " + second + " (created "
	wantForgot := "\nforgot the projections customer_notifications, customers, fulfillment, fulfillment_intake, order_timeline, orders, products: " +
		"serve rebuilds the read models from this log and starts the consumers at its start\n" +
		"forgot 0 running sagas (the saga intake finds them again in this log) and 1 stored Idempotency-Key responses\n"
	if out := stdout.String(); !strings.HasPrefix(out, wantSummary) || !strings.HasSuffix(out, wantForgot) {
		t.Fatalf("reset printed %q, want %q ... %q", out, wantSummary, wantForgot)
	}

	s = startSystem(t, dbURL, nil)
	// The key's stored response was of the old log: forgotten, the key
	// serves a new request.
	s.call(t, http.MethodPost, "/api/v1/products", s.admin, product("SKU-NEW"), http.StatusAccepted, nil, "Idempotency-Key", "k-1")
	eventually(t, 60*time.Second, "the read models rebuilt from the new log", func() bool { return products() == "SKU-NEW" })
	eventually(t, 30*time.Second, "every checkpoint to record the new event store", func() bool {
		return stores() == fmt.Sprintf("checkpoints:%s*%d idempotency:%s sagas:%s", second, everything, second, second)
	})
}

// instanceOf is the name of the one process that holds leases in the
// database.
func instanceOf(t *testing.T, conn *pgx.Conn) string {
	t.Helper()
	var owners []string
	if err := conn.QueryRow(context.Background(), `SELECT array_agg(DISTINCT owner) FROM leases.leases WHERE expires_at > clock_timestamp()`).Scan(&owners); err != nil {
		t.Fatal(err)
	}
	if len(owners) != 1 {
		t.Fatalf("lease owners %v, want one", owners)
	}
	return owners[0]
}
