package read_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/orderflow/orderflow/projections"
	"github.com/orderflow/orderflow/projections/orderview"
	"github.com/orderflow/orderflow/projections/productview"
	"github.com/orderflow/orderflow/projections/readmodels/readmodelstest"
	"github.com/orderflow/orderflow/read"
	"github.com/orderflow/orderflow/write/command"
	"github.com/orderflow/orderflow/write/order"
	"github.com/orderflow/orderflow/write/service"
)

// What the benchmark seeds and how it loads the server.
const (
	benchOrders      = 10_000
	benchCustomers   = 1_000
	benchConnections = 32
	benchDuration    = 4 * time.Second
)

// The two queries, and the JSON both implementations answer them with.
const (
	benchOrderFields = `id status customerId total { amount currency } placedAt lines { sku quantity unitPrice { amount currency } }`
	benchOrderQuery  = `query O($id: ID!) { order(id: $id) { ` + benchOrderFields + ` } }`
	benchOrdersQuery = `{ orders(first: 20) { edges { cursor node { ` + benchOrderFields + ` } } pageInfo { hasNextPage endCursor } } }`
)

// BenchmarkQueries loads the GraphQL handler (impl=graphql) and a plain
// net/http handler running the same SQL and writing the same JSON
// (impl=raw) with wrk, benchConnections connections for benchDuration,
// over benchOrders orders placed through the write side and projected by
// the orders projection. It reports requests per second and the median
// and 99th percentile latency; ns/op is the inverse of the throughput.
// Compare the implementations with benchstat -col /impl.
func BenchmarkQueries(b *testing.B) {
	wrk, err := exec.LookPath("wrk")
	if err != nil {
		b.Skip("wrk is not on PATH: run `make tools` to install it")
	}
	e := readmodelstest.New(b)
	ids := seedOrders(b, e)

	cfg, err := pgxpool.ParseConfig(e.URL)
	if err != nil {
		b.Fatal(err)
	}
	cfg.MaxConns = 16
	pool, err := pgxpool.NewWithConfig(context.Background(), cfg)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(pool.Close)
	h, err := read.New(read.Config{Pool: pool})
	if err != nil {
		b.Fatal(err)
	}
	servers := map[string]string{}
	for impl, handler := range map[string]http.Handler{"graphql": h, "raw": rawHandler{pool: pool}} {
		srv := httptest.NewServer(asPrincipal(handler))
		b.Cleanup(srv.Close)
		servers[impl] = srv.URL
	}
	for _, q := range []struct{ query, script string }{
		{"order", writeScript(b, benchOrderQuery, ids[:1000])},
		{"orders", writeScript(b, benchOrdersQuery, nil)},
	} {
		query, script := q.query, q.script
		checkSameAnswers(b, servers, query, ids[0])
		for _, impl := range []string{"graphql", "raw"} {
			b.Run("query="+query+"/impl="+impl, func(b *testing.B) {
				r := runWrk(b, wrk, script, servers[impl])
				b.ReportMetric(r.rps, "req/s")
				b.ReportMetric(r.p50.Seconds()*1000, "p50-ms")
				b.ReportMetric(r.p99.Seconds()*1000, "p99-ms")
				b.ReportMetric(1e9/r.rps, "ns/op")
			})
		}
	}
}

// seedOrders places benchOrders orders of benchCustomers customers through
// the write side, runs the orders projection until it has them all, and
// returns their ids.
func seedOrders(b *testing.B, e *readmodelstest.Env) []string {
	b.Helper()
	start := time.Now()
	e.Product("SKU-1", "Widget", eur(1999), 0)
	e.Product("SKU-2", "Gadget", eur(500), 0)
	e.Product("SKU-3", "Gizmo", eur(12345), 0)
	svc := service.New(command.NewHandler(e.Store, time.Now), nil)
	ids := make([]string, benchOrders)
	var (
		wg   sync.WaitGroup
		mu   sync.Mutex
		fail error
	)
	const workers = 16
	for w := range workers {
		wg.Go(func() {
			rng := rand.New(rand.NewPCG(uint64(w), 1))
			for i := w; i < benchOrders; i += workers {
				ids[i] = fmt.Sprintf("order-%05d", i)
				lines := []order.LineRequest{{SKU: "SKU-1", Quantity: 1 + rng.IntN(3)}}
				if rng.IntN(2) == 0 {
					lines = append(lines, order.LineRequest{SKU: "SKU-2", Quantity: 1 + rng.IntN(5)})
				}
				if rng.IntN(4) == 0 {
					lines = append(lines, order.LineRequest{SKU: "SKU-3", Quantity: 1})
				}
				res, err := svc.PlaceOrder(e.Ctx(), readmodelstest.Meta(), order.Place{OrderID: ids[i],
					CustomerID: fmt.Sprintf("c-%04d", i%benchCustomers), Lines: lines, ShippingAddress: readmodelstest.Address("DE")})
				if err != nil {
					mu.Lock()
					fail = err
					mu.Unlock()
					return
				}
				e.Wrote(res.Position)
			}
		})
	}
	wg.Wait()
	if fail != nil {
		b.Fatal(fail)
	}
	placed := time.Since(start)
	e.Run(e.ManagerWith(projections.Config{Owner: "bench", BatchSize: 512,
		Projections: []projections.Projection{orderview.New(), productview.New()}}))
	e.CaughtUp("orders", "products")
	b.Logf("seeded %d orders in %s, projected in %s", benchOrders, placed.Round(time.Millisecond), (time.Since(start) - placed).Round(time.Millisecond))
	return ids
}

// writeScript writes a wrk script that posts query as an admin, with
// $id taken in turn from ids when there are any.
func writeScript(b *testing.B, query string, ids []string) string {
	b.Helper()
	var s strings.Builder
	s.WriteString("wrk.method = \"POST\"\n")
	s.WriteString("wrk.headers[\"Content-Type\"] = \"application/json\"\n")
	fmt.Fprintf(&s, "wrk.headers[%q] = %q\n", asHeader, admin)
	if len(ids) == 0 {
		body, _ := json.Marshal(request{Query: query})
		fmt.Fprintf(&s, "wrk.body = %s\n", luaString(string(body)))
	} else {
		s.WriteString("bodies = {}\n")
		for i, id := range ids {
			body, _ := json.Marshal(request{Query: query, Variables: map[string]any{"id": id}})
			fmt.Fprintf(&s, "bodies[%d] = %s\n", i+1, luaString(string(body)))
		}
		s.WriteString("counter = 0\n")
		s.WriteString("request = function()\n  counter = counter % #bodies + 1\n  return wrk.format(nil, nil, nil, bodies[counter])\nend\n")
	}
	path := filepath.Join(b.TempDir(), "bench.lua")
	if err := os.WriteFile(path, []byte(s.String()), 0o600); err != nil {
		b.Fatal(err)
	}
	return path
}

func luaString(s string) string { return "[==[" + s + "]==]" }

// checkSameAnswers fails the benchmark unless both implementations answer
// the query with the same bytes.
func checkSameAnswers(b *testing.B, servers map[string]string, query, id string) {
	b.Helper()
	q := benchOrdersQuery
	var vars map[string]any
	if query == "order" {
		q, vars = benchOrderQuery, map[string]any{"id": id}
	}
	body, _ := json.Marshal(request{Query: q, Variables: vars})
	answers := map[string][]byte{}
	for impl, url := range servers {
		req, _ := http.NewRequest(http.MethodPost, url, bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set(asHeader, admin)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		var buf bytes.Buffer
		_, _ = buf.ReadFrom(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 {
			b.Fatalf("%s: %d %s", impl, resp.StatusCode, buf.Bytes())
		}
		answers[impl] = buf.Bytes()
	}
	if !bytes.Equal(answers["graphql"], answers["raw"]) {
		b.Fatalf("query %s: the implementations answer differently:\ngraphql %s\nraw     %s", query, answers["graphql"], answers["raw"])
	}
}

// wrkResult is what one wrk run measured.
type wrkResult struct {
	rps      float64
	p50, p99 time.Duration
}

// runWrk runs wrk against url with the script and parses its report.
func runWrk(b *testing.B, wrk, script, url string) wrkResult {
	b.Helper()
	out, err := exec.Command(wrk, "-t2", "-c"+strconv.Itoa(benchConnections), "-d"+benchDuration.String(), "--latency", "-s", script, url).CombinedOutput()
	if err != nil {
		b.Fatalf("wrk: %v\n%s", err, out)
	}
	var r wrkResult
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		switch {
		case len(f) == 0:
		case f[0] == "Non-2xx" || f[0] == "Socket":
			b.Fatalf("wrk saw failures:\n%s", out)
		case f[0] == "Requests/sec:" && len(f) == 2:
			r.rps, _ = strconv.ParseFloat(f[1], 64)
		case f[0] == "50%" && len(f) == 2:
			r.p50 = wrkDuration(b, f[1])
		case f[0] == "99%" && len(f) == 2:
			r.p99 = wrkDuration(b, f[1])
		}
	}
	if r.rps == 0 || r.p99 == 0 {
		b.Fatalf("cannot read wrk's report:\n%s", out)
	}
	return r
}

// wrkDuration parses wrk's durations: 512.00us, 1.23ms, 1.01s, 2.00m.
func wrkDuration(b *testing.B, s string) time.Duration {
	b.Helper()
	for _, u := range []struct {
		suffix string
		unit   time.Duration
	}{{"us", time.Microsecond}, {"ms", time.Millisecond}, {"s", time.Second}, {"m", time.Minute}} {
		if v, ok := strings.CutSuffix(s, u.suffix); ok {
			f, err := strconv.ParseFloat(v, 64)
			if err != nil {
				b.Fatalf("wrk duration %q: %v", s, err)
			}
			return time.Duration(f * float64(u.unit))
		}
	}
	b.Fatalf("wrk duration %q has no unit", s)
	return 0
}

// rawHandler answers the benchmark's two queries with plain net/http and
// pgx: the same SQL as the GraphQL handler, the same JSON, nothing else
// (no schema, no limits, no loaders).
type rawHandler struct{ pool *pgxpool.Pool }

const (
	rawOrderColumns = `order_id, customer_id, status, total_amount, total_currency, placed_at`
	rawOrderSQL     = `SELECT ` + rawOrderColumns + ` FROM readmodel.orders WHERE order_id = $1`
	rawOrdersSQL    = `SELECT ` + rawOrderColumns + ` FROM readmodel.orders ORDER BY placed_at DESC, order_id DESC LIMIT 21`
	rawLinesSQL     = `SELECT order_id, sku, quantity, unit_amount, unit_currency FROM readmodel.order_lines WHERE order_id = ANY($1) ORDER BY order_id, line_no`
)

type rawMoney struct {
	Amount   string `json:"amount"`
	Currency string `json:"currency"`
}

type rawLine struct {
	SKU       string   `json:"sku"`
	Quantity  int32    `json:"quantity"`
	UnitPrice rawMoney `json:"unitPrice"`
}

type rawOrder struct {
	ID         string    `json:"id"`
	Status     string    `json:"status"`
	CustomerID string    `json:"customerId"`
	Total      rawMoney  `json:"total"`
	PlacedAt   string    `json:"placedAt"`
	Lines      []rawLine `json:"lines"`
}

func (h rawHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	var req request
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 64<<10)).Decode(&req); err != nil {
		http.Error(w, "bad request", http.StatusBadRequest)
		return
	}
	ctx := r.Context()
	var (
		rows pgx.Rows
		err  error
	)
	id, single := req.Variables["id"].(string)
	if single {
		rows, err = h.pool.Query(ctx, rawOrderSQL, id)
	} else {
		rows, err = h.pool.Query(ctx, rawOrdersSQL)
	}
	if err != nil {
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	orders, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (*rawOrder, error) {
		var (
			o      rawOrder
			amount int64
			at     time.Time
		)
		err := row.Scan(&o.ID, &o.CustomerID, &o.Status, &amount, &o.Total.Currency, &at)
		o.Total.Amount, o.PlacedAt, o.Lines = strconv.FormatInt(amount, 10), at.UTC().Format(time.RFC3339Nano), []rawLine{}
		return &o, err
	})
	if err != nil {
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	hasNext := len(orders) > 20
	orders = orders[:min(len(orders), 20)]
	byID := make(map[string]*rawOrder, len(orders))
	keys := make([]string, len(orders))
	for i, o := range orders {
		byID[o.ID], keys[i] = o, o.ID
	}
	rows, err = h.pool.Query(ctx, rawLinesSQL, keys)
	if err == nil {
		var (
			oid    string
			l      rawLine
			amount int64
		)
		_, err = pgx.ForEachRow(rows, []any{&oid, &l.SKU, &l.Quantity, &amount, &l.UnitPrice.Currency}, func() error {
			l.UnitPrice.Amount = strconv.FormatInt(amount, 10)
			byID[oid].Lines = append(byID[oid].Lines, l)
			return nil
		})
	}
	if err != nil {
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	var body any
	if single {
		var o *rawOrder
		if len(orders) == 1 {
			o = orders[0]
		}
		body = map[string]any{"data": map[string]any{"order": o}}
	} else {
		type edge struct {
			Cursor string    `json:"cursor"`
			Node   *rawOrder `json:"node"`
		}
		type pageInfo struct {
			HasNextPage bool    `json:"hasNextPage"`
			EndCursor   *string `json:"endCursor"`
		}
		type connection struct {
			Edges    []edge   `json:"edges"`
			PageInfo pageInfo `json:"pageInfo"`
		}
		c := connection{Edges: make([]edge, len(orders)), PageInfo: pageInfo{HasNextPage: hasNext}}
		for i, o := range orders {
			at, _ := time.Parse(time.RFC3339Nano, o.PlacedAt)
			c.Edges[i] = edge{Cursor: rawCursor(at, o.ID), Node: o}
		}
		if len(c.Edges) > 0 {
			c.PageInfo.EndCursor = &c.Edges[len(c.Edges)-1].Cursor
		}
		body = map[string]any{"data": map[string]any{"orders": c}}
	}
	out, err := json.Marshal(body)
	if err != nil {
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write(append(out, '\n'))
}

// rawCursor is the orders connection's cursor: opaque to clients, but the
// plain handler must write the same bytes.
func rawCursor(at time.Time, id string) string {
	return base64.RawURLEncoding.EncodeToString([]byte("order:" + strconv.FormatInt(at.UnixMicro(), 10) + ":" + id))
}
