package origin_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/orderflow/orderflow/eventstore"
	"github.com/orderflow/orderflow/eventstore/origin"
	"github.com/orderflow/orderflow/platform/dbtest"
)

func identity(created string) eventstore.Identity {
	at, err := time.Parse(time.RFC3339, created)
	if err != nil {
		panic(err)
	}
	return eventstore.Identity{ID: uuid.New(), Created: at}
}

func newPool(t *testing.T) *pgxpool.Pool {
	t.Helper()
	pool, err := pgxpool.New(context.Background(), dbtest.New(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	return pool
}

func exec(t *testing.T, pool *pgxpool.Pool, sql string, args ...any) {
	t.Helper()
	if _, err := pool.Exec(context.Background(), sql, args...); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
}

func count(t *testing.T, pool *pgxpool.Pool, sql string, args ...any) int {
	t.Helper()
	var n int
	if err := pool.QueryRow(context.Background(), sql, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	return n
}

// recorded lists the event store each piece of state records, as "kind
// name=id" lines; "none" where it records none.
func recorded(t *testing.T, pool *pgxpool.Pool) []string {
	t.Helper()
	rows, err := pool.Query(context.Background(), `SELECT 'checkpoint ' || name, coalesce(event_store_id::text, 'none') FROM projections.checkpoints
UNION ALL SELECT 'sagas', id::text FROM sagas.event_store
UNION ALL SELECT 'idempotency', id::text FROM api.event_store ORDER BY 1`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var holder, id string
		if err := rows.Scan(&holder, &id); err != nil {
			t.Fatal(err)
		}
		out = append(out, holder+"="+id)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

func TestCheckAdoptsThenRefusesAnotherEventStore(t *testing.T) {
	pool := newPool(t)
	ctx := context.Background()
	first, second := identity("2026-12-01T10:00:00Z"), identity("2026-12-07T08:30:00Z")
	// State written before identities were recorded.
	exec(t, pool, `INSERT INTO projections.checkpoints (name, generation, version) VALUES ('orders', 1, 1), ('fulfillment_intake', 1, 1)`)
	exec(t, pool, `INSERT INTO sagas.active (saga, saga_id, wake_at) VALUES ('fulfillment', 'o-1', now())`)
	exec(t, pool, `INSERT INTO api.idempotency (scope, key, fingerprint, status, headers, body) VALUES ('s', 'k', '\x00', 202, '{}', '{}')`)

	if err := origin.Check(ctx, pool, first); err != nil {
		t.Fatalf("first check: %v", err)
	}
	want := []string{"checkpoint fulfillment_intake=" + first.ID.String(), "checkpoint orders=" + first.ID.String(),
		"idempotency=" + first.ID.String(), "sagas=" + first.ID.String()}
	if got := recorded(t, pool); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("after the first check: %v, want everything adopted: %v", got, want)
	}
	if err := origin.Check(ctx, pool, first); err != nil {
		t.Fatalf("second check, same event store: %v", err)
	}

	// A checkpoint made while the log had no identity is adopted by the
	// next check that passes, not by one that fails.
	exec(t, pool, `INSERT INTO projections.checkpoints (name, generation, version) VALUES ('products', 1, 1)`)
	err := origin.Check(ctx, pool, second)
	var mismatch *origin.MismatchError
	if !errors.As(err, &mismatch) || !errors.Is(err, origin.ErrMismatch) {
		t.Fatalf("check against another event store: %v, want a *MismatchError", err)
	}
	wantHolders := []origin.Holder{
		{Kind: origin.Checkpoint, Name: "fulfillment_intake", From: first},
		{Kind: origin.Checkpoint, Name: "orders", From: first},
		{Kind: origin.Sagas, From: first},
		{Kind: origin.Idempotency, From: first},
	}
	if mismatch.Current != second || len(mismatch.Foreign) != len(wantHolders) {
		t.Fatalf("mismatch: current %s, foreign %+v; want current %s, foreign %+v", mismatch.Current, mismatch.Foreign, second, wantHolders)
	}
	for i, h := range mismatch.Foreign {
		w := wantHolders[i]
		if h.Kind != w.Kind || h.Name != w.Name || h.From.ID != w.From.ID || !h.From.Created.Equal(w.From.Created) {
			t.Fatalf("foreign[%d] = %+v, want %+v", i, h, w)
		}
	}
	wantMsg := "the state kept in PostgreSQL follows another event store: " +
		"the checkpoints fulfillment_intake and orders, the running sagas and the stored Idempotency-Key responses came from event store " +
		first.ID.String() + " (created 2026-12-01T10:00:00Z); this event store is " + second.ID.String() + " (created 2026-12-07T08:30:00Z). " +
		"The event store was switched (PostgreSQL <-> EventStoreDB) or wiped since: going on from those checkpoints would skip or re-apply events, so orderflow stops. " +
		"To keep this event store, stop every orderflow process and run `orderflow projections reset --adopt-event-store`: " +
		"the read models are rebuilt from its log, the saga intake starts again at its start (a saga already started there is not started twice), " +
		"the running sagas are found again from its log, and the stored Idempotency-Key responses are forgotten " +
		"(a retried request runs again; its event ids keep it from being applied twice). " +
		"To keep the state instead, configure orderflow with event store " + first.ID.String() + " again"
	if err.Error() != wantMsg {
		t.Fatalf("message:\n%s\nwant:\n%s", err, wantMsg)
	}
	if got := recorded(t, pool); fmt.Sprint(got) != fmt.Sprint(append([]string{want[0], want[1], "checkpoint products=none"}, want[2:]...)) {
		t.Fatalf("a failed check changed %v", got)
	}

	// The reset's part outside the projections: the sagas and the stored
	// responses are forgotten, and the new event store recorded for them.
	adopted, err := origin.Adopt(ctx, pool, second)
	if err != nil || adopted != (origin.Adopted{Sagas: 1, Idempotency: 1}) {
		t.Fatalf("adopt: %+v, %v; want 1 saga and 1 response forgotten", adopted, err)
	}
	if n := count(t, pool, `SELECT count(*) FROM sagas.active`) + count(t, pool, `SELECT count(*) FROM api.idempotency`); n != 0 {
		t.Fatalf("%d running sagas and stored responses left after adopt", n)
	}
	err = origin.Check(ctx, pool, second)
	if !errors.As(err, &mismatch) || len(mismatch.Foreign) != 2 || mismatch.Foreign[0].Kind != origin.Checkpoint || mismatch.Foreign[1].Kind != origin.Checkpoint {
		t.Fatalf("check after adopt: %v, want only the two checkpoints foreign", err)
	}
	if adopted, err := origin.Adopt(ctx, pool, second); err != nil || adopted != (origin.Adopted{}) {
		t.Fatalf("adopt again: %+v, %v; want nothing forgotten", adopted, err)
	}
}

// TestMismatchOfAWipedLog: a log with no identity at all is named as such.
func TestMismatchOfAWipedLog(t *testing.T) {
	first := identity("2026-12-01T10:00:00Z")
	err := &origin.MismatchError{Foreign: []origin.Holder{{Kind: origin.Checkpoint, Name: "orders", From: first}}}
	want := "the state kept in PostgreSQL follows another event store: the checkpoint orders came from event store " +
		first.ID.String() + " (created 2026-12-01T10:00:00Z); this event store's log has no identity: it is new or was wiped. "
	if got := err.Error(); len(got) < len(want) || got[:len(want)] != want {
		t.Fatalf("message %q, want it to start with %q", got, want)
	}
}
