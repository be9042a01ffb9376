package read_test

import (
	"context"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/orderflow/orderflow/read"
)

// TestNewRefusesABadConfig: New needs a pool and limits that are not
// negative.
func TestNewRefusesABadConfig(t *testing.T) {
	pool, err := pgxpool.New(context.Background(), "postgres://nobody@127.0.0.1:1/none") // never dialled
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	for name, cfg := range map[string]read.Config{
		"no pool":         {},
		"negative limits": {Pool: pool, Limits: read.Limits{MaxDepth: -1}},
	} {
		if h, err := read.New(cfg); err == nil || h != nil {
			t.Errorf("%s: New = %v, %v; want an error", name, h, err)
		}
	}
	if _, err := read.New(read.Config{Pool: pool}); err != nil {
		t.Fatalf("defaults: %v", err)
	}
	if d := read.DefaultLimits(); d.MaxBodyBytes != 64<<10 || d.MaxQueryBytes != 8<<10 || d.MaxDepth != 10 || d.MaxFirst != 100 || d.MaxCost != 25_000 {
		t.Fatalf("DefaultLimits() = %+v", d)
	}
}
