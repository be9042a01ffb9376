package main

import (
	"context"

	"github.com/orderflow/orderflow/eventstore"
)

// eventCounter is an event store that counts the events of its log
// cheaply (the PostgreSQL one does).
type eventCounter interface {
	Count(ctx context.Context) (int64, error)
}

// logCounter returns what counts the events of the global log, for the
// totals (and so the ETAs) of rebuilds' progress: the store's own count
// when it has one. Otherwise (EventStoreDB) it returns nil, which leaves
// the totals unknown.
func logCounter(store eventstore.Store) func(context.Context) (int64, error) {
	if c, ok := store.(eventCounter); ok {
		return c.Count
	}
	return nil
}
