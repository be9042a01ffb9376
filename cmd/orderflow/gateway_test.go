package main

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/orderflow/orderflow/platform/auth"
	"github.com/orderflow/orderflow/platform/dbtest"
	"github.com/orderflow/orderflow/platform/logtest"
)

func TestServeRefusesToStartWithoutAJWTKey(t *testing.T) {
	env := envOf(map[string]string{"DATABASE_URL": dbtest.New(t)})
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	err := run(ctx, []string{"serve", "--addr", "127.0.0.1:0"}, env, io.Discard, &logtest.Sink{})
	if !errors.Is(err, errNoJWTKey) {
		t.Fatalf("serve without a key returned %v, want errNoJWTKey", err)
	}
	// Roles without the API need no key.
	ctx, cancel = context.WithCancel(context.Background())
	logs := &logtest.Sink{}
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"serve", "--addr", "127.0.0.1:0", "--roles", "projections,sagas"}, env, io.Discard, logs)
	}()
	logs.WaitFor(t, "http server listening", 30*time.Second)
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("serve --roles projections,sagas: %v", err)
	}
}

func TestInsecureDevLogsAWorkingAdminToken(t *testing.T) {
	env := envOf(map[string]string{"DATABASE_URL": dbtest.New(t), "ORDERFLOW_DEV_SECRET_FILE": filepath.Join(t.TempDir(), "dev-jwt-secret")})
	ctx, cancel := context.WithCancel(context.Background())
	logs := &logtest.Sink{}
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"serve", "--addr", "127.0.0.1:0", "--insecure-dev"}, env, io.Discard, logs)
	}()
	defer func() { cancel(); <-done }()
	token, _ := logs.WaitFor(t, devTokensMessage, 30*time.Second)["admin_token"].(string)
	base := "http://" + logs.WaitFor(t, "http server listening", 30*time.Second)["addr"].(string)

	status := func(token string) int {
		req, _ := http.NewRequest(http.MethodGet, base+"/api/v1/admin/projections/", nil)
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		return res.StatusCode
	}
	if got := status(token); got != http.StatusOK {
		t.Fatalf("the logged admin token got %d from the admin API, want 200", got)
	}
	if got := status(""); got != http.StatusUnauthorized {
		t.Fatalf("no token got %d, want 401", got)
	}
	other, err := auth.Mint([]byte(testJWTSecret), "orderflow", "orderflow-api", "admin", auth.RoleAdmin, time.Hour, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if got := status(other); got != http.StatusUnauthorized {
		t.Fatalf("a token signed with another secret got %d, want 401", got)
	}
}

func TestGatewayInFrontOfTheAPIs(t *testing.T) {
	s := startServe(t, dbtest.New(t))
	admin, err := auth.Mint([]byte(testJWTSecret), "orderflow", "orderflow-api", "ops", auth.RoleAdmin, time.Hour, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	customer, err := auth.Mint([]byte(testJWTSecret), "orderflow", "orderflow-api", "c-1", auth.RoleCustomer, time.Hour, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	do := func(method, path, token, body string, header ...string) *http.Response {
		t.Helper()
		req, _ := http.NewRequest(method, s.base+path, strings.NewReader(body))
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		if body != "" {
			req.Header.Set("Content-Type", "application/json")
		}
		for i := 0; i+1 < len(header); i += 2 {
			req.Header.Set(header[i], header[i+1])
		}
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, res.Body)
		res.Body.Close()
		return res
	}
	tests := []struct {
		name, method, path, token, body string
		want                            int
	}{
		{"admin endpoints need a token", http.MethodGet, "/api/v1/admin/projections/", "", "", http.StatusUnauthorized},
		{"admin endpoints refuse customers", http.MethodGet, "/api/v1/admin/projections/", customer, "", http.StatusForbidden},
		{"admin endpoints serve admins", http.MethodGet, "/api/v1/admin/projections/", admin, "", http.StatusOK},
		{"a bad token is refused", http.MethodGet, "/api/v1/admin/projections/", "not.a.token", "", http.StatusUnauthorized},
		{"GraphQL answers", http.MethodPost, "/api/v1/graphql", customer, `{"query":"{ products(first: 1) { edges { node { sku } } } }"}`, http.StatusOK},
		{"payment provider reports need an admin", http.MethodGet, "/api/v1/admin/payment-provider", customer, "", http.StatusForbidden},
		{"payment provider reports serve admins", http.MethodGet, "/api/v1/admin/payment-provider", admin, "", http.StatusOK},
		{"health needs no token", http.MethodGet, "/healthz", "", "", http.StatusOK},
		{"metrics need no token", http.MethodGet, "/metrics", "", "", http.StatusOK},
	}
	for _, tt := range tests {
		if res := do(tt.method, tt.path, tt.token, tt.body); res.StatusCode != tt.want {
			t.Errorf("%s: %s %s = %d, want %d", tt.name, tt.method, tt.path, res.StatusCode, tt.want)
		}
	}
	res := do(http.MethodGet, "/healthz", "", "", "X-Request-ID", "trace-me-42")
	if got := res.Header.Get("X-Request-ID"); got != "trace-me-42" {
		t.Errorf("X-Request-ID = %q, want the inbound one", got)
	}
	res = do(http.MethodGet, "/healthz", "", "", "X-Request-ID", strings.Repeat("x", 500))
	if got := res.Header.Get("X-Request-ID"); len(got) != 36 {
		t.Errorf("an oversized X-Request-ID came back as %q, want a fresh UUID", got)
	}
}

// TestCORS: browsers on a configured origin may call the APIs; other
// origins get no CORS headers; health checks are not cross-origin APIs.
func TestCORS(t *testing.T) {
	s := startSystem(t, dbtest.New(t), map[string]string{"ORDERFLOW_CORS_ORIGINS": "https://shop.example"})
	preflight := func(origin string) *http.Response {
		req, _ := http.NewRequest(http.MethodOptions, s.base+graphqlPath, nil)
		req.Header.Set("Origin", origin)
		req.Header.Set("Access-Control-Request-Method", http.MethodPost)
		req.Header.Set("Access-Control-Request-Headers", "authorization, content-type, x-min-position")
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		return res
	}
	res := preflight("https://shop.example")
	if res.Header.Get("Access-Control-Allow-Origin") != "https://shop.example" ||
		!strings.Contains(strings.ToLower(res.Header.Get("Access-Control-Allow-Headers")), "x-min-position") {
		t.Fatalf("preflight from the shop: %d %v", res.StatusCode, res.Header)
	}
	if res := preflight("https://evil.example"); res.Header.Get("Access-Control-Allow-Origin") != "" {
		t.Fatalf("preflight from another origin allowed: %v", res.Header)
	}
}

func TestRequestTimeoutAnswersAProblem(t *testing.T) {
	slow := requestTimeout(50 * time.Millisecond)(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		<-r.Context().Done() // gives up without answering
	}))
	quick := requestTimeout(time.Second)(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusNoContent)
	}))
	for _, tt := range []struct {
		name    string
		h       http.Handler
		status  int
		problem bool
	}{{"slow", slow, http.StatusGatewayTimeout, true}, {"quick", quick, http.StatusNoContent, false}} {
		srv := httptest.NewServer(tt.h)
		res, err := http.Get(srv.URL)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		srv.Close()
		if res.StatusCode != tt.status || (res.Header.Get("Content-Type") == "application/problem+json") != tt.problem {
			t.Errorf("%s: %d %s %s", tt.name, res.StatusCode, res.Header.Get("Content-Type"), body)
		}
		if tt.problem && !strings.Contains(string(body), "the request took longer than 50ms; try again") {
			t.Errorf("%s: body %s", tt.name, body)
		}
	}
}
