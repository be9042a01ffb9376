package main

import (
	"context"
	"errors"
	"io"
	"slices"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/orderflow/orderflow/platform/dbtest"
	"github.com/orderflow/orderflow/platform/logtest"
	"github.com/orderflow/orderflow/sagas/fulfillment"
	"github.com/orderflow/orderflow/sagas/fulfillment/runner"
)

// TestServeStopsWhenAPartFailsForGood: a saga runner that cannot run (a
// live runner of another partition count shares the database) fails for
// good at once; serve logs it as an ERROR, stops in order and returns the
// error (main exits 1) instead of serving on without its saga.
func TestServeStopsWhenAPartFailsForGood(t *testing.T) {
	dbURL := dbtest.New(t)
	env := envOf(map[string]string{"DATABASE_URL": dbURL, "ORDERFLOW_JWT_SECRET": testJWTSecret})
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	if err := run(ctx, []string{"migrate"}, env, io.Discard, &logtest.Sink{}); err != nil {
		t.Fatal(err)
	}
	conn, err := pgx.Connect(ctx, dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, `INSERT INTO sagas.runners (saga, owner, partitions, expires_at) VALUES ($1, 'elsewhere', $2, now() + interval '1 hour')`,
		fulfillment.Category, runner.DefaultPartitions+1); err != nil {
		t.Fatal(err)
	}

	logs := &logtest.Sink{}
	err = run(ctx, []string{"serve", "--addr", "127.0.0.1:0", "--roles", "sagas"}, env, io.Discard, logs)
	if !errors.Is(err, runner.ErrPartitionCount) || ctx.Err() != nil {
		t.Fatalf("serve returned %v (context: %v), want the saga's ErrPartitionCount on its own", err, ctx.Err())
	}
	rec := logs.WaitFor(t, "fulfillment saga failed for good; stopping the process", 0)
	if rec["level"] != "ERROR" {
		t.Errorf("logged %v, want an ERROR line", rec)
	}
	var msgs []string
	for _, r := range logs.Records(t) {
		msgs = append(msgs, r["msg"].(string))
	}
	failed := slices.Index(msgs, "fulfillment saga failed for good; stopping the process")
	httpStopped, rolesStopped := slices.Index(msgs, "http server stopped"), slices.Index(msgs, "roles stopped")
	if httpStopped < failed || rolesStopped < httpStopped || slices.Contains(msgs, "orderflow stopped") {
		t.Errorf("logged %q; want the failure, then the HTTP server and the roles stopped, and no clean stop", msgs)
	}
}
