package pg_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/orderflow/orderflow/eventstore"
	"github.com/orderflow/orderflow/eventstore/eventstoretest"
	"github.com/orderflow/orderflow/eventstore/pg"
	"github.com/orderflow/orderflow/platform/dbtest"
)

func TestContract(t *testing.T) {
	eventstoretest.TestContract(t, func(t testing.TB) eventstore.Store {
		return newHeldStore(t)
	})
}

// heldStore is the PostgreSQL store plus AppendHeld, which the gap harness
// uses to keep append transactions open and roll some back.
type heldStore struct {
	*pg.Store
	pool *pgxpool.Pool
}

var _ eventstoretest.HeldAppender = heldStore{}

func newStore(t testing.TB) (*pg.Store, string) {
	t.Helper()
	url := dbtest.New(t)
	s, err := pg.New(context.Background(), pg.Config{DatabaseURL: url, PollInterval: 50 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s, url
}

func newHeldStore(t testing.TB) heldStore {
	t.Helper()
	s, url := newStore(t)
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		t.Fatal(err)
	}
	cfg.MaxConns = 24
	pool, err := pgxpool.NewWithConfig(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	return heldStore{Store: s, pool: pool}
}

func (h heldStore) AppendHeld(ctx context.Context, stream string, expected eventstore.ExpectedRevision, hold time.Duration, rollback bool, events ...eventstore.EventData) (eventstore.AppendResult, error) {
	tx, err := h.pool.Begin(ctx)
	if err != nil {
		return eventstore.AppendResult{}, err
	}
	defer tx.Rollback(ctx)
	res, err := h.AppendTx(ctx, tx, stream, expected, events...)
	if err != nil {
		return res, err
	}
	time.Sleep(hold)
	if rollback {
		return eventstore.AppendResult{}, fmt.Errorf("append to %s: %w", stream, eventstoretest.ErrRolledBack)
	}
	if err := tx.Commit(ctx); err != nil {
		return eventstore.AppendResult{}, err
	}
	h.Notify()
	return res, nil
}

func TestAppendAfterClose(t *testing.T) {
	s, _ := newStore(t)
	s.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_, err := s.Append(ctx, "order-1", eventstore.Any, eventstoretest.Event("e", 1))
	if !errors.Is(err, pg.ErrClosed) || !errors.Is(err, eventstore.ErrUnavailable) {
		t.Fatalf("append after close: %v, want pg.ErrClosed, an eventstore.ErrUnavailable", err)
	}
}
