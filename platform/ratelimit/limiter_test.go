package ratelimit_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/netip"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/orderflow/orderflow/platform/ratelimit"
)

func TestRequestPastTheLimitIsRefused(t *testing.T) {
	s := serve(t, ratelimit.Config{RequestsPerMinute: 3})
	c := newClient(t, "127.0.0.2")
	for i := range 3 {
		r := c.get(t, s, "/")
		if r.status != 200 {
			t.Fatalf("request %d: %d %s", i+1, r.status, r.body)
		}
		if r.header.Get("X-RateLimit-Limit") != "3" || r.header.Get("X-RateLimit-Remaining") != strconv.Itoa(2-i) || r.header.Get("X-RateLimit-Reset") == "" {
			t.Errorf("request %d: rate limit headers %v", i+1, r.header)
		}
	}
	r := c.get(t, s, "/")
	if r.status != 429 || r.header.Get("Content-Type") != "application/problem+json" {
		t.Fatalf("the 4th request: %d %s %s, want a 429 problem", r.status, r.header.Get("Content-Type"), r.body)
	}
	retry, err := strconv.Atoi(r.header.Get("Retry-After"))
	if err != nil || retry < 1 || retry > 60 {
		t.Errorf("Retry-After %q, want whole seconds from 1 to 60", r.header.Get("Retry-After"))
	}
	if r.header.Get("X-RateLimit-Limit") != "3" || r.header.Get("X-RateLimit-Remaining") != "0" {
		t.Errorf("rate limit headers of the 429: %v", r.header)
	}
	var body map[string]any
	if err := json.Unmarshal([]byte(r.body), &body); err != nil {
		t.Fatal(err)
	}
	if body["type"] != "urn:orderflow:problem:rate_limited" || body["code"] != "rate_limited" || body["status"] != 429.0 || body["title"] != "Too Many Requests" {
		t.Errorf("body %s", r.body)
	}
	if n := s.hits.Load(); n != 3 {
		t.Errorf("the handler ran %d times, want 3", n)
	}
	if r := newClient(t, "127.0.0.3").get(t, s, "/"); r.status != 200 {
		t.Errorf("another address: %d, want 200", r.status)
	}
}

func TestSubjectsHaveSeparateBudgets(t *testing.T) {
	s := serve(t, ratelimit.Config{RequestsPerMinute: 2})
	c := newClient(t, "127.0.0.2") // every request from one address
	alice, bob := token(t, "alice"), token(t, "bob")

	expect(t, "alice", c.statuses(t, s, 3, "/", "Authorization", alice), 200, 200, 429)
	expect(t, "bob", c.statuses(t, s, 3, "/", "Authorization", bob), 200, 200, 429)
	expect(t, "anonymous from the same address", c.statuses(t, s, 3, "/"), 200, 200, 429)
	expect(t, "alice from another address", newClient(t, "127.0.0.3").statuses(t, s, 1, "/", "Authorization", alice), 429)
}

// TestRefusedTokensAreChargedToTheAddress: a token that does not verify
// is answered 401 and charged to the address like an anonymous request,
// so past the address's budget refused tokens get 429; a good token from
// the same address is counted by its subject and still passes.
// TestAnonymousClientsHaveTheirOwnBudget: a client without a token has
// AnonymousRequestsPerMinute, weighted charges included, and its 429 names
// that limit; an authenticated subject from the same address keeps the
// full budget.
func TestAnonymousClientsHaveTheirOwnBudget(t *testing.T) {
	s := serve(t, ratelimit.Config{RequestsPerMinute: 5, AnonymousRequestsPerMinute: 3})
	c := newClient(t, "127.0.0.2")
	r := c.get(t, s, "/?cost=2")
	if r.status != 200 || r.header.Get("X-RateLimit-Limit") != "3" || r.header.Get("X-RateLimit-Remaining") != "2" {
		t.Fatalf("anonymous, 2 units: %d %v", r.status, r.header)
	}
	expect(t, "anonymous", c.statuses(t, s, 2, "/"), 200, 429)
	r = c.get(t, s, "/")
	var body map[string]any
	if err := json.Unmarshal([]byte(r.body), &body); err != nil || body["detail"] == nil {
		t.Fatalf("429 body %s: %v", r.body, err)
	}
	if want := "this client has used its 3 requests a minute; retry after 60 seconds"; body["detail"] != want {
		t.Errorf("detail %q, want %q", body["detail"], want)
	}
	expect(t, "alice from the same address", c.statuses(t, s, 6, "/", "Authorization", token(t, "alice")), 200, 200, 200, 200, 200, 429)
}

func TestRefusedTokensAreChargedToTheAddress(t *testing.T) {
	s := serve(t, ratelimit.Config{RequestsPerMinute: 3})
	c := newClient(t, "127.0.0.2")
	forged := token(t, "mallory") + "x"
	for i := range 2 {
		r := c.get(t, s, "/", "Authorization", forged)
		if r.status != 401 || r.header.Get("X-RateLimit-Remaining") != strconv.Itoa(2-i) {
			t.Fatalf("forged token %d: %d, X-RateLimit-Remaining %q, want 401 and %d", i+1, r.status, r.header.Get("X-RateLimit-Remaining"), 2-i)
		}
	}
	expect(t, "an anonymous request spends the same budget", c.statuses(t, s, 1, "/"), 200)
	r := c.get(t, s, "/", "Authorization", "Bearer not-a-jwt")
	if r.status != 429 || r.header.Get("Content-Type") != "application/problem+json" || r.header.Get("Retry-After") == "" {
		t.Fatalf("refused token past the limit: %d %s %v, want a 429 problem with Retry-After", r.status, r.body, r.header)
	}
	expect(t, "anonymous past the limit", c.statuses(t, s, 1, "/"), 429)
	expect(t, "a good token from the same address", c.statuses(t, s, 1, "/", "Authorization", token(t, "alice")), 200)
	expect(t, "a forged token from another address", newClient(t, "127.0.0.3").statuses(t, s, 1, "/", "Authorization", forged), 401)
	if n := s.hits.Load(); n != 2 {
		t.Errorf("the handler ran %d times, want 2", n)
	}
}

func TestSpoofedForwardingHeadersAreIgnored(t *testing.T) {
	// 10.0.0.0/8 is trusted, but the peers below are not in it.
	s := serve(t, ratelimit.Config{RequestsPerMinute: 3, TrustedProxies: []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8")}})
	attacker, victim := newClient(t, "127.0.0.2"), newClient(t, "127.0.0.3")

	expect(t, "the attacker naming the victim in X-Forwarded-For and X-Real-IP",
		attacker.statuses(t, s, 3, "/", "X-Forwarded-For", "127.0.0.3", "X-Real-IP", "127.0.0.3"), 200, 200, 200)
	var got []int
	for i := range 2 {
		got = append(got, attacker.get(t, s, "/",
			"X-Forwarded-For", fmt.Sprintf("198.51.100.%d", i+1),
			"X-Real-IP", fmt.Sprintf("198.51.100.%d", i+1)).status)
	}
	expect(t, "the attacker rotating X-Forwarded-For", got, 429, 429)
	expect(t, "the victim", victim.statuses(t, s, 4, "/"), 200, 200, 200, 429)
}

func TestTrustedProxyForwardedAddressIsUsed(t *testing.T) {
	s := serve(t, ratelimit.Config{RequestsPerMinute: 2, TrustedProxies: []netip.Prefix{
		netip.MustParsePrefix("127.0.0.4/32"),
		netip.MustParsePrefix("10.0.0.0/8"),
	}})
	proxy := newClient(t, "127.0.0.4")

	expect(t, "client .7 through the proxy", proxy.statuses(t, s, 3, "/", "X-Forwarded-For", "203.0.113.7"), 200, 200, 429)
	expect(t, "client .8 through the proxy", proxy.statuses(t, s, 1, "/", "X-Forwarded-For", "203.0.113.8"), 200)
	expect(t, "client .7 prepending a spoofed address", proxy.statuses(t, s, 1, "/", "X-Forwarded-For", "198.51.100.1, 203.0.113.7"), 429)
	expect(t, "client .7 through two trusted proxies", proxy.statuses(t, s, 1, "/", "X-Forwarded-For", "203.0.113.7, 10.1.2.3"), 429)
	expect(t, "client .9 by X-Real-IP", proxy.statuses(t, s, 3, "/", "X-Real-IP", "203.0.113.9"), 200, 200, 429)
	expect(t, "the proxy's own requests", proxy.statuses(t, s, 3, "/"), 200, 200, 429)
	expect(t, "an untrusted peer naming client .8", newClient(t, "127.0.0.5").statuses(t, s, 2, "/", "X-Forwarded-For", "203.0.113.8"), 200, 200)
	expect(t, "client .8 again", proxy.statuses(t, s, 2, "/", "X-Forwarded-For", "203.0.113.8"), 200, 429)
}

func TestWeightedRequestsCountAsMany(t *testing.T) {
	s := serve(t, ratelimit.Config{RequestsPerMinute: 10})
	c := newClient(t, "127.0.0.2")
	bearer := token(t, "heavy")

	expect(t, "two requests worth 4", c.statuses(t, s, 2, "/?cost=4", "Authorization", bearer), 200, 200)
	r := c.get(t, s, "/?cost=4", "Authorization", bearer)
	if r.status != 429 || r.header.Get("Retry-After") == "" || r.header.Get("Content-Type") != "application/problem+json" {
		t.Fatalf("a third worth 4 with 2 units left: %d %v %s, want a 429 problem", r.status, r.header, r.body)
	}
	// The refused request spent what was left: its unit at the
	// middleware and the one after it. Nothing more gets through.
	expect(t, "then requests worth 1", c.statuses(t, s, 1, "/?cost=1", "Authorization", bearer), 429)
	expect(t, "another subject", c.statuses(t, s, 1, "/?cost=10", "Authorization", token(t, "light")), 200)
}

// TestRequestWorthMoreThanTheBudget: a request worth more than a whole
// minute's budget is refused saying so, and spends the budget, so that
// sending it again is refused at the door.
func TestRequestWorthMoreThanTheBudget(t *testing.T) {
	s := serve(t, ratelimit.Config{RequestsPerMinute: 10})
	c := newClient(t, "127.0.0.2")
	bearer := token(t, "greedy")

	r := c.get(t, s, "/?cost=11", "Authorization", bearer)
	if r.status != 429 || !strings.Contains(string(r.body), "this request is worth 11 units, more than the 10 a minute this client may spend") {
		t.Fatalf("a request worth 11 of 10: %d %s, want 429 saying it is worth more than the budget", r.status, r.body)
	}
	hits := s.hits.Load()
	expect(t, "the budget is spent", c.statuses(t, s, 1, "/?cost=1", "Authorization", bearer), 429)
	if s.hits.Load() != hits {
		t.Error("a request after the budget was spent reached the handler")
	}
}

func TestCostChargesARequestOnce(t *testing.T) {
	s := serve(t, ratelimit.Config{RequestsPerMinute: 10})
	c := newClient(t, "127.0.0.2")
	// 8 goroutines of one request each say it is worth 5: 5 units in all.
	expect(t, "one request worth 5", c.statuses(t, s, 1, "/?cost=5&parallel=8"), 200)
	expect(t, "the rest", c.statuses(t, s, 6, "/"), 200, 200, 200, 200, 200, 429)
}

func TestConcurrentRequestsAreCountedExactly(t *testing.T) {
	s := serve(t, ratelimit.Config{RequestsPerMinute: 20})
	c := newClient(t, "127.0.0.2")
	var (
		mu     sync.Mutex
		counts = map[int]int{}
		wg     sync.WaitGroup
	)
	for range 100 {
		wg.Go(func() {
			status := c.get(t, s, "/").status
			mu.Lock()
			counts[status]++
			mu.Unlock()
		})
	}
	wg.Wait()
	if counts[200] != 20 || counts[429] != 80 {
		t.Fatalf("statuses %v, want 20 OK and 80 Too Many Requests", counts)
	}
}

func TestCostWithoutLimiterIsFree(t *testing.T) {
	if err := ratelimit.Cost(context.Background(), 1000); err != nil {
		t.Fatalf("Cost outside a limited request: %v", err)
	}
}

func TestExceededErrorIsErrLimitExceeded(t *testing.T) {
	var err error = &ratelimit.ExceededError{Limit: 3}
	if !errors.Is(err, ratelimit.ErrLimitExceeded) {
		t.Fatal("an *ExceededError is not ErrLimitExceeded")
	}
}

func TestNewRefusesBadConfig(t *testing.T) {
	tests := []struct {
		name string
		cfg  ratelimit.Config
	}{
		{"negative limit", ratelimit.Config{RequestsPerMinute: -1}},
		{"negative anonymous limit", ratelimit.Config{AnonymousRequestsPerMinute: -1}},
		{"invalid proxy prefix", ratelimit.Config{TrustedProxies: []netip.Prefix{{}}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := ratelimit.New(tc.cfg); err == nil {
				t.Fatal("New accepted it")
			}
		})
	}
}
