package read_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"reflect"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/orderflow/orderflow/platform/auth"
	"github.com/orderflow/orderflow/platform/logtest"
	"github.com/orderflow/orderflow/platform/ratelimit"
	"github.com/orderflow/orderflow/projections"
	"github.com/orderflow/orderflow/projections/readmodels"
	"github.com/orderflow/orderflow/projections/readmodels/readmodelstest"
	"github.com/orderflow/orderflow/read"
	"github.com/orderflow/orderflow/write/money"
)

// env is the GraphQL API over a real socket, on a fresh database whose
// read models the real projections fill from events the write side
// appends.
type env struct {
	*readmodelstest.Env
	t       *testing.T
	url     string
	queries *queryCounter
	manager *projections.Manager
	logs    *logtest.Sink
	h       *read.Handler
}

// options change what newEnv builds.
type options struct {
	config      read.Config
	projections bool               // run the read models' projections
	limiter     *ratelimit.Limiter // in front of the handler, after the principal
}

// withLimiter puts a rate limiter with cfg in front of the handler, as
// the gateway does.
func withLimiter(t testing.TB, cfg ratelimit.Config) func(*options) {
	l, err := ratelimit.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return func(o *options) { o.limiter = l }
}

func withConfig(cfg read.Config) func(*options) {
	return func(o *options) { o.config = cfg }
}

func withoutProjections() func(*options) {
	return func(o *options) { o.projections = false }
}

func newEnv(t *testing.T, opts ...func(*options)) *env {
	t.Helper()
	o := options{projections: true}
	for _, f := range opts {
		f(&o)
	}
	e := &env{Env: readmodelstest.New(t), t: t, queries: &queryCounter{}, logs: &logtest.Sink{}}
	if o.projections {
		e.manager = e.Manager("read-test", readmodels.All()...)
		e.Run(e.manager)
	}

	cfg, err := pgxpool.ParseConfig(e.URL)
	if err != nil {
		t.Fatal(err)
	}
	cfg.ConnConfig.Tracer = e.queries
	cfg.MaxConns = 8
	pool, err := pgxpool.NewWithConfig(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)

	hc := o.config
	hc.Pool = pool
	if hc.Status == nil && e.manager != nil {
		hc.Status = e.manager.Status
	}
	if hc.Logger == nil {
		hc.Logger = slog.New(slog.NewJSONHandler(e.logs, nil))
	}
	if hc.Events == nil {
		hc.Events = e.Store
	}
	h, err := read.New(hc)
	if err != nil {
		t.Fatal(err)
	}
	e.h = h
	var served http.Handler = h
	if o.limiter != nil {
		served = o.limiter.Middleware(h)
	}
	srv := httptest.NewServer(asPrincipal(served))
	t.Cleanup(srv.Close)
	e.url = srv.URL + "/api/v1/graphql"
	return e
}

// The callers tests act as, by the header asHeader: "customer:ID" or
// "admin:ID"; no header is anonymous.
const asHeader = "X-Test-As"

// asPrincipal is the tests' stand-in for the gateway: it puts the
// principal the request names into its context.
func asPrincipal(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if as := r.Header.Get(asHeader); as != "" {
			role, subject, _ := strings.Cut(as, ":")
			r = r.WithContext(auth.WithPrincipal(r.Context(), auth.Principal{Subject: subject, Role: auth.Role(role)}))
		}
		next.ServeHTTP(w, r)
	})
}

// Callers.
const (
	admin     = "admin:ops-1"
	anonymous = ""
)

func customer(id string) string { return "customer:" + id }

// queryCounter counts the SQL statements the handler's pool runs.
type queryCounter struct{ n atomic.Int64 }

// TraceQueryStart counts a statement.
func (c *queryCounter) TraceQueryStart(ctx context.Context, _ *pgx.Conn, _ pgx.TraceQueryStartData) context.Context {
	c.n.Add(1)
	return ctx
}

// TraceQueryEnd does nothing.
func (c *queryCounter) TraceQueryEnd(context.Context, *pgx.Conn, pgx.TraceQueryEndData) {}

// response is an answer read whole.
type response struct {
	status int
	header http.Header
	body   []byte
}

// gqlResponse is a GraphQL response body.
type gqlResponse struct {
	Data       json.RawMessage  `json:"data"`
	Errors     []map[string]any `json:"errors"`
	Extensions map[string]any   `json:"extensions"`
}

func (r response) gql(t testing.TB) gqlResponse {
	t.Helper()
	var g gqlResponse
	if err := json.Unmarshal(r.body, &g); err != nil {
		t.Fatalf("response %d %q is not a GraphQL response: %v", r.status, r.body, err)
	}
	return g
}

// request is a GraphQL request as a client sends it.
type request struct {
	Query         string         `json:"query"`
	Variables     map[string]any `json:"variables,omitempty"`
	OperationName string         `json:"operationName,omitempty"`
}

// do posts a GraphQL request as the caller, with extra headers (name,
// value, ...).
func (e *env) do(as string, req request, headers ...string) response {
	e.t.Helper()
	body, err := json.Marshal(req)
	if err != nil {
		e.t.Fatal(err)
	}
	return e.send(http.MethodPost, "", body, append([]string{"Content-Type", "application/json", asHeader, as}, headers...)...)
}

// send sends a raw request; query is the URL's query string.
func (e *env) send(method, query string, body []byte, headers ...string) response {
	e.t.Helper()
	u := e.url
	if query != "" {
		u += "?" + query
	}
	req, err := http.NewRequest(method, u, bytes.NewReader(body))
	if err != nil {
		e.t.Fatal(err)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		if headers[i+1] != "" {
			req.Header.Set(headers[i], headers[i+1])
		}
	}
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

// get sends a GET request with the parameters.
func (e *env) get(as string, params url.Values) response {
	e.t.Helper()
	return e.send(http.MethodGet, params.Encode(), nil, asHeader, as)
}

// data runs query as the caller and returns its data, failing the test on
// any error in the response.
func (e *env) data(as, query string, vars map[string]any, headers ...string) json.RawMessage {
	e.t.Helper()
	r := e.do(as, request{Query: query, Variables: vars}, headers...)
	g := r.gql(e.t)
	if r.status != http.StatusOK || len(g.Errors) > 0 {
		e.t.Fatalf("query %s: %d %s", query, r.status, r.body)
	}
	return g.Data
}

// sameJSON fails the test unless got and want hold the same JSON value.
func sameJSON(t testing.TB, got []byte, want string) {
	t.Helper()
	var g, w any
	if err := json.Unmarshal(got, &g); err != nil {
		t.Fatalf("got %q: %v", got, err)
	}
	if err := json.Unmarshal([]byte(want), &w); err != nil {
		t.Fatalf("want %q: %v", want, err)
	}
	if !reflect.DeepEqual(g, w) {
		var gi, wi bytes.Buffer
		_ = json.Indent(&gi, got, "", "  ")
		_ = json.Indent(&wi, []byte(want), "", "  ")
		t.Fatalf("got\n%s\nwant\n%s", gi.String(), wi.String())
	}
}

// fresh is the header that makes a request wait for everything written
// through the env so far.
func (e *env) fresh() []string {
	return []string{"X-Min-Position", e.Last().String()}
}

// ts formats t as the API does.
func ts(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) }

// eur is amount cents of euro.
func eur(amount int64) money.Money { return money.Money{Amount: amount, Currency: "EUR"} }

// allProjections names the read models' projections.
var allProjections = []string{"orders", "products", "customers", "fulfillment", "order_timeline", "customer_notifications"}
