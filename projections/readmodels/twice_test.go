package readmodels_test

import (
	"testing"

	"github.com/orderflow/orderflow/projections"
	"github.com/orderflow/orderflow/projections/projectionstest"
	"github.com/orderflow/orderflow/projections/readmodels"
	"github.com/orderflow/orderflow/projections/readmodels/readmodelstest"
)

// TestEveryEventDeliveredTwice builds the read models live, then rebuilds
// them, on subscriptions that deliver every event twice and every batch
// again: the read models are the same as a clean rebuild's on single
// delivery.
func TestEveryEventDeliveredTwice(t *testing.T) {
	t.Parallel()
	e := readmodelstest.New(t)
	saga := e.StartSaga(readmodelstest.HistoryPaymentTimeout)
	twice := e.ManagerWith(projections.Config{Owner: "twice", Projections: readmodels.All(), Store: projectionstest.Doubling{Store: e.Store}})
	stop := e.Run(twice)
	if err := e.History(e.Ctx(), saga, 1); err != nil {
		t.Fatal(err)
	}
	saga.Stop()
	e.CaughtUp(names()...)
	stop()
	live := dumpAll(t, e)
	for _, name := range names() {
		if parked := e.Parked(twice, name); len(parked) != 0 {
			t.Errorf("%s parked events: %v", name, parked)
		}
		if _, err := twice.Rebuild(e.Ctx(), name, nil); err != nil {
			t.Fatal(err)
		}
	}
	rebuiltTwice := dumpAll(t, e)

	once := e.Manager("once", readmodels.All()...)
	for _, name := range names() {
		if _, err := once.Rebuild(e.Ctx(), name, nil); err != nil {
			t.Fatal(err)
		}
	}
	clean := dumpAll(t, e)
	if d := diffAll(live, clean); d != "" {
		t.Fatalf("built live with every event delivered twice, the read models differ from a clean rebuild:\n%s", d)
	}
	if d := diffAll(rebuiltTwice, clean); d != "" {
		t.Fatalf("rebuilt with every event delivered twice, the read models differ from a clean rebuild:\n%s", d)
	}
}
