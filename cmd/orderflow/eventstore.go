package main

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/orderflow/orderflow/eventstore"
	"github.com/orderflow/orderflow/eventstore/esdb"
	"github.com/orderflow/orderflow/eventstore/pg"
)

// openEventStore opens the event store cfg names: EventStoreDB when
// EventStoreURL is set, the PostgreSQL event store in DatabaseURL (whose
// schema must be migrated) otherwise. Either fails when its server does not
// answer.
func openEventStore(ctx context.Context, cfg Config, logger *slog.Logger) (eventstore.Store, error) {
	if cfg.EventStoreURL != "" {
		s, err := esdb.New(ctx, esdb.Config{URL: cfg.EventStoreURL, MaxAppendSize: cfg.MaxAppendSize, Logger: logger})
		if err != nil {
			return nil, fmt.Errorf("open EventStoreDB event store: %w", err)
		}
		return s, nil
	}
	s, err := pg.New(ctx, pg.Config{DatabaseURL: cfg.DatabaseURL, Logger: logger.With("component", "eventstore/pg")})
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
