package read_test

import (
	"context"
	"encoding/json"
	"slices"
	"testing"
	"time"

	"github.com/orderflow/orderflow/eventstore"
	"github.com/orderflow/orderflow/projections"
	"github.com/orderflow/orderflow/read"
)

// TestProjections reads every field of the projections' status, from a
// Status function that reports one projection live and one rebuilding.
func TestProjections(t *testing.T) {
	started := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	status := func(context.Context) ([]projections.Status, error) {
		return []projections.Status{
			{Name: "orders", CodeVersion: 2, Version: 2, Generation: 3,
				Position: eventstore.Position{Commit: 100, Prepare: 7}, Head: eventstore.Position{Commit: 101, Prepare: 2},
				Behind: 12, Lag: 1500 * time.Millisecond, Rate: 250.5, State: projections.StateCatchingUp,
				DeadLetters: 1, Owner: "host-1"},
			{Name: "products", CodeVersion: 2, Version: 1, Generation: 1,
				Position: eventstore.Position{Commit: 5, Prepare: 1}, Head: eventstore.Position{Commit: 101, Prepare: 2},
				Behind: projections.MaxCountedBehind, BehindAtLeast: true, State: projections.StateRebuilding,
				LastError: "", Rebuild: &projections.RebuildStatus{Generation: 2, Version: 2, Owner: "host-2",
					Position: eventstore.Position{Commit: 90, Prepare: 3}, Done: 9000, Total: 12000, Rate: 1000,
					StartedAt: started, UpdatedAt: started.Add(9 * time.Second)}},
			{Name: "customers", CodeVersion: 1, Version: 1, Generation: 1, State: projections.StateFailed,
				LastError: "boom"},
		}, nil
	}
	e := newEnv(t, withoutProjections(), withConfig(read.Config{Status: status}))
	data := e.data(admin, `{ projections { name state position head behind behindAtLeast lag rate deadLetters generation version codeVersion owner lastError
		rebuild { generation version position done total rate startedAt updatedAt } } }`, nil)
	sameJSON(t, data, `{"projections":[
		{"name":"orders","state":"CATCHING_UP","position":"100.7","head":"101.2","behind":"12","behindAtLeast":false,"lag":1.5,"rate":250.5,
		 "deadLetters":"1","generation":3,"version":2,"codeVersion":2,"owner":"host-1","lastError":null,"rebuild":null},
		{"name":"products","state":"REBUILDING","position":"5.1","head":"101.2","behind":"10000","behindAtLeast":true,"lag":0,"rate":0,
		 "deadLetters":"0","generation":1,"version":1,"codeVersion":2,"owner":null,"lastError":null,
		 "rebuild":{"generation":2,"version":2,"position":"90.3","done":"9000","total":"12000","rate":1000,
		   "startedAt":"2025-03-01T12:00:00Z","updatedAt":"2025-03-01T12:00:09Z"}},
		{"name":"customers","state":"FAILED","position":"0.0","head":"0.0","behind":"0","behindAtLeast":false,"lag":0,"rate":0,
		 "deadLetters":"0","generation":1,"version":1,"codeVersion":1,"owner":null,"lastError":"boom","rebuild":null}]}`)
}

// TestProjectionsFromTheManager reads the status of the projections the
// real runtime runs.
func TestProjectionsFromTheManager(t *testing.T) {
	e := newEnv(t)
	e.catalog()
	e.CaughtUp(allProjections...)
	var d struct {
		Projections []struct {
			Name, State, Position string
			Generation            int
		}
	}
	head := e.Visible().String()
	readmodelsLive := func() bool {
		if err := json.Unmarshal(e.data(admin, `{ projections { name state position generation } }`, nil), &d); err != nil {
			t.Fatal(err)
		}
		for _, p := range d.Projections {
			if p.State != "LIVE" || p.Generation != 1 || p.Position != head {
				return false
			}
		}
		var names []string
		for _, p := range d.Projections {
			names = append(names, p.Name)
		}
		return slices.Equal(names, []string{"customer_notifications", "customers", "fulfillment", "order_timeline", "orders", "products"})
	}
	deadline := time.Now().Add(30 * time.Second)
	for !readmodelsLive() {
		if time.Now().After(deadline) {
			t.Fatalf("projections %+v, want the six read models live at %s", d.Projections, head)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
