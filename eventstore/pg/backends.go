package pg

import (
	"context"
	"sync"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// backends is the set of server processes behind a store's pool. A NOTIFY
// sent by one of them announces this store's own appends, whose local
// subscribers the append has woken already, by category: the listener
// lets it pass instead of waking every subscription of the process.
type backends struct {
	mu   sync.Mutex
	pids map[uint32]struct{}
}

// track makes cfg's pool record each connection's backend while it is open.
func (b *backends) track(cfg *pgxpool.Config) {
	b.pids = make(map[uint32]struct{})
	cfg.AfterConnect = func(_ context.Context, c *pgx.Conn) error {
		b.mu.Lock()
		b.pids[c.PgConn().PID()] = struct{}{}
		b.mu.Unlock()
		return nil
	}
	cfg.BeforeClose = func(c *pgx.Conn) {
		b.mu.Lock()
		delete(b.pids, c.PgConn().PID())
		b.mu.Unlock()
	}
}

// has reports whether pid serves one of the pool's connections.
func (b *backends) has(pid uint32) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	_, ok := b.pids[pid]
	return ok
}
