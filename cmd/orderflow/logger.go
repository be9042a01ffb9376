package main

import (
	"io"
	"log/slog"

	"github.com/orderflow/orderflow/platform/requestid"
)

// newLogger returns the structured logger every part of orderflow logs
// through: one JSON object a line on w, from level up, each line logged
// while handling a request carrying its request_id and user.
func newLogger(w io.Writer, level slog.Level) *slog.Logger {
	return slog.New(requestid.NewLogHandler(slog.NewJSONHandler(w, &slog.HandlerOptions{Level: level})))
}
