package main

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/orderflow/orderflow/platform/auth"
	"github.com/orderflow/orderflow/platform/dbtest"
)

// TestRateLimitThroughTheGateway: with a limit of 6 requests a minute (3
// without a token), the request past the limit gets 429 with Retry-After; a GraphQL request
// asking several things at once counts as that many; other subjects keep
// their own budgets; a spoofed X-Forwarded-For neither evades the limit
// nor spends another client's budget; refused tokens are charged to their
// address.
func TestRateLimitThroughTheGateway(t *testing.T) {
	s := startSystem(t, dbtest.New(t), map[string]string{"ORDERFLOW_RATE_LIMIT": "6", "ORDERFLOW_RATE_LIMIT_ANONYMOUS": "3"})
	mint := func(sub string) string {
		tok, err := auth.Mint([]byte(testJWTSecret), "orderflow", "orderflow-api", sub, auth.RoleCustomer, time.Hour, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		return tok
	}
	query := func(token string, fields int, header ...string) *http.Response {
		t.Helper()
		var b strings.Builder
		b.WriteString(`{"query":"{`)
		for i := range fields {
			fmt.Fprintf(&b, ` p%d: product(sku: \"SKU-%d\") { sku }`, i, i)
		}
		b.WriteString(` }"}`)
		req, _ := http.NewRequest(http.MethodPost, s.base+graphqlPath, strings.NewReader(b.String()))
		req.Header.Set("Content-Type", "application/json")
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
		res.Body.Close()
		return res
	}

	alice := mint("alice")
	if res := query(alice, 4); res.StatusCode != http.StatusOK {
		t.Fatalf("4 aliased fields: %d, want 200", res.StatusCode)
	}
	if res := query(alice, 2); res.StatusCode != http.StatusOK {
		t.Fatalf("2 more fields (6 of 6): %d, want 200", res.StatusCode)
	}
	res := query(alice, 1)
	if res.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("the 7th unit: %d, want 429", res.StatusCode)
	}
	if ra, err := strconv.Atoi(res.Header.Get("Retry-After")); err != nil || ra <= 0 || ra > 60 {
		t.Fatalf("Retry-After = %q", res.Header.Get("Retry-After"))
	}
	if res.Header.Get("Content-Type") != "application/problem+json" {
		t.Fatalf("429 content type %q", res.Header.Get("Content-Type"))
	}

	// One request of 7 aliased fields is over the limit by itself.
	if res := query(mint("bob"), 7); res.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("7 aliased fields in one request: %d, want 429", res.StatusCode)
	}
	// Bob's refused request spent his whole budget, so that sending it
	// again is refused before the document is read.
	if res := query(mint("bob"), 1); res.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("bob after a request worth more than his budget: %d, want 429", res.StatusCode)
	}

	// Anonymous callers are limited by address, with a budget of their
	// own; a forwarding header from an untrusted peer changes nothing.
	for i := range 3 {
		if res := query("", 1, "X-Forwarded-For", fmt.Sprintf("203.0.113.%d", i)); res.StatusCode != http.StatusOK {
			t.Fatalf("anonymous request %d: %d, want 200", i, res.StatusCode)
		}
	}
	if res := query("", 1, "X-Forwarded-For", "198.51.100.77"); res.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("a 4th anonymous request with a new forwarded address: %d, want 429", res.StatusCode)
	}
	// ...and naming a victim's address does not spend the victim's budget:
	// carol, authenticated, is unaffected.
	if res := query(mint("carol"), 1, "X-Forwarded-For", "127.0.0.1"); res.StatusCode != http.StatusOK {
		t.Fatalf("carol: %d, want 200", res.StatusCode)
	}
	// A token that does not verify is charged to the address as well: with
	// the address's budget spent, it gets 429, not another 401.
	if res := query(mint("dave")+"x", 1); res.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("a forged token from a spent address: %d, want 429", res.StatusCode)
	}
}

// TestRateLimitSharedByTwoAPIProcesses: two api processes on one database
// and a limit of 20 requests a minute: one client spreading its requests
// over both gets 20 in all (10 from each), not 40, and so does an address
// sending refused tokens; when one process stops, the other grows to the
// whole limit.
func TestRateLimitSharedByTwoAPIProcesses(t *testing.T) {
	dbURL := dbtest.New(t)
	env := map[string]string{"ORDERFLOW_RATE_LIMIT": "20", "ORDERFLOW_RATE_LIMIT_ANONYMOUS": "20", "ORDERFLOW_RATE_LIMIT_RAMP": "1ms"}
	a := startSystem(t, dbURL, env, "--roles", "api")
	b := startSystem(t, dbURL, env, "--roles", "api")
	send := func(s *testSystem, token string) *http.Response {
		t.Helper()
		req, _ := http.NewRequest(http.MethodGet, s.base+"/api/v1/openapi.json", nil)
		req.Header.Set("Authorization", "Bearer "+token)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		return res
	}
	probe, err := auth.Mint([]byte(testJWTSecret), "orderflow", "orderflow-api", "probe", auth.RoleCustomer, time.Hour, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	shareIs := func(s *testSystem, want string) func() bool {
		return func() bool { return send(s, probe).Header.Get("X-RateLimit-Limit") == want }
	}
	waitUntil(t, 30*time.Second, "the first process to see the second", shareIs(a, "10"))
	waitUntil(t, 30*time.Second, "the second process to have its share", shareIs(b, "10"))

	// count sends n requests as token, alternating over the processes, and
	// returns how many each let through (anything but 429).
	count := func(token string, n int, systems ...*testSystem) []int {
		got := make([]int, len(systems))
		for i := range n {
			if res := send(systems[i%len(systems)], token); res.StatusCode != http.StatusTooManyRequests {
				got[i%len(systems)]++
			}
		}
		return got
	}
	alice, err := auth.Mint([]byte(testJWTSecret), "orderflow", "orderflow-api", "alice", auth.RoleCustomer, time.Hour, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if got := count(alice, 60, a, b); got[0]+got[1] < 18 || got[0]+got[1] > 22 || got[0] > 11 || got[1] > 11 {
		t.Fatalf("one client over two processes was let through %v times, want about 10 and 10 (20 in all, within 10%%)", got)
	}
	// Refused tokens are charged to the address: its budget is shared too.
	if got := count(alice+"x", 60, a, b); got[0]+got[1] < 18 || got[0]+got[1] > 22 {
		t.Fatalf("refused tokens from one address got %v answers other than 429, want about 20 in all", got)
	}

	b.cancel()
	<-b.done
	waitUntil(t, 30*time.Second, "the process left alone to have the whole limit", shareIs(a, "20"))
	if got := count(alice, 20, a); got[0] < 9 || got[0] > 11 {
		t.Fatalf("alone, the process let alice through %d more times, want about 10 (20 in the window)", got[0])
	}
}
