package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/orderflow/orderflow/eventstore"
	"github.com/orderflow/orderflow/eventstore/pg"
	"github.com/orderflow/orderflow/platform/auth"
	"github.com/orderflow/orderflow/platform/dbtest"
	"github.com/orderflow/orderflow/write/api"
	"github.com/orderflow/orderflow/write/command"
	"github.com/orderflow/orderflow/write/service"
)

// The verifier of the tests' API accepts HS256 tokens signed with
// testSecret for testIssuer and testAudience.
var testSecret = []byte("0123456789abcdef0123456789abcdef-test")

const (
	testIssuer   = "orderflow"
	testAudience = "orderflow-api"
	// testAdmin is the subject of the admin token requests carry unless
	// they say otherwise.
	testAdmin = "admin-1"
)

// env is a command API served over a real socket, on a fresh database,
// behind a real auth.Verifier.
type env struct {
	t     *testing.T
	url   string
	store eventstore.Store
	svc   *service.Service
	pool  *pgxpool.Pool
	admin string // Authorization header value of testAdmin
}

// newEnv serves the API behind the middleware mw, outermost first, and
// then the middleware of an auth.Verifier for testSecret, as the gateway
// does.
func newEnv(t *testing.T, mw ...func(http.Handler) http.Handler) *env {
	t.Helper()
	dbURL := dbtest.New(t)
	ctx := context.Background()
	store, err := pg.New(ctx, pg.Config{DatabaseURL: dbURL})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	pool, err := pgxpool.New(ctx, dbURL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	catalog := service.NewCatalog()
	catalogCtx, stopCatalog := context.WithCancel(ctx)
	go func() { _ = catalog.Run(catalogCtx, store) }()
	t.Cleanup(stopCatalog)
	svc := service.New(command.NewHandler(store, time.Now), catalog)
	verifier, err := auth.NewVerifier(auth.Config{Secret: testSecret, Issuer: testIssuer, Audience: testAudience})
	if err != nil {
		t.Fatal(err)
	}
	r := chi.NewRouter()
	r.Use(mw...)
	r.Use(verifier.Middleware)
	r.Mount(api.Prefix, api.New(api.Config{Service: svc, Pool: pool}).Routes())
	srv := httptest.NewServer(r)
	t.Cleanup(srv.Close)
	return &env{t: t, url: srv.URL + api.Prefix, store: store, svc: svc, pool: pool, admin: bearer(t, testAdmin, auth.RoleAdmin)}
}

// bearer returns the Authorization header value of a token for sub with
// role, valid for an hour.
func bearer(t testing.TB, sub string, role auth.Role) string {
	t.Helper()
	token, err := auth.Mint(testSecret, testIssuer, testAudience, sub, role, time.Hour, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	return "Bearer " + token
}

// customer returns the Authorization header value of customer sub.
func (e *env) customer(sub string) string {
	e.t.Helper()
	return bearer(e.t, sub, auth.RoleCustomer)
}

// response is an answer read whole.
type response struct {
	status int
	header http.Header
	body   []byte
}

func (r response) json(t *testing.T) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(r.body, &m); err != nil {
		t.Fatalf("response body %q is not a JSON object: %v", r.body, err)
	}
	return m
}

// post sends body (a string, []byte or anything JSON-encodable) with the
// given headers, name and value in turn; an empty value removes the
// header. Content-Type defaults to application/json and Authorization to
// the admin's token: pass "Authorization", "" for an anonymous request.
func (e *env) post(path string, body any, headers ...string) response {
	e.t.Helper()
	var raw []byte
	switch b := body.(type) {
	case string:
		raw = []byte(b)
	case []byte:
		raw = b
	default:
		var err error
		if raw, err = json.Marshal(b); err != nil {
			e.t.Fatal(err)
		}
	}
	req, err := http.NewRequest(http.MethodPost, e.url+path, bytes.NewReader(raw))
	if err != nil {
		e.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", e.admin)
	for i := 0; i+1 < len(headers); i += 2 {
		if headers[i+1] == "" {
			req.Header.Del(headers[i])
			continue
		}
		req.Header.Set(headers[i], headers[i+1])
	}
	return e.do(req)
}

// send sends a request with body (none when empty) and the Authorization
// header value authorization (none when empty: an anonymous request).
func (e *env) send(method, path, body, authorization string) response {
	e.t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, e.url+path, rd)
	if err != nil {
		e.t.Fatal(err)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if authorization != "" {
		req.Header.Set("Authorization", authorization)
	}
	return e.do(req)
}

func (e *env) do(req *http.Request) response {
	e.t.Helper()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		e.t.Fatal(err)
	}
	return response{status: resp.StatusCode, header: resp.Header, body: b}
}

// mustPost posts and fails the test unless the status is want.
func (e *env) mustPost(want int, path string, body any, headers ...string) response {
	e.t.Helper()
	r := e.post(path, body, headers...)
	if r.status != want {
		e.t.Fatalf("POST %s: status %d, want %d; body %s", path, r.status, want, r.body)
	}
	return r
}

// eventCount counts the events stored, committed ones all (the global
// log's readers may not show the newest yet).
func (e *env) eventCount() int {
	e.t.Helper()
	var n int
	if err := e.pool.QueryRow(context.Background(), `SELECT count(*) FROM eventstore.events`).Scan(&n); err != nil {
		e.t.Fatal(err)
	}
	return n
}

// stream reads a whole stream.
func (e *env) stream(name string) []eventstore.RecordedEvent {
	e.t.Helper()
	events, err := e.store.ReadStream(context.Background(), name, eventstore.ReadOptions{Count: 1000})
	if err != nil {
		e.t.Fatalf("read %s: %v", name, err)
	}
	return events
}

// catalog registers SKU-1 at 19.99 EUR and SKU-2 at 5.00 EUR, each with
// stock.
func (e *env) catalog() {
	e.t.Helper()
	e.mustPost(202, "/products", `{"sku":"SKU-1","name":"Widget","price":{"amount":1999,"currency":"EUR"}}`)
	e.mustPost(202, "/products", `{"sku":"SKU-2","name":"Gadget","price":{"amount":500,"currency":"EUR"}}`)
	e.mustPost(202, "/products/SKU-1/stock", `{"quantity":10}`)
	e.mustPost(202, "/products/SKU-2/stock", `{"quantity":10}`)
}

const validOrder = `{"customerId":"c-1","lines":[{"sku":"SKU-1","quantity":2}],"shippingAddress":{"name":"A. Buyer","line1":"1 Main St","city":"Berlin","postalCode":"10115","country":"DE"}}`
