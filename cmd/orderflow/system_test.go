package main

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/orderflow/orderflow/paymentprovider/sandbox"
	"github.com/orderflow/orderflow/platform/auth"
)

// system is a whole orderflow serve running in the test beside a real
// sandbox payment provider, with tokens to call it.
type testSystem struct {
	*server
	sandbox     *sandbox.Sandbox
	providerURL string
	admin       string
	customer    string
}

// startSystem runs serve in-process against databaseURL with the sandbox
// as its payment provider and the extra environment and flags given.
func startSystem(t *testing.T, databaseURL string, env map[string]string, args ...string) *testSystem {
	t.Helper()
	sb := sandbox.New(sandbox.Config{Seed: 1})
	provider := httptest.NewServer(sb)
	t.Cleanup(func() { sb.Close(); provider.Close() })

	vars := map[string]string{"DATABASE_URL": databaseURL, "ORDERFLOW_JWT_SECRET": testJWTSecret, "PAYMENT_PROVIDER_URL": provider.URL}
	for k, v := range env {
		vars[k] = v
	}
	s := startServeWith(t, vars, args...)
	mint := func(sub string, role auth.Role) string {
		tok, err := auth.Mint([]byte(testJWTSecret), "orderflow", "orderflow-api", sub, role, time.Hour, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		return tok
	}
	return &testSystem{server: s, sandbox: sb, providerURL: provider.URL, admin: mint("ops", auth.RoleAdmin), customer: mint("c-1", auth.RoleCustomer)}
}

// call sends a JSON request with token and decodes the JSON answer into
// out (when not nil); it fails the test unless the status is want.
func (s *testSystem) call(t *testing.T, method, path, token string, body any, want int, out any, header ...string) http.Header {
	t.Helper()
	return callJSON(t, s.base, method, path, token, body, want, out, header...)
}

// callJSON sends a JSON request to base+path with token (none when empty)
// and the header pairs, and decodes the JSON answer into out (when not
// nil); it fails the test unless the status is want. It returns the
// answer's header.
func callJSON(t *testing.T, base, method, path, token string, body any, want int, out any, header ...string) http.Header {
	t.Helper()
	var rd io.Reader
	if body != nil {
		raw, err := json.Marshal(body)
		if err != nil {
			t.Fatal(err)
		}
		rd = bytes.NewReader(raw)
	}
	req, err := http.NewRequest(method, base+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	if res.StatusCode != want {
		t.Fatalf("%s %s = %d %s, want %d", method, path, res.StatusCode, raw, want)
	}
	if out != nil {
		if err := json.Unmarshal(raw, out); err != nil {
			t.Fatalf("%s %s: %v in %s", method, path, err, raw)
		}
	}
	return res.Header
}

// graphql runs a query with token and decodes its data into out; it fails
// the test on any GraphQL error.
func (s *testSystem) graphql(t *testing.T, token, query string, vars map[string]any, out any, header ...string) {
	t.Helper()
	if errs := s.tryGraphQL(t, token, query, vars, out, header...); len(errs) > 0 {
		t.Fatalf("GraphQL errors: %v", errs)
	}
}

// tryGraphQL is graphql that returns the GraphQL errors' codes instead of
// failing on them (a read model not built yet answers NOT_READY).
func (s *testSystem) tryGraphQL(t *testing.T, token, query string, vars map[string]any, out any, header ...string) []string {
	t.Helper()
	var resp struct {
		Data   json.RawMessage
		Errors []struct {
			Message    string
			Extensions struct{ Code string }
		}
	}
	s.call(t, http.MethodPost, graphqlPath, token, map[string]any{"query": query, "variables": vars}, http.StatusOK, &resp, header...)
	if len(resp.Errors) > 0 {
		codes := make([]string, len(resp.Errors))
		for i, e := range resp.Errors {
			codes[i] = e.Extensions.Code + ": " + e.Message
		}
		return codes
	}
	if err := json.Unmarshal(resp.Data, out); err != nil {
		t.Fatalf("GraphQL data %s: %v", resp.Data, err)
	}
	return nil
}

// eventually polls check until it returns true, or fails the test after
// timeout.
func eventually(t *testing.T, timeout time.Duration, what string, check func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !check() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %v waiting for %s", timeout, what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
