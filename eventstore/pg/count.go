package pg

import (
	"context"
	"fmt"
)

// countSQL counts the events of the log: a scan of the table, cheap
// enough once per rebuild.
const countSQL = `SELECT count(*) FROM eventstore.events`

// Count returns how many events the log holds, committed ones only. It
// scans the events table, so it is meant for occasional use such as the
// total of a rebuild's progress. It is safe for concurrent use.
func (s *Store) Count(ctx context.Context) (int64, error) {
	var n int64
	if err := s.pool.QueryRow(ctx, countSQL).Scan(&n); err != nil {
		return 0, fmt.Errorf("count events: %w", err)
	}
	return n, nil
}
