package sandbox_test

import (
	"net/http"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/orderflow/orderflow/paymentprovider/sandbox"
)

func TestControlsEndpoint(t *testing.T) {
	sb, base := start(t, sandbox.Config{})
	if r := call(t, http.MethodGet, base+"/v1/sandbox/controls", "", nil); r.status != http.StatusOK || len(r.body) != 7 || r.body["outage"] != false {
		t.Fatalf("initial controls: %d %v", r.status, r.body)
	}
	want := sandbox.Controls{LatencyMs: 5, ErrorRate: 0.25, DeclineRate: 0.5, RateLimitPerSecond: 10, FailNext: 2}
	if r := call(t, http.MethodPut, base+"/v1/sandbox/controls", "", want); r.status != http.StatusOK {
		t.Fatalf("put: %d %v", r.status, r.body)
	}
	if got := sb.Controls(); got != want {
		t.Fatalf("controls %+v, want %+v", got, want)
	}
	r := call(t, http.MethodGet, base+"/v1/sandbox/controls", "", nil)
	if r.body["errorRate"] != 0.25 || r.body["failNext"] != 2.0 || r.body["rateLimitPerSecond"] != 10.0 {
		t.Fatalf("controls read back as %v", r.body)
	}
	for _, bad := range []string{`{"errorRate":1.5}`, `{"declineRate":-0.1}`, `{"latencyMs":-1}`, `{"latencyMs":60001}`, `{"rateLimitPerSecond":-1}`, `{"failNext":1001}`} {
		wantProblem(t, call(t, http.MethodPut, base+"/v1/sandbox/controls", "", bad), http.StatusUnprocessableEntity, sandbox.CodeInvalidField)
	}
	wantProblem(t, call(t, http.MethodPut, base+"/v1/sandbox/controls", "", `{"chaos":true}`), http.StatusBadRequest, sandbox.CodeBodyInvalid)
	if got := sb.Controls(); got != want {
		t.Fatalf("a refused PUT changed the controls to %+v", got)
	}
	if err := sb.SetControls(sandbox.Controls{ErrorRate: 2}); err == nil {
		t.Fatal("SetControls took an error rate of 2")
	}
}

func TestOutage(t *testing.T) {
	sb, base := start(t, sandbox.Config{})
	if err := sb.SetControls(sandbox.Controls{Outage: true}); err != nil {
		t.Fatal(err)
	}
	for _, r := range []reply{
		call(t, http.MethodPost, base+"/v1/charges", "k", charge(1999, "order-1")),
		call(t, http.MethodGet, base+"/v1/charges?idempotency_key=k", "", nil),
		call(t, http.MethodPost, base+"/v1/refunds", "r", map[string]any{"charge": "ch_x"}),
	} {
		wantProblem(t, r, http.StatusServiceUnavailable, sandbox.CodeOutage)
		if r.header.Get("Retry-After") != "1" {
			t.Fatalf("Retry-After %q, want 1", r.header.Get("Retry-After"))
		}
	}
	if r := call(t, http.MethodGet, base+"/v1/sandbox/stats", "", nil); r.status != http.StatusOK || r.body["rejectedByOutage"] != 3.0 {
		t.Fatalf("stats during the outage: %d %v", r.status, r.body)
	}
	if r := call(t, http.MethodPut, base+"/v1/sandbox/controls", "", sandbox.Controls{}); r.status != http.StatusOK {
		t.Fatalf("ending the outage: %d %v", r.status, r.body)
	}
	if r := call(t, http.MethodPost, base+"/v1/charges", "k", charge(1999, "order-1")); r.status != http.StatusCreated {
		t.Fatalf("after the outage: %d %v", r.status, r.body)
	}
	if st := sb.Stats(); st.ChargeAttempts != 2 || st.ChargesMade != 1 || st.Requests != 4 {
		t.Fatalf("stats %+v", st)
	}
}

func TestRateLimitAndRetryAfter(t *testing.T) {
	clk := newClock()
	sb, base := start(t, sandbox.Config{Now: clk.Now})
	if err := sb.SetControls(sandbox.Controls{RateLimitPerSecond: 2}); err != nil {
		t.Fatal(err)
	}
	for i := range 2 {
		if r := call(t, http.MethodPost, base+"/v1/charges", "k"+strconv.Itoa(i), charge(100, "r")); r.status != http.StatusCreated {
			t.Fatalf("call %d within the limit: %d %v", i, r.status, r.body)
		}
	}
	limited := call(t, http.MethodPost, base+"/v1/charges", "late", charge(100, "r"))
	wantProblem(t, limited, http.StatusTooManyRequests, sandbox.CodeRateLimited)
	if limited.header.Get("Retry-After") != "1" {
		t.Fatalf("Retry-After %q, want 1", limited.header.Get("Retry-After"))
	}
	clk.Advance(100 * time.Millisecond)
	wantProblem(t, call(t, http.MethodPost, base+"/v1/charges", "late", charge(100, "r")), http.StatusTooManyRequests, sandbox.CodeRateLimited)
	clk.Advance(time.Second)
	if r := call(t, http.MethodPost, base+"/v1/charges", "late", charge(100, "r")); r.status != http.StatusCreated {
		t.Fatalf("after Retry-After: %d %v", r.status, r.body)
	}
	st := sb.Stats()
	if st.RejectedByRateLimit != 2 || st.RetryAfterViolations != 1 || st.RetryAfterHonoured != 1 || st.ChargesMade != 3 {
		t.Fatalf("stats %+v", st)
	}
}

func TestInjectedErrors(t *testing.T) {
	sb, base := start(t, sandbox.Config{Seed: 7})
	if err := sb.SetControls(sandbox.Controls{FailNext: 2}); err != nil {
		t.Fatal(err)
	}
	for range 2 {
		wantProblem(t, call(t, http.MethodPost, base+"/v1/charges", "k", charge(100, "r")), http.StatusInternalServerError, sandbox.CodeInjectedError)
	}
	if r := call(t, http.MethodPost, base+"/v1/charges", "k", charge(100, "r")); r.status != http.StatusCreated {
		t.Fatalf("after failNext ran out: %d %v", r.status, r.body)
	}
	if sb.Controls().FailNext != 0 {
		t.Fatalf("failNext left at %d", sb.Controls().FailNext)
	}

	if err := sb.SetControls(sandbox.Controls{ErrorRate: 1}); err != nil {
		t.Fatal(err)
	}
	for range 10 {
		r := call(t, http.MethodGet, base+"/v1/charges?idempotency_key=k", "", nil)
		if r.status != http.StatusInternalServerError && r.status != http.StatusServiceUnavailable || r.str("code") != sandbox.CodeInjectedError {
			t.Fatalf("errorRate 1: %d %v", r.status, r.body)
		}
	}
	if err := sb.SetControls(sandbox.Controls{DeclineRate: 1}); err != nil {
		t.Fatal(err)
	}
	r := call(t, http.MethodPost, base+"/v1/charges", "k2", charge(100, "r"))
	wantProblem(t, r, http.StatusPaymentRequired, sandbox.CodeChargeDeclined)
	if r.str("declineCode") != sandbox.DeclineInsufficientFunds {
		t.Fatalf("declineRate's decline code %q", r.str("declineCode"))
	}
	if st := sb.Stats(); st.InjectedErrors != 12 || st.ChargesMade != 1 || st.Declines != 1 || st.Lookups != 0 {
		t.Fatalf("stats %+v", st)
	}
}

// TestTimeoutAfterCharge holds charges' answers, counts them in flight,
// and lets Close answer them.
func TestTimeoutAfterCharge(t *testing.T) {
	sb, base := start(t, sandbox.Config{})
	if err := sb.SetControls(sandbox.Controls{TimeoutAfterCharge: true}); err != nil {
		t.Fatal(err)
	}
	const n = 3
	var wg sync.WaitGroup
	replies := make([]reply, n)
	errs := make([]error, n)
	for i := range n {
		wg.Go(func() {
			replies[i], errs[i] = tryCall(http.MethodPost, base+"/v1/charges", "k"+strconv.Itoa(i), charge(100, "r"+strconv.Itoa(i)))
		})
	}
	waitUntil(t, "every charge made and held", func() bool {
		st := sb.Stats()
		return st.ChargesMade == n && st.InFlight == n
	})
	if r := call(t, http.MethodGet, base+"/v1/charges?idempotency_key=k0", "", nil); r.status != http.StatusOK {
		t.Fatalf("a held charge cannot be looked up: %d %v", r.status, r.body)
	}
	sb.Close()
	wg.Wait()
	for i, r := range replies {
		if errs[i] != nil {
			t.Fatal(errs[i])
		}
		if r.status != http.StatusCreated {
			t.Fatalf("held charge %d answered %d %v", i, r.status, r.body)
		}
	}
	if st := sb.Stats(); st.MaxInFlight != n+1 || st.InFlight != 0 {
		t.Fatalf("stats %+v", st)
	}
}
