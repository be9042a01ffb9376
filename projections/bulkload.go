package projections

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// A rebuild fills its generation the way bulk loads are done: while it
// replays the history, the generation's tables are unlogged (no WAL for
// rows a crash would throw away anyway: an interrupted rebuild is never
// resumed) and carry only the indexes of their constraints (primary keys
// and unique constraints, which Apply's upserts need); the other indexes,
// which only readers use, are built once, in bulk, when the replay has
// caught up, just before the tables are made logged again and swapped in.
// Apply may therefore rely only on constraint indexes.

// secondaryIndexesSQL lists the indexes of a schema that back no
// constraint, with their definitions.
const secondaryIndexesSQL = `SELECT quote_ident(n.nspname) || '.' || quote_ident(c.relname), pg_get_indexdef(i.indexrelid)
FROM pg_index i
JOIN pg_class c ON c.oid = i.indexrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname = $1 AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid)
ORDER BY c.relname`

// tablesSQL lists the ordinary tables of a schema, quoted.
const tablesSQL = `SELECT quote_ident(schemaname) || '.' || quote_ident(tablename) FROM pg_tables WHERE schemaname = $1 ORDER BY tablename`

// deferIndexes makes the tables of schema unlogged and drops their
// secondary indexes, returning the statements that create those again.
func deferIndexes(ctx context.Context, tx pgx.Tx, schema string) ([]string, error) {
	rows, err := tx.Query(ctx, secondaryIndexesSQL, schema)
	if err != nil {
		return nil, fmt.Errorf("list the indexes of %s: %w", schema, err)
	}
	type index struct{ name, def string }
	indexes, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (index, error) {
		var ix index
		err := row.Scan(&ix.name, &ix.def)
		return ix, err
	})
	if err != nil {
		return nil, fmt.Errorf("list the indexes of %s: %w", schema, err)
	}
	defs := make([]string, 0, len(indexes))
	for _, ix := range indexes {
		if _, err := tx.Exec(ctx, "DROP INDEX "+ix.name); err != nil {
			return nil, fmt.Errorf("defer index %s: %w", ix.name, err)
		}
		defs = append(defs, ix.def)
	}
	tables, err := schemaTables(ctx, tx, schema)
	if err != nil {
		return nil, err
	}
	for _, t := range tables {
		if _, err := tx.Exec(ctx, "ALTER TABLE "+t+" SET UNLOGGED"); err != nil {
			return nil, fmt.Errorf("make %s unlogged: %w", t, err)
		}
	}
	return defs, nil
}

// restoreIndexes makes the tables of schema logged again and creates the
// indexes deferIndexes dropped, in one transaction.
func restoreIndexes(ctx context.Context, pool *pgxpool.Pool, schema string, defs []string) error {
	tx, err := pool.Begin(ctx)
	if err != nil {
		return err
	}
	defer rollback(tx)
	tables, err := schemaTables(ctx, tx, schema)
	if err != nil {
		return err
	}
	for _, t := range tables {
		if _, err := tx.Exec(ctx, "ALTER TABLE "+t+" SET LOGGED"); err != nil {
			return fmt.Errorf("make %s logged: %w", t, err)
		}
	}
	for _, def := range defs {
		if _, err := tx.Exec(ctx, def); err != nil {
			return fmt.Errorf("build index: %s: %w", def, err)
		}
	}
	return tx.Commit(ctx)
}

// schemaTables lists the tables of schema, quoted.
func schemaTables(ctx context.Context, db dbtx, schema string) ([]string, error) {
	rows, err := db.Query(ctx, tablesSQL, schema)
	if err != nil {
		return nil, fmt.Errorf("list the tables of %s: %w", schema, err)
	}
	tables, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, fmt.Errorf("list the tables of %s: %w", schema, err)
	}
	return tables, nil
}
