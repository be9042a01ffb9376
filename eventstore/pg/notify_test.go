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

// A lone append announces itself in its own statement: the notification
// comes from the backend that inserted the events, whose last statement is
// the append, not a NOTIFY of its own.
func TestLoneAppendCarriesItsNotify(t *testing.T) {
	s, url := newStore(t)
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
		{eventstore.StreamExists, eventstoretest.Events("d", 3, 2), "WITH req AS ("},
	} {
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
		// The next append finds no NOTIFY due for notifyInterval; wait it out
		// so that each of these appends is a lone one.
		time.Sleep(30 * time.Millisecond)
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
