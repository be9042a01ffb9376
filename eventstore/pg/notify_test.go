package pg_test

import (
	"context"
	"errors"
	"fmt"
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
	listeners := func() int {
		var n int
		if err := admin.QueryRow(ctx, `SELECT count(*) FROM pg_stat_activity
			WHERE datname = current_database() AND query = 'listen "orderflow_eventstore"'`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	stream := eventstoretest.NewCategory() + "-1"
	if _, err := s.Append(ctx, stream, eventstore.NoStream, eventstoretest.Event("a", 0)); err != nil {
		t.Fatal(err)
	}
	if n := listeners(); n != 0 {
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
	for listeners() != 1 {
		select {
		case <-ctx.Done():
			t.Fatal("the store does not listen after its subscription waited")
		case <-time.After(10 * time.Millisecond):
		}
	}
}

// A store's own NOTIFYs wake none of its subscriptions: its appends woke
// the subscribers of their category already. Another process's NOTIFY
// wakes them all, since it names no category.
func TestOwnNotifyWakesOnlyItsCategory(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	url := dbtest.New(t)
	open := func() *pg.Store {
		// Subscriptions poll once a minute: only a wake-up makes them read.
		s, err := pg.New(ctx, pg.Config{DatabaseURL: url, PollInterval: time.Minute})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		return s
	}
	s, other := open(), open()
	quiet, busy := eventstoretest.NewCategory(), eventstoretest.NewCategory()
	sub, err := s.Subscribe(ctx, eventstore.SubscribeOptions{Category: quiet, Checkpoints: true})
	if err != nil {
		t.Fatal(err)
	}
	defer sub.Close()
	// Drain: with no event of its category, Next returns only when a read
	// moved its checkpoint to the head.
	for {
		wctx, stop := context.WithTimeout(ctx, 300*time.Millisecond)
		_, err := sub.Next(wctx)
		stop()
		if errors.Is(err, context.DeadlineExceeded) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	// One Next waits through everything below; it returns only once a
	// wake-up makes it read the head.
	returned := make(chan error, 1)
	go func() {
		events, err := sub.Next(ctx)
		if err == nil && len(events) != 0 {
			err = fmt.Errorf("%d events of a category no one appends to", len(events))
		}
		returned <- err
	}()
	time.Sleep(time.Second) // Next has read the head and waits
	// Appends to another category, spread over 300 ms: several carry a
	// NOTIFY (one in 20 ms).
	for i := range 12 {
		if _, err := s.Append(ctx, busy+"-1", eventstore.Any, eventstoretest.Event("a", i)); err != nil {
			t.Fatal(err)
		}
		time.Sleep(25 * time.Millisecond)
	}
	select {
	case err := <-returned:
		t.Fatalf("the store's own appends to another category woke the subscription (Next: %v)", err)
	case <-time.After(500 * time.Millisecond):
	}
	if _, err := other.Append(ctx, busy+"-2", eventstore.NoStream, eventstoretest.Event("b", 0)); err != nil {
		t.Fatal(err)
	}
	if err := <-returned; err != nil {
		t.Fatalf("after another store's append: %v, want the subscription woken with its checkpoint moved", err)
	}
}
