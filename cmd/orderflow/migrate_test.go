package main

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/orderflow/orderflow/platform/dbtest"
	"github.com/orderflow/orderflow/platform/logtest"
	"github.com/orderflow/orderflow/platform/migrate"
)

func TestMigrate(t *testing.T) {
	dbURL := dbtest.NewEmpty(t)
	env := envOf(map[string]string{"DATABASE_URL": dbURL})
	ctx := context.Background()

	pool, err := pgxpool.New(ctx, dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	if pending, err := migrate.PendingIn(ctx, pool); err != nil || !pending {
		t.Fatalf("before migrate: pending = %v, %v; want true, nil", pending, err)
	}

	var stdout bytes.Buffer
	logs := &logtest.Sink{}
	if err := run(ctx, []string{"migrate"}, env, &stdout, logs); err != nil {
		t.Fatalf("migrate: %v\n%s", err, logs)
	}
	if got := stdout.String(); got == "applied 0 migrations\n" || !strings.HasPrefix(got, "applied ") {
		t.Errorf("first migrate printed %q, want the number of migrations applied", got)
	}
	logs.WaitFor(t, "migration applied", 0)
	pending, err := migrate.Pending(ctx, dbURL)
	if err != nil || pending {
		t.Fatalf("after migrate: pending = %v, %v; want false, nil", pending, err)
	}
	// As readiness probes ask: through the pool, on the connection it has.
	for range 20 {
		if pending, err := migrate.PendingIn(ctx, pool); err != nil || pending {
			t.Fatalf("after migrate, through the pool: pending = %v, %v; want false, nil", pending, err)
		}
	}
	if n := pool.Stat().NewConnsCount(); n != 1 {
		t.Fatalf("21 checks through the pool opened %d connections, want 1", n)
	}

	stdout.Reset()
	if err := run(ctx, []string{"migrate"}, env, &stdout, &logtest.Sink{}); err != nil {
		t.Fatalf("second migrate: %v", err)
	}
	if got := stdout.String(); got != "applied 0 migrations\n" {
		t.Errorf("second migrate printed %q, want %q", got, "applied 0 migrations\n")
	}
}

func TestMigrateUnreachableDatabase(t *testing.T) {
	env := envOf(map[string]string{"DATABASE_URL": "postgres://nobody:nothing@127.0.0.1:1/none?sslmode=disable&connect_timeout=5"})
	if err := run(context.Background(), []string{"migrate"}, env, &bytes.Buffer{}, &logtest.Sink{}); err == nil {
		t.Fatal("migrate against a closed port succeeded")
	}
}
