package adminapi_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/orderflow/orderflow/eventstore"
	"github.com/orderflow/orderflow/eventstore/pg"
	"github.com/orderflow/orderflow/platform/dbtest"
	"github.com/orderflow/orderflow/projections"
	"github.com/orderflow/orderflow/projections/adminapi"
)

// follower is a projections.Consumer that does nothing.
type follower struct{}

func (follower) Name() string           { return "follower" }
func (follower) Version() int           { return 1 }
func (follower) Tables(string) []string { return nil }
func (follower) Views() []string        { return nil }
func (follower) Consumer()              {}
func (follower) Apply(context.Context, *projections.Writer, eventstore.RecordedEvent) error {
	return nil
}

// TestConsumerNotRebuildable: a consumer shows in the status flagged as
// one, and a rebuild of it is refused with 409 not-rebuildable.
func TestConsumerNotRebuildable(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	dbURL := dbtest.New(t)
	store, err := pg.New(ctx, pg.Config{DatabaseURL: dbURL, PollInterval: 20 * time.Millisecond, MaxConns: 4})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	pool, err := pgxpool.New(ctx, dbURL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	m, err := projections.New(projections.Config{Pool: pool, Store: store, Elsewhere: []projections.Projection{follower{}}})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(http.StripPrefix(adminapi.Prefix, adminapi.New(adminapi.Config{Manager: m, Jobs: ctx}).Routes()))
	t.Cleanup(srv.Close)
	e := &env{url: srv.URL}

	var p struct{ Type, Detail string }
	e.do(t, http.MethodPost, "/follower/rebuild", http.StatusConflict, &p)
	if p.Type != "urn:orderflow:problem:not-rebuildable" {
		t.Fatalf("rebuild of a consumer: %+v, want not-rebuildable", p)
	}
	var st struct {
		Projections []struct {
			Name     string
			Consumer bool
		}
	}
	e.do(t, http.MethodGet, "/", http.StatusOK, &st)
	if len(st.Projections) != 1 || st.Projections[0].Name != "follower" || !st.Projections[0].Consumer {
		t.Fatalf("status %+v, want the follower flagged as a consumer", st)
	}
}
