package pg_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/orderflow/orderflow/eventstore"
	"github.com/orderflow/orderflow/eventstore/eventstoretest"
	"github.com/orderflow/orderflow/eventstore/pg"
	"github.com/orderflow/orderflow/platform/dbtest"
)

// listenTo listens on the store's notification channel in the database at
// url, as another process's store does.
func listenTo(t *testing.T, url string) *pgx.Conn {
	t.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close(context.Background()) })
	if _, err := conn.Exec(ctx, "LISTEN orderflow_eventstore"); err != nil {
		t.Fatal(err)
	}
	return conn
}

func nextNotification(t *testing.T, conn *pgx.Conn) *pgconn.Notification {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	n, err := conn.WaitForNotification(ctx)
	if err != nil {
		t.Fatalf("no notification of the append: %v", err)
	}
	return n
}

// A lone append announces itself in its own transaction: the notification
// comes from the backend that inserted the events, whose last statement is
// the one-event append, or for several events the NOTIFY sent beside their
// statement in the same round trip, not the notifier's NOTIFY of its own
// (SELECT pg_notify($1, ”)). Each case appends through a store of its own,
// whose first append finds a NOTIFY due.
func TestLoneAppendCarriesItsNotify(t *testing.T) {
	_, url := newStore(t)
	conn := listenTo(t, url)
	stream := eventstoretest.NewCategory() + "-1"
	for _, tc := range []struct {
		expected  eventstore.ExpectedRevision
		events    []eventstore.EventData
		statement string
	}{
		{eventstore.NoStream, eventstoretest.Events("a", 0, 1), "WITH a AS (INSERT INTO eventstore.events"},
		{eventstore.Exact(0), eventstoretest.Events("b", 1, 1), "WITH a AS (INSERT INTO eventstore.events"},
		{eventstore.Any, eventstoretest.Events("c", 2, 1), "WITH a AS (INSERT INTO eventstore.events"},
		{eventstore.StreamExists, eventstoretest.Events("d", 3, 2), "SELECT pg_notify('orderflow_eventstore', '')"},
	} {
		s, err := pg.New(context.Background(), pg.Config{DatabaseURL: url})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		if _, err := s.Append(context.Background(), stream, tc.expected, tc.events...); err != nil {
			t.Fatal(err)
		}
		n := nextNotification(t, conn)
		var query string
		if err := conn.QueryRow(context.Background(), `SELECT query FROM pg_stat_activity WHERE pid = $1`, n.PID).Scan(&query); err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(query, tc.statement) {
			t.Fatalf("%d events expecting %v: notified by a backend whose last statement is %q, want the append's", len(tc.events), tc.expected, query)
		}
	}
}

// Appends in quick succession are all announced: the first carries the
// NOTIFY, and the notifier announces the others soon after.
func TestBurstOfAppendsIsAnnounced(t *testing.T) {
	s, url := newStore(t)
	conn := listenTo(t, url)
	cat := eventstoretest.NewCategory()
	for i := range 3 {
		if _, err := s.Append(context.Background(), cat+"-1", eventstore.Any, eventstoretest.Event("a", i)); err != nil {
			t.Fatal(err)
		}
	}
	// The first append carries a NOTIFY. The others, made within
	// notifyInterval of it unless the machine is very slow, carry none, and
	// the notifier announces them.
	nextNotification(t, conn)
	nextNotification(t, conn)
}

// A store listens for other processes' appends only once a subscription of
// its own waits for events: a store that only appends keeps no listening
// connection, whose backend would otherwise handle every NOTIFY.
func TestStoreListensOnceSubscribed(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	s, url := newStore(t)
	admin, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close(context.Background())
	stream := eventstoretest.NewCategory() + "-1"
	if _, err := s.Append(ctx, stream, eventstore.NoStream, eventstoretest.Event("a", 0)); err != nil {
		t.Fatal(err)
	}
	if n := listeners(t, admin); n != 0 {
		t.Fatalf("%d listening connections before any subscription, want none", n)
	}
	sub, err := s.Subscribe(ctx, eventstore.SubscribeOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer sub.Close()
	if events, err := sub.Next(ctx); err != nil || len(events) != 1 {
		t.Fatalf("Next: %d events, %v", len(events), err)
	}
	awaitListeners(ctx, t, admin, 1)
}

// listeners counts the connections to admin's database that listen on the
// store's channel.
func listeners(t *testing.T, admin *pgx.Conn) int {
	t.Helper()
	var n int
	if err := admin.QueryRow(context.Background(), `SELECT count(*) FROM pg_stat_activity
		WHERE datname = current_database() AND query = 'listen "orderflow_eventstore"'`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// awaitListeners waits until n connections listen on the store's channel.
func awaitListeners(ctx context.Context, t *testing.T, admin *pgx.Conn, n int) {
	t.Helper()
	for listeners(t, admin) != n {
		select {
		case <-ctx.Done():
			t.Fatalf("%d connections listen, want %d", listeners(t, admin), n)
		case <-time.After(10 * time.Millisecond):
		}
	}
}

// A store's own NOTIFYs wake none of its subscriptions: its appends woke
// the subscribers of their category already. Another process's NOTIFY
// wakes them all, since it names no category. The test watches the
// wake-up a subscription of a quiet category waits on, rather than its
// reads: whether a woken read finds anything new depends on transactions
// elsewhere in the cluster, which hold back the head of the log.
func TestOwnNotifyWakesOnlyItsCategory(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	url := dbtest.New(t)
	open := func() *pg.Store {
		s, err := pg.New(ctx, pg.Config{DatabaseURL: url})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		return s
	}
	s, other := open(), open()
	admin, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close(context.Background())
	quiet, busy := eventstoretest.NewCategory(), eventstoretest.NewCategory()
	woken := pg.WakeUp(s, quiet) // as a subscription of quiet waits
	awaitListeners(ctx, t, admin, 1)
	// Appends to another category, spread over 300 ms: several carry a
	// NOTIFY (one in 20 ms).
	for i := range 12 {
		if _, err := s.Append(ctx, busy+"-1", eventstore.Any, eventstoretest.Event("a", i)); err != nil {
			t.Fatal(err)
		}
		time.Sleep(25 * time.Millisecond)
	}
	select {
	case <-woken:
		t.Fatal("the store's own appends to another category woke a subscription of a quiet one")
	case <-time.After(500 * time.Millisecond):
	}
	if _, err := other.Append(ctx, busy+"-2", eventstore.NoStream, eventstoretest.Event("b", 0)); err != nil {
		t.Fatal(err)
	}
	select {
	case <-woken:
	case <-ctx.Done():
		t.Fatal("another store's append did not wake a subscription of a quiet category")
	}
}
