package eventschema_test

import (
	"strconv"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/orderflow/orderflow/platform/migrate"
	"github.com/orderflow/orderflow/projections/readmodels/readmodelstest"
	"github.com/orderflow/orderflow/schema/eventschema"
)

// TestMigrationAddsChannel builds the orders read model from the corpus's
// first log (order.placed version 1), takes the database back to before
// migration 00013, which leaves the read model as the code before the
// sales channel built it, and migrates it again: the rows are those kept
// beside the log, each with the channel api, at once and without a
// rebuild; and an insert of the previous code, which knows no channel,
// gets api too.
func TestMigrationAddsChannel(t *testing.T) {
	t.Parallel()
	logs, err := eventschema.ReadCorpus(corpusDir)
	if err != nil || len(logs) == 0 {
		t.Fatalf("read the corpus: %d logs, %v", len(logs), err)
	}
	first := logs[0]
	want, err := readRows(first)
	if err != nil {
		t.Fatal(err)
	}
	e := readmodelstest.New(t)
	replay(t, e, first)
	rebuildOrders(t, e)

	p, db, err := migrate.Provider(e.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := p.DownTo(e.Ctx(), 12); err != nil {
		t.Fatal(err)
	}
	columns := func() []string {
		t.Helper()
		rows, err := e.Pool.Query(e.Ctx(), `SELECT attname FROM pg_attribute WHERE attrelid = 'readmodel.orders'::regclass AND attnum > 0 ORDER BY attnum`)
		if err != nil {
			t.Fatal(err)
		}
		names, err := pgx.CollectRows(rows, pgx.RowTo[string])
		if err != nil {
			t.Fatal(err)
		}
		return names
	}
	before := columns()
	if len(before) == 0 || before[len(before)-1] == "channel" {
		t.Fatalf("before 00013, readmodel.orders has the columns %v", before)
	}
	if _, err := p.UpTo(e.Ctx(), 13); err != nil {
		t.Fatal(err)
	}
	if after := columns(); len(after) != len(before)+1 || after[len(after)-1] != "channel" {
		t.Fatalf("after 00013, readmodel.orders has the columns %v, want %v and channel", after, before)
	}
	got := selectRows(t, e)
	compareRows(t, "orders", got.Orders, want.Orders, placedIn(first))
	for i, row := range got.Orders {
		if row["channel"] != "api" {
			t.Errorf("orders row %d: channel %v, want api", i, row["channel"])
		}
	}
	compareRows(t, "order_lines", got.OrderLines, want.OrderLines, nil)

	var gen int
	if err := e.Pool.QueryRow(e.Ctx(), `SELECT generation FROM projections.checkpoints WHERE name = 'orders'`).Scan(&gen); err != nil {
		t.Fatal(err)
	}
	var channel string
	err = e.Pool.QueryRow(e.Ctx(), `INSERT INTO `+pgx.Identifier{"proj_orders_" + strconv.Itoa(gen), "orders"}.Sanitize()+`
  (order_id, customer_id, status, revision, total_amount, total_currency, line_count, placed_at, updated_at, commit_pos, prepare_pos)
VALUES ('old-code', 'c-1', 'PENDING', 0, 1, 'EUR', 0, now(), now(), 0, 0) RETURNING channel`).Scan(&channel)
	if err != nil || channel != "api" {
		t.Fatalf("insert of the previous code: channel %q, %v; want api", channel, err)
	}
}
