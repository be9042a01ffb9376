package projections

import (
	"context"
	"fmt"
	"hash/fnv"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
)

// rebuildLock is the session-level advisory lock a rebuild of one
// projection holds from start to end, so that two never run at once. It
// lives on a connection of its own: when the process dies, PostgreSQL ends
// the session and the lock with it, and a new rebuild can start at once.
type rebuildLock struct {
	conn *pgxpool.Conn
	key  int64
}

// rebuildKey is the advisory lock key of name's rebuilds.
func rebuildKey(name string) int64 {
	h := fnv.New64a()
	h.Write([]byte("orderflow/projections/rebuild/" + name))
	return int64(h.Sum64())
}

// lockRebuild takes the rebuild lock of name without waiting. It returns
// ErrRebuildRunning when another session holds it.
func (m *Manager) lockRebuild(ctx context.Context, name string) (*rebuildLock, error) {
	conn, err := m.pool.Acquire(ctx)
	if err != nil {
		return nil, fmt.Errorf("rebuild %s: lock: %w", name, err)
	}
	key := rebuildKey(name)
	var ok bool
	if err := conn.QueryRow(ctx, `SELECT pg_try_advisory_lock($1)`, key).Scan(&ok); err != nil {
		conn.Release()
		return nil, fmt.Errorf("rebuild %s: lock: %w", name, err)
	}
	if !ok {
		conn.Release()
		return nil, fmt.Errorf("rebuild %s: %w", name, ErrRebuildRunning)
	}
	return &rebuildLock{conn: conn, key: key}, nil
}

// release gives the lock up. When that fails it closes the connection,
// which ends the lock too.
func (l *rebuildLock) release() {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if _, err := l.conn.Exec(ctx, `SELECT pg_advisory_unlock($1)`, l.key); err != nil {
		_ = l.conn.Conn().Close(ctx)
	}
	l.conn.Release()
}

// lockKeyParts splits a bigint advisory key the way pg_locks shows it.
func lockKeyParts(key int64) (classid, objid uint32) {
	return uint32(uint64(key) >> 32), uint32(uint64(key))
}
