package notifications_test

import (
	"context"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/orderflow/orderflow/eventstore"
	"github.com/orderflow/orderflow/eventstore/pg"
	"github.com/orderflow/orderflow/notifications"
	"github.com/orderflow/orderflow/platform/dbtest"
	"github.com/orderflow/orderflow/write/command"
	"github.com/orderflow/orderflow/write/inventory"
	"github.com/orderflow/orderflow/write/money"
	"github.com/orderflow/orderflow/write/order"
	"github.com/orderflow/orderflow/write/service"
)

type sent struct{ order, customer, kind, message string }

func TestNotifications(t *testing.T) {
	ctx := context.Background()
	dbURL := dbtest.New(t)
	store, err := pg.New(ctx, pg.Config{DatabaseURL: dbURL, PollInterval: 20 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	pool, err := pgxpool.New(ctx, dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	svc := service.New(command.NewHandler(store, time.Now), nil)
	must := func(_ command.Result, err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(svc.Inventory(ctx, command.Meta{}, "A", inventory.RegisterProduct{SKU: "A", Name: "A", Price: money.Money{Amount: 100, Currency: "EUR"}}))
	place := func(customer string) string {
		id := uuid.NewString()
		must(svc.PlaceOrder(ctx, command.Meta{}, order.Place{OrderID: id, CustomerID: customer, Lines: []order.LineRequest{{SKU: "A", Quantity: 1}},
			ShippingAddress: order.Address{Name: "N", Line1: "L", City: "C", PostalCode: "1", Country: "DE"}}))
		return id
	}
	o1, o2, o3 := place("c-1"), place("c-2"), place("c-1")
	must(svc.Order(ctx, command.Meta{}, o1, order.Confirm{}, nil))
	must(svc.Order(ctx, command.Meta{}, o2, order.Cancel{Reason: "found it cheaper", ByCustomer: true}, nil))
	must(svc.Order(ctx, command.Meta{}, o3, order.Confirm{}, nil))
	must(svc.Order(ctx, command.Meta{}, o3, order.MarkPaid{Amount: money.Money{Amount: 100, Currency: "EUR"}}, nil))
	must(svc.Order(ctx, command.Meta{}, o3, order.MarkShipped{TrackingNumber: "TRK-9"}, nil))

	n := notifications.New(store, pool, nil)
	run := func() (stop func()) {
		ctx, cancel := context.WithCancel(ctx)
		done := make(chan struct{})
		go func() { defer close(done); _ = n.Run(ctx) }()
		return func() { cancel(); <-done }
	}
	read := func(want int) []sent {
		t.Helper()
		var got []sent
		for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(10 * time.Millisecond) {
			rows, err := pool.Query(ctx, `SELECT order_id, customer_id, kind, message FROM notifications.sent ORDER BY created_at, kind`)
			if err != nil {
				t.Fatal(err)
			}
			got = got[:0]
			for rows.Next() {
				var s sent
				if err := rows.Scan(&s.order, &s.customer, &s.kind, &s.message); err != nil {
					t.Fatal(err)
				}
				got = append(got, s)
			}
			rows.Close()
			if len(got) >= want || time.Now().After(deadline) {
				if len(got) != want {
					t.Fatalf("%d notifications, want %d: %+v", len(got), want, got)
				}
				return got
			}
		}
	}

	stop := run()
	got := read(4)
	want := []sent{
		{o1, "c-1", "confirmed", "Your order " + o1 + " is confirmed."},
		{o2, "c-2", "cancelled", "Your order " + o2 + " was cancelled: found it cheaper"},
		{o3, "c-1", "confirmed", "Your order " + o3 + " is confirmed."},
		{o3, "c-1", "shipped", "Your order " + o3 + " is on its way (tracking number TRK-9)."},
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("notification %d: %+v, want %+v", i, got[i], want[i])
		}
	}
	stop()

	// Every event delivered again changes nothing.
	all, err := store.ReadAll(ctx, eventstore.Start, 1000)
	if err != nil {
		t.Fatal(err)
	}
	var orders []eventstore.RecordedEvent
	for _, e := range all {
		if e.Category() == order.Category {
			orders = append(orders, e)
		}
	}
	if err := n.Apply(ctx, orders); err != nil {
		t.Fatal(err)
	}
	read(4)

	// A restart goes on from its checkpoint.
	must(svc.Order(ctx, command.Meta{}, o3, order.MarkDelivered{}, nil))
	stop = run()
	defer stop()
	if last := read(5)[4]; last.kind != "delivered" || last.order != o3 {
		t.Fatalf("after a restart: %+v, want o3 delivered", last)
	}
}
