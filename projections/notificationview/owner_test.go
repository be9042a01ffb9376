package notificationview_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/orderflow/orderflow/projections"
	"github.com/orderflow/orderflow/projections/notificationview"
	"github.com/orderflow/orderflow/projections/readmodels/readmodelstest"
	"github.com/orderflow/orderflow/write/order"
)

// TestOneOwnerOnceAcrossRestarts runs the notifications in two processes
// (managers) at once: one of them owns them, the other stands by, and
// when the owner stops the other takes over from the checkpoint. Through
// restarts every notifying event is recorded exactly once: as many rows as
// events that notify, one per event, none parked.
func TestOneOwnerOnceAcrossRestarts(t *testing.T) {
	t.Parallel()
	e := readmodelstest.New(t)
	e.Product("A", "Anvil", readmodelstest.EUR(1999), 100)
	managers := map[string]*projections.Manager{
		"a": e.Manager("a", notificationview.New()),
		"b": e.Manager("b", notificationview.New()),
	}
	stops := map[string]func(){"a": e.Run(managers["a"]), "b": e.Run(managers["b"])}
	var confirmed []uuid.UUID
	round := func(r int) {
		for i := range 3 {
			id := fmt.Sprintf("o-%d-%d", r, i)
			e.Place(id, "c-1", order.LineRequest{SKU: "A", Quantity: 1})
			e.Order(id, order.Confirm{})
			confirmed = append(confirmed, e.Stream(order.StreamID(id))[1].ID)
		}
		e.CaughtUp(notificationview.Name)
	}
	owner := func() string {
		t.Helper()
		statuses, err := managers["a"].Status(e.Ctx())
		if err != nil {
			t.Fatal(err)
		}
		if len(statuses) != 1 || statuses[0].Name != notificationview.Name {
			t.Fatalf("status lists %+v, want %s alone", statuses, notificationview.Name)
		}
		return statuses[0].Owner
	}
	round(0)
	// Caught up can mean the first build reached the head before the live
	// runner took its lease: wait for the owner.
	var first string
	readmodelstest.WaitFor(t, 10*time.Second, "a or b to own the notifications", func() bool {
		first = owner()
		return first == "a" || first == "b"
	})
	other := map[string]string{"a": "b", "b": "a"}[first]

	// The owner stops; the other takes over and goes on from the checkpoint.
	stops[first]()
	round(1)
	readmodelstest.WaitFor(t, 10*time.Second, other+" to own the notifications", func() bool { return owner() == other })

	// The stopped one starts again and stands by; both stop and start again.
	stops[first] = e.Run(e.Manager(first, notificationview.New()))
	round(2)
	if got := owner(); got != other {
		t.Fatalf("owner %q after the first came back, want %q still", got, other)
	}
	stops["a"]()
	stops["b"]()
	e.Run(e.Manager("a", notificationview.New()))
	round(3)

	got := readmodelstest.Select[struct {
		EventID uuid.UUID `db:"event_id"`
	}](t, e.Pool, `SELECT event_id FROM readmodel.customer_notifications ORDER BY created_at, event_id`)
	want := make(map[uuid.UUID]bool)
	for _, id := range confirmed {
		want[id] = true
	}
	if len(got) != len(confirmed) {
		t.Fatalf("%d notifications for %d confirmations", len(got), len(confirmed))
	}
	for _, r := range got {
		if !want[r.EventID] {
			t.Fatalf("notification for event %s, which is no confirmation", r.EventID)
		}
		delete(want, r.EventID)
	}
	if parked := e.Parked(managers["a"], notificationview.Name); len(parked) != 0 {
		t.Fatalf("events parked: %v", parked)
	}
}
