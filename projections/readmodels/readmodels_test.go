package readmodels_test

import (
	"slices"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/orderflow/orderflow/eventstore"
	"github.com/orderflow/orderflow/projections"
	"github.com/orderflow/orderflow/projections/readmodels"
)

// names lists the names of the read models.
func names() []string {
	var out []string
	for _, p := range readmodels.All() {
		out = append(out, p.Name())
	}
	return out
}

// TestAll checks the registry: the six read models, each once, with the
// views docs/readmodels.md names, in fresh values on every call.
func TestAll(t *testing.T) {
	want := map[string][]string{
		"orders":                 {"orders", "order_lines"},
		"products":               {"products"},
		"customers":              {"customers", "customer_spend"},
		"fulfillment":            {"fulfillments", "fulfillment_history"},
		"order_timeline":         {"order_timeline"},
		"customer_notifications": {"customer_notifications"},
	}
	all := readmodels.All()
	if len(all) != len(want) {
		t.Fatalf("%d read models, want %d", len(all), len(want))
	}
	for _, p := range all {
		views, ok := want[p.Name()]
		version := 1
		if p.Name() == "fulfillment" {
			version = 3 // 2: the history's event, causation and command ids; 3: its index by time
		}
		if !ok || !slices.Equal(p.Views(), views) || p.Version() != version {
			t.Errorf("%s: views %v version %d, want views %v version %d", p.Name(), p.Views(), p.Version(), views, version)
		}
		delete(want, p.Name())
	}
	again := readmodels.All()
	for i := range all {
		if all[i] == again[i] {
			t.Errorf("All returned the same %s twice", all[i].Name())
		}
	}
	// The runtime accepts them together: names and views are unique. (It
	// connects to nothing until it runs.)
	pool, err := pgxpool.New(t.Context(), "postgres://nobody@127.0.0.1:1/none")
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	if _, err := projections.New(projections.Config{Pool: pool, Store: struct{ eventstore.Store }{}, Projections: all}); err != nil {
		t.Fatal(err)
	}
}
