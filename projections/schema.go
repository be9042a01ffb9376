package projections

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strconv"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// viewSchema is the stable schema whose views readers query.
const viewSchema = "readmodel"

// schemaPrefix is what every generation schema of projection name starts
// with.
func schemaPrefix(name string) string { return "proj_" + name + "_" }

// generationSchema names the schema holding generation gen of a projection.
func generationSchema(name string, gen int) string {
	return schemaPrefix(name) + strconv.Itoa(gen)
}

// quote quotes an identifier for SQL.
func quote(ident string) string { return pgx.Identifier{ident}.Sanitize() }

// dbtx is what the schema helpers need: a pool, a connection or a
// transaction.
type dbtx interface {
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

// generations lists the generations of a projection that have a schema,
// whatever their state (live, being built, left over), in ascending order.
func generations(ctx context.Context, db dbtx, name string) ([]int, error) {
	prefix := schemaPrefix(name)
	rows, err := db.Query(ctx, `SELECT nspname FROM pg_namespace WHERE nspname ~ $1`,
		"^"+regexp.QuoteMeta(prefix)+"[0-9]+$")
	if err != nil {
		return nil, fmt.Errorf("list generations of %s: %w", name, err)
	}
	schemas, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, fmt.Errorf("list generations of %s: %w", name, err)
	}
	var gens []int
	for _, s := range schemas {
		if g, err := strconv.Atoi(s[len(prefix):]); err == nil && g > 0 {
			gens = append(gens, g)
		}
	}
	slices.Sort(gens)
	return gens, nil
}

// dropGenerations drops the schemas of every generation of name for which
// drop returns true.
func dropGenerations(ctx context.Context, db dbtx, name string, drop func(gen int) bool) error {
	gens, err := generations(ctx, db, name)
	if err != nil {
		return err
	}
	for _, g := range gens {
		if !drop(g) {
			continue
		}
		if _, err := db.Exec(ctx, "DROP SCHEMA IF EXISTS "+quote(generationSchema(name, g))+" CASCADE"); err != nil {
			return fmt.Errorf("drop generation %d of %s: %w", g, name, err)
		}
	}
	return nil
}

// createGeneration creates generation gen's schema and runs the
// projection's DDL in it.
func createGeneration(ctx context.Context, db dbtx, p Projection, gen int) error {
	schema := quote(generationSchema(p.Name(), gen))
	if _, err := db.Exec(ctx, "CREATE SCHEMA "+schema); err != nil {
		return fmt.Errorf("create generation %d of %s: %w", gen, p.Name(), err)
	}
	for i, ddl := range p.Tables(schema) {
		if _, err := db.Exec(ctx, ddl); err != nil {
			return fmt.Errorf("create generation %d of %s: table statement %d: %w", gen, p.Name(), i+1, err)
		}
	}
	return nil
}

// pointViews makes readmodel.<view> select from generation gen's table of
// the same name for every view, and drops the views of old that are no
// longer listed. A view keeps its identity when its columns allow (CREATE
// OR REPLACE); otherwise it is dropped and created again, which readers
// waiting on it survive: they look the name up again once the transaction
// commits.
func pointViews(ctx context.Context, tx pgx.Tx, name string, gen int, views, old []string) error {
	schema := quote(generationSchema(name, gen))
	for _, v := range views {
		view, table := quote(viewSchema)+"."+quote(v), schema+"."+quote(v)
		sp, err := tx.Begin(ctx) // savepoint: a replace refused must not abort the swap
		if err != nil {
			return fmt.Errorf("point view %s: %w", v, err)
		}
		_, err = sp.Exec(ctx, "CREATE OR REPLACE VIEW "+view+" AS SELECT * FROM "+table)
		if err == nil {
			if err := sp.Commit(ctx); err != nil {
				return fmt.Errorf("point view %s: %w", v, err)
			}
			continue
		}
		if rbErr := sp.Rollback(ctx); rbErr != nil {
			return fmt.Errorf("point view %s: %w", v, rbErr)
		}
		if !isPgCode(err, "42P16") { // the columns changed
			return fmt.Errorf("point view %s: %w", v, err)
		}
		if _, err := tx.Exec(ctx, "DROP VIEW IF EXISTS "+view); err != nil {
			return fmt.Errorf("point view %s: %w", v, err)
		}
		if _, err := tx.Exec(ctx, "CREATE VIEW "+view+" AS SELECT * FROM "+table); err != nil {
			return fmt.Errorf("point view %s: %w", v, err)
		}
	}
	for _, v := range old {
		if slices.Contains(views, v) {
			continue
		}
		if _, err := tx.Exec(ctx, "DROP VIEW IF EXISTS "+quote(viewSchema)+"."+quote(v)); err != nil {
			return fmt.Errorf("drop view %s: %w", v, err)
		}
	}
	return nil
}
