package projections

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
)

// maxQueued is how many statements a Writer queues before it sends them,
// whatever the batch.
const maxQueued = 4096

// Writer is how Apply changes a read model. Statements queued with Exec are
// sent to PostgreSQL together, in one round trip, when the runner finishes
// the batch (or earlier, before a query); an error in any of them fails the
// batch, which the runner then retries event by event to find the culprit.
//
// A Writer belongs to one transaction of the runner and is valid only
// during the Apply call it is passed to. It is not safe for concurrent use.
type Writer struct {
	tx     pgx.Tx
	schema string
	batch  pgx.Batch
}

func newWriter(tx pgx.Tx, schema string) *Writer {
	return &Writer{tx: tx, schema: quote(schema)}
}

// Schema returns the quoted name of the schema holding the tables being
// written (a generation schema such as "proj_orders_3"), to qualify table
// names with: fmt.Sprintf("INSERT INTO %s.orders ...", w.Schema()).
func (w *Writer) Schema() string { return w.schema }

// Exec queues a statement. Its error, if any, surfaces when the batch is
// sent and fails the batch.
func (w *Writer) Exec(sql string, args ...any) {
	w.batch.Queue(sql, args...)
}

// Query sends the queued statements, then runs a query in the same
// transaction, so it sees every change queued before it. The caller must
// close the rows before using the Writer again.
func (w *Writer) Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error) {
	if err := w.flush(ctx); err != nil {
		return nil, err
	}
	return w.tx.Query(ctx, sql, args...)
}

// QueryRow is Query for a single row; errors surface from Scan.
func (w *Writer) QueryRow(ctx context.Context, sql string, args ...any) pgx.Row {
	if err := w.flush(ctx); err != nil {
		return errRow{err}
	}
	return w.tx.QueryRow(ctx, sql, args...)
}

// full reports whether enough statements are queued to send them now.
func (w *Writer) full() bool { return w.batch.Len() >= maxQueued }

// flush sends every queued statement and reports the first error.
func (w *Writer) flush(ctx context.Context) error {
	if w.batch.Len() == 0 {
		return nil
	}
	err := w.tx.SendBatch(ctx, &w.batch).Close()
	w.reset()
	if err != nil {
		return fmt.Errorf("send statements: %w", err)
	}
	return nil
}

// reset forgets the queued statements without sending them.
func (w *Writer) reset() {
	clear(w.batch.QueuedQueries)
	w.batch.QueuedQueries = w.batch.QueuedQueries[:0]
}

// errRow is a pgx.Row whose Scan fails.
type errRow struct{ err error }

func (r errRow) Scan(...any) error { return r.err }
