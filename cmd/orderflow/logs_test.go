package main

import (
	"bytes"
	"encoding/json"
	"sync"
	"testing"
	"time"
)

// logSink is a stderr for run that tests can read while it writes. Every
// line written must be a JSON object.
type logSink struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (s *logSink) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.buf.Write(p)
}

// records decodes the complete lines written so far.
func (s *logSink) records(t testing.TB) []map[string]any {
	t.Helper()
	s.mu.Lock()
	data := bytes.Clone(s.buf.Bytes())
	s.mu.Unlock()
	var recs []map[string]any
	for line := range bytes.Lines(data) {
		if line[len(line)-1] != '\n' {
			break
		}
		var rec map[string]any
		if err := json.Unmarshal(line, &rec); err != nil {
			t.Fatalf("log line %q is not a JSON object: %v", line, err)
		}
		recs = append(recs, rec)
	}
	return recs
}

// waitFor returns the first record whose msg is msg, failing the test when
// none is written within timeout.
func (s *logSink) waitFor(t testing.TB, msg string, timeout time.Duration) map[string]any {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		for _, rec := range s.records(t) {
			if rec["msg"] == msg {
				return rec
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("no log record %q within %v; logs:\n%s", msg, timeout, s.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func (s *logSink) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.buf.String()
}
