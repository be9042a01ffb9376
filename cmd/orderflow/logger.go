package main

import (
	"io"
	"log/slog"
)

// newLogger returns the structured logger every part of orderflow logs
// through: one JSON object a line on w, from level up.
func newLogger(w io.Writer, level slog.Level) *slog.Logger {
	return slog.New(slog.NewJSONHandler(w, &slog.HandlerOptions{Level: level}))
}
