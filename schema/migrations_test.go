package schema_test

import (
	"context"
	"testing"
	"time"

	"github.com/orderflow/orderflow/platform/dbtest"
	"github.com/orderflow/orderflow/platform/migrate"
)

// TestMigrationsDownAndUp applies every migration to an empty database,
// takes them all back down, one at a time, and applies them again: every
// down undoes its up far enough for the up to run again, so a release can
// be rolled back step by step.
func TestMigrationsDownAndUp(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	p, db, err := migrate.Provider(dbtest.NewEmpty(t))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	sources := p.ListSources()
	latest := sources[len(sources)-1].Version
	if _, err := p.Up(ctx); err != nil {
		t.Fatalf("up: %v", err)
	}
	downs := 0
	for {
		r, err := p.Down(ctx)
		if err != nil {
			if v, verr := p.GetDBVersion(ctx); verr == nil && v == 0 {
				break // nothing left to take down
			}
			t.Fatalf("down after %d: %v", downs, err)
		}
		if r == nil {
			break
		}
		downs++
	}
	if downs != len(sources) {
		t.Fatalf("took %d migrations down, want all %d", downs, len(sources))
	}
	if _, err := p.Up(ctx); err != nil {
		t.Fatalf("up again: %v", err)
	}
	if v, err := p.GetDBVersion(ctx); err != nil || v != latest {
		t.Fatalf("version after up again: %d, %v; want %d", v, err, latest)
	}
}
