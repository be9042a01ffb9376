package sandbox_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/orderflow/orderflow/paymentprovider/sandbox"
)

// start serves a new sandbox over a real socket for the test.
func start(t testing.TB, cfg sandbox.Config) (*sandbox.Sandbox, string) {
	t.Helper()
	sb := sandbox.New(cfg)
	srv := httptest.NewServer(sb)
	t.Cleanup(func() {
		sb.Close()
		srv.Close()
	})
	return sb, srv.URL
}

// reply is an answer as a test sees it.
type reply struct {
	status int
	header http.Header
	body   map[string]any
}

// str returns the body member name as a string.
func (r reply) str(name string) string {
	s, _ := r.body[name].(string)
	return s
}

// call sends method url with body (nil for none) and, when key is not
// empty, an Idempotency-Key; JSON bodies go as application/json.
func call(t testing.TB, method, url, key string, body any) reply {
	t.Helper()
	r, err := tryCall(method, url, key, body)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// tryCall is call for goroutines other than the test's.
func tryCall(method, url, key string, body any) (reply, error) {
	var rd io.Reader
	if body != nil {
		raw, ok := body.(string)
		if !ok {
			b, err := json.Marshal(body)
			if err != nil {
				return reply{}, err
			}
			raw = string(b)
		}
		rd = bytes.NewReader([]byte(raw))
	}
	req, err := http.NewRequest(method, url, rd)
	if err != nil {
		return reply{}, err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if key != "" {
		req.Header.Set("Idempotency-Key", key)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return reply{}, fmt.Errorf("%s %s: %w", method, url, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		return reply{}, err
	}
	r := reply{status: resp.StatusCode, header: resp.Header}
	if err := json.Unmarshal(raw, &r.body); err != nil {
		return reply{}, fmt.Errorf("%s %s: body %q is not a JSON object: %w", method, url, raw, err)
	}
	return r, nil
}

// wantProblem fails the test unless r is a problem with status and code.
func wantProblem(t testing.TB, r reply, status int, code string) {
	t.Helper()
	if r.status != status || r.header.Get("Content-Type") != "application/problem+json" || r.str("code") != code ||
		r.str("type") != sandbox.ProblemTypePrefix+code {
		t.Fatalf("got %d %s %v, want a %d problem with code %q", r.status, r.header.Get("Content-Type"), r.body, status, code)
	}
}

// clock is a settable clock for Config.Now.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func newClock() *clock { return &clock{now: time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// waitUntil polls cond until it holds, failing the test after a generous
// deadline; it asserts on states, not on speed.
func waitUntil(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("never: %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func charge(amount int64, reference string) map[string]any {
	return map[string]any{"amount": amount, "currency": "EUR", "reference": reference}
}
