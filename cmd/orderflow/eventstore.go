package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"

	"github.com/orderflow/orderflow/eventstore"
	"github.com/orderflow/orderflow/eventstore/pg"
)

// errNoEventStoreDB is returned while this build has no EventStoreDB
// adapter to open.
var errNoEventStoreDB = errors.New("EVENTSTORE_URL is set but this build has no EventStoreDB adapter yet; unset it to use the PostgreSQL event store")

// openEventStore opens the event store cfg names: EventStoreDB when
// EventStoreURL is set, the PostgreSQL event store in DatabaseURL (whose
// schema must be migrated) otherwise.
func openEventStore(ctx context.Context, cfg Config, logger *slog.Logger) (eventstore.Store, error) {
	logger = logger.With("component", "eventstore")
	if cfg.EventStoreURL != "" {
		return nil, fmt.Errorf("open EventStoreDB event store: %w", errNoEventStoreDB)
	}
	s, err := pg.New(ctx, pg.Config{DatabaseURL: cfg.DatabaseURL, Logger: logger})
	if err != nil {
		return nil, fmt.Errorf("open PostgreSQL event store: %w", err)
	}
	return s, nil
}

// eventStoreKind names the event store cfg selects, for logs.
func eventStoreKind(cfg Config) string {
	if cfg.EventStoreURL != "" {
		return "eventstoredb"
	}
	return "postgresql"
}
