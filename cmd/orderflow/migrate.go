package main

import (
	"context"
	"fmt"
	"io"

	"github.com/orderflow/orderflow/platform/migrate"
)

// runMigrate applies the pending database migrations and prints how many
// it applied.
func runMigrate(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	cfg, err := loadConfig("migrate", withDatabase, args, getenv, stderr)
	if err != nil {
		return err
	}
	n, err := migrate.Up(ctx, cfg.DatabaseURL, newLogger(stderr, cfg.LogLevel))
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "applied %d migrations\n", n)
	return nil
}
