package read_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/orderflow/orderflow/platform/ratelimit"
)

// TestRateLimitChargesByCost: behind the rate limiter, a request is
// charged the most of 1, its root fields, its cost per 1,000 and its
// length per KiB, whether it runs or is refused (before or after its
// document is read); a caller without a token has the anonymous budget.
func TestRateLimitChargesByCost(t *testing.T) {
	const budget = 40
	e := newEnv(t, withoutProjections(), withLimiter(t, ratelimit.Config{RequestsPerMinute: budget, AnonymousRequestsPerMinute: 5}))
	cheap := `{ products(first: 0) { edges { cursor } } }`
	// left spends what the caller has left on cheap queries, one unit
	// each, and returns how many it could send.
	left := func(as string) int {
		t.Helper()
		for n := 0; ; n++ {
			r := e.do(as, request{Query: cheap})
			switch {
			case r.status == http.StatusTooManyRequests:
				return n
			case r.status != http.StatusOK || n > budget:
				t.Fatalf("cheap query %d as %q: %d %s", n, as, r.status, r.body)
			}
		}
	}
	// Each root field costs 1 + 100 × 3 + 100 × (1 + 100 × 2) = 20,401:
	// the analyzer stops at b's inner edges, 20,401 + 1 + 4 × 100 +
	// 100 × 100 = 30,802, over the limit.
	nested := "orders(first: 100) { edges { node { customer { orders(first: 100) { edges { cursor } } } } } }"
	costBomb := "{ a: " + nested + " b: " + nested + " }"
	flood := aliasFlood(1256)
	cases := []struct {
		name   string
		query  string
		status int
		units  int
	}{
		{"a cheap query", cheap, 200, 1},
		{"three root fields", `{ a: product(sku: "a") { sku } b: product(sku: "b") { sku } c: product(sku: "c") { sku } }`, 200, 3},
		// 1 + 100 × (edges, node, id, lines and 10 × 2): 2,401.
		{"a page of 100 orders with their lines", `{ orders(first: 100) { edges { node { id lines { sku quantity } } } } }`, 200, 3},
		{"a query of 3 KiB", `{ products(first: 0) { edges { cursor } } }` + strings.Repeat(" ", 3<<10), 200, 4},
		{"refused: a field flood, by its length", flood, 400, (len(mustJSON(t, request{Query: flood})) + 1023) / 1024},
		{"refused: over the cost limit, by the cost counted", costBomb, 400, 31},
		{"refused: a syntax error, by its length", `{ a` + strings.Repeat(" ", 3<<10), 400, 4},
	}
	for i, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			as := customer(fmt.Sprintf("c-%d", i))
			if r := e.do(as, request{Query: tc.query}); r.status != tc.status {
				t.Fatalf("got %d %.300s, want %d", r.status, r.body, tc.status)
			}
			if got := budget - left(as); got != tc.units {
				t.Fatalf("charged %d units, want %d", got, tc.units)
			}
		})
	}

	// By the length of the whole body: variables count, and so does a
	// body refused before its document is read.
	bodies := []struct {
		name   string
		body   []byte
		status int
	}{
		{"5 KiB of variables", mustJSON(t, request{Query: `query Q($s: String!) { product(sku: $s) { sku } }`, Variables: map[string]any{"s": strings.Repeat("x", 5<<10)}}), 200},
		{"refused: JSON nested too deep", []byte(`{"query":"{ a }","variables":{"v":` + strings.Repeat("[", 1500) + strings.Repeat("]", 1500) + `}}`), 400},
	}
	for i, tc := range bodies {
		t.Run(tc.name, func(t *testing.T) {
			as := customer(fmt.Sprintf("b-%d", i))
			if r := e.send(http.MethodPost, "", tc.body, "Content-Type", "application/json", asHeader, as); r.status != tc.status {
				t.Fatalf("got %d %.300s, want %d", r.status, r.body, tc.status)
			}
			if got, want := budget-left(as), (len(tc.body)+1023)/1024; got != want {
				t.Fatalf("charged %d units, want %d", got, want)
			}
		})
	}

	t.Run("anonymous budget", func(t *testing.T) {
		if n := left(anonymous); n != 5 {
			t.Fatalf("an anonymous caller sent %d cheap queries, want 5", n)
		}
		if n := left(customer("after-anonymous")); n != budget {
			t.Fatalf("a customer from the same address sent %d, want %d", n, budget)
		}
	})
}

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
