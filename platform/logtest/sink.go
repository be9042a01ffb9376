// Package logtest captures the logs of the code under test: a Sink is the
// io.Writer a JSON slog handler writes to, read back as records while it
// is being written.
package logtest

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"sync"
	"testing"
	"time"
)

// Sink collects JSON log lines, one object a line, as slog.JSONHandler
// writes them. The zero value is empty and ready; it is safe for
// concurrent use.
type Sink struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

// Write appends p to the sink.
func (s *Sink) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.buf.Write(p)
}

// Logger returns a logger that writes JSON lines to s, from level Debug up.
func (s *Sink) Logger() *slog.Logger {
	return slog.New(slog.NewJSONHandler(s, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

// Records decodes the complete lines written so far, in order; a line
// still being written is left out. It fails t when a line is not a JSON
// object.
func (s *Sink) Records(t testing.TB) []map[string]any {
	t.Helper()
	s.mu.Lock()
	data := bytes.Clone(s.buf.Bytes())
	s.mu.Unlock()
	var recs []map[string]any
	for line := range bytes.Lines(data) {
		if line[len(line)-1] != '\n' {
			break
		}
		if len(bytes.TrimSpace(line)) == 0 {
			continue
		}
		var rec map[string]any
		if err := json.Unmarshal(line, &rec); err != nil {
			t.Fatalf("log line %q is not a JSON object: %v", line, err)
		}
		recs = append(recs, rec)
	}
	return recs
}

// Warnings returns the records of level WARN written so far.
func (s *Sink) Warnings(t testing.TB) []map[string]any {
	t.Helper()
	var out []map[string]any
	for _, rec := range s.Records(t) {
		if rec[slog.LevelKey] == slog.LevelWarn.String() {
			out = append(out, rec)
		}
	}
	return out
}

// WaitFor returns the first record whose message is msg, waiting for it
// up to timeout; it fails t, with every line written, when none comes.
func (s *Sink) WaitFor(t testing.TB, msg string, timeout time.Duration) map[string]any {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		for _, rec := range s.Records(t) {
			if rec[slog.MessageKey] == msg {
				return rec
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("no log record %q within %v; logs:\n%s", msg, timeout, s.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// String returns everything written so far.
func (s *Sink) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.buf.String()
}
