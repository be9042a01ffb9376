package eventschema_test

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/orderflow/orderflow/eventstore"
	"github.com/orderflow/orderflow/projections/orderview"
	"github.com/orderflow/orderflow/projections/readmodels/readmodelstest"
	"github.com/orderflow/orderflow/schema/eventschema"
	"github.com/orderflow/orderflow/write/order"
)

// orderRows is the orders read model, as a corpus log keeps it beside
// itself (NNNN.orders.json): every row of readmodel.orders and
// readmodel.order_lines as a JSON object, by order id (and line), without
// the columns that depend on the store rather than the events (position
// and recorded time).
type orderRows struct {
	Orders     []map[string]any `json:"orders"`
	OrderLines []map[string]any `json:"order_lines"`
}

// storeColumns are the columns of readmodel.orders that the store, not
// the events, decides: a replay into another store changes them.
var storeColumns = []string{"commit_pos", "prepare_pos", "updated_at"}

// rebuildOrders rebuilds the orders read model from the log of e and
// returns its rows.
func rebuildOrders(t *testing.T, e *readmodelstest.Env) orderRows {
	t.Helper()
	m := e.Manager("corpus", orderview.New())
	res, err := m.Rebuild(e.Ctx(), orderview.Name, nil)
	if err != nil {
		t.Fatal(err)
	}
	if res.Parked != 0 {
		t.Fatalf("the rebuild of %s parked %d events: %v", orderview.Name, res.Parked, e.Parked(m, orderview.Name))
	}
	return selectRows(t, e)
}

// selectRows returns the rows of the orders read model of e.
func selectRows(t *testing.T, e *readmodelstest.Env) orderRows {
	t.Helper()
	tx, err := e.Pool.Begin(e.Ctx())
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback(e.Ctx())
	if _, err := tx.Exec(e.Ctx(), `SET LOCAL TIME ZONE 'UTC'`); err != nil {
		t.Fatal(err)
	}
	var rows orderRows
	for _, q := range []struct {
		into *[]map[string]any
		sql  string
	}{
		{&rows.Orders, `SELECT coalesce(jsonb_agg(to_jsonb(o) - $1::text[] ORDER BY order_id), '[]') FROM readmodel.orders o`},
		{&rows.OrderLines, `SELECT coalesce(jsonb_agg(to_jsonb(l) - $1::text[] ORDER BY order_id, line_no), '[]') FROM readmodel.order_lines l`},
	} {
		if err := tx.QueryRow(e.Ctx(), q.sql, storeColumns).Scan(q.into); err != nil {
			t.Fatal(err)
		}
	}
	if len(rows.Orders) == 0 {
		t.Fatal("the orders read model is empty")
	}
	return rows
}

// rowsFile is the file of the orders read model built from log l.
func rowsFile(l eventschema.Log) string { return filepath.Join(corpusDir, l.Name+".orders.json") }

// writeRows keeps rows beside log l.
func writeRows(l eventschema.Log, rows orderRows) error {
	data, err := json.MarshalIndent(rows, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(rowsFile(l), append(data, '\n'), 0o644)
}

// readRows reads the rows kept beside log l.
func readRows(l eventschema.Log) (orderRows, error) {
	var rows orderRows
	data, err := os.ReadFile(rowsFile(l))
	if err != nil {
		return rows, err
	}
	err = json.Unmarshal(data, &rows)
	return rows, err
}

// addedColumns are the columns of the orders read model that are newer
// than some logs of the corpus, each with what it must hold for an order
// placed by the event placed (the order.placed of the corpus).
var addedColumns = map[string]func(t *testing.T, placed eventschema.Entry) any{
	// order.placed version 2 names the channel; version 1 reads as api.
	"channel": func(t *testing.T, placed eventschema.Entry) any {
		if placed.V == 1 {
			return "api"
		}
		var data struct {
			Channel string `json:"channel"`
		}
		if err := json.Unmarshal(placed.Data, &data); err != nil || data.Channel == "" {
			t.Errorf("%s v%d of %s names no channel (%v)", placed.Type, placed.V, placed.Stream, err)
		}
		return data.Channel
	},
}

// placedIn returns what finds the order.placed in log l of the order of a
// row of the orders read model.
func placedIn(l eventschema.Log) func(row map[string]any) (eventschema.Entry, bool) {
	placed := make(map[string]eventschema.Entry)
	for _, en := range l.Entries {
		if en.Type == order.TypePlaced {
			placed[strings.TrimPrefix(en.Stream, order.Category+"-")] = en
		}
	}
	return func(row map[string]any) (eventschema.Entry, bool) {
		en, ok := placed[fmt.Sprint(row["order_id"])]
		return en, ok
	}
}

// TestCorpusRebuildsOrders replays every log of the corpus into a fresh
// event store and rebuilds the orders read model from it with the code
// as it is: it holds the same rows as the code of the log's time built
// (kept beside the log), plus what the columns added since hold for
// those orders.
func TestCorpusRebuildsOrders(t *testing.T) {
	t.Parallel()
	logs, err := eventschema.ReadCorpus(corpusDir)
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range logs {
		t.Run(l.Name, func(t *testing.T) {
			t.Parallel()
			want, err := readRows(l)
			if err != nil {
				t.Fatal(err)
			}
			e := readmodelstest.New(t)
			replay(t, e, l)
			got := rebuildOrders(t, e)
			compareRows(t, "orders", got.Orders, want.Orders, placedIn(l))
			compareRows(t, "order_lines", got.OrderLines, want.OrderLines, nil)
		})
	}
}

// compareRows checks that got holds the rows of want, with the same
// values in want's columns; any other column must be one of
// addedColumns, holding what it says for the order of the row (placedOf).
func compareRows(t *testing.T, table string, got, want []map[string]any, placedOf func(map[string]any) (eventschema.Entry, bool)) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d rows, want %d", table, len(got), len(want))
	}
	for i := range want {
		for col, w := range want[i] {
			if g, ok := got[i][col]; !ok || !reflect.DeepEqual(g, w) {
				t.Errorf("%s row %d: %s = %v, want %v (row %v)", table, i, col, g, w, got[i])
			}
		}
		var extra []string
		for col := range got[i] {
			if _, ok := want[i][col]; !ok {
				extra = append(extra, col)
			}
		}
		sort.Strings(extra)
		for _, col := range extra {
			check, known := addedColumns[col]
			if !known || placedOf == nil {
				t.Errorf("%s: column %s is newer than the corpus and the test does not know what it holds for old orders", table, col)
				continue
			}
			placed, ok := placedOf(got[i])
			if !ok {
				t.Errorf("%s row %d: no order.placed in the log", table, i)
				continue
			}
			if w := check(t, placed); !reflect.DeepEqual(got[i][col], w) {
				t.Errorf("%s row %d (order placed by %s v%d): %s = %v, want %v", table, i, placed.Type, placed.V, col, got[i][col], w)
			}
		}
	}
}

// replay appends the events of log l to the store of e, stream by stream
// in the log's order, at their revisions and with their ids.
func replay(t *testing.T, e *readmodelstest.Env, l eventschema.Log) {
	t.Helper()
	for _, en := range l.Entries {
		expected := eventstore.NoStream
		if en.Revision > 0 {
			expected = eventstore.Exact(en.Revision - 1)
		}
		res, err := e.Store.Append(e.Ctx(), en.Stream, expected, en.EventData())
		if err != nil {
			t.Fatalf("replay %s@%d: %v", en.Stream, en.Revision, err)
		}
		if res.Revision != en.Revision {
			t.Fatalf("replay %s@%d: stored at revision %d", en.Stream, en.Revision, res.Revision)
		}
		e.Wrote(res.Position)
	}
	e.Visible()
}
