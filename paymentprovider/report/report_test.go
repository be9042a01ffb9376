package report_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/orderflow/orderflow/paymentprovider"
	"github.com/orderflow/orderflow/paymentprovider/report"
	"github.com/orderflow/orderflow/paymentprovider/sandbox"
	"github.com/orderflow/orderflow/platform/dbtest"
)

// reports GETs the handler over a real socket.
func reports(t *testing.T, url string) []report.Report {
	t.Helper()
	res, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK || res.Header.Get("Content-Type") != "application/json" {
		t.Fatalf("GET = %d %s", res.StatusCode, res.Header.Get("Content-Type"))
	}
	var body struct{ Clients []report.Report }
	if err := json.NewDecoder(res.Body).Decode(&body); err != nil {
		t.Fatal(err)
	}
	return body.Clients
}

func TestPublishedStateIsServedAndRemovedOnStop(t *testing.T) {
	ctx := context.Background()
	pool, err := pgxpool.New(ctx, dbtest.New(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	sb := sandbox.New(sandbox.Config{Seed: 1})
	provider := httptest.NewServer(sb)
	t.Cleanup(func() { sb.Close(); provider.Close() })
	if err := sb.SetControls(sandbox.Controls{Outage: true}); err != nil {
		t.Fatal(err)
	}
	client, err := paymentprovider.New(paymentprovider.Config{BaseURL: provider.URL, Retries: -1, BreakerFailureThreshold: 2, BreakerDelay: time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	for range 3 {
		_, err := client.Refund(ctx, "r", "ch_x")
		if err == nil {
			t.Fatal("a refund during an outage succeeded")
		}
	}
	if client.State().Breaker != paymentprovider.BreakerOpen {
		t.Fatalf("breaker %s after an outage, want open", client.State().Breaker)
	}

	pubCtx, stop := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		report.Publish(pubCtx, pool, client, "sagas-1", 50*time.Millisecond, nil)
	}()
	srv := httptest.NewServer(report.Handler(pool, 10*time.Second, nil))
	t.Cleanup(srv.Close)

	deadline := time.Now().Add(10 * time.Second)
	var got []report.Report
	for len(got) == 0 && time.Now().Before(deadline) {
		got = reports(t, srv.URL)
		time.Sleep(20 * time.Millisecond)
	}
	if len(got) != 1 {
		t.Fatalf("reports = %+v, want one", got)
	}
	r := got[0]
	if r.Owner != "sagas-1" || r.State.Breaker != paymentprovider.BreakerOpen || r.State.RejectedByBreaker != 1 ||
		r.State.MaxConcurrent != paymentprovider.DefaultMaxConcurrent || len(r.State.RecentFailures) != 2 ||
		r.State.RecentFailures[0].Detail != "503 Service Unavailable" || time.Since(r.ReportedAt) > 10*time.Second {
		t.Fatalf("report = %+v", r)
	}

	// A report older than the handler's maxAge is a dead process's: left out.
	if _, err := pool.Exec(ctx, `INSERT INTO sagas.payment_client_state (owner, state, reported_at) VALUES ('gone', '{}', now() - interval '1 hour')`); err != nil {
		t.Fatal(err)
	}
	if got := reports(t, srv.URL); len(got) != 1 || got[0].Owner != "sagas-1" {
		t.Fatalf("reports with a stale one = %+v", got)
	}

	stop()
	<-done
	if got := reports(t, srv.URL); len(got) != 0 {
		t.Fatalf("reports after a graceful stop = %+v, want none", got)
	}
}

func TestHandlerRefusesOtherMethods(t *testing.T) {
	pool, err := pgxpool.New(context.Background(), dbtest.New(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	srv := httptest.NewServer(report.Handler(pool, time.Minute, nil))
	t.Cleanup(srv.Close)
	res, err := http.Post(srv.URL, "application/json", nil)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusMethodNotAllowed || res.Header.Get("Content-Type") != "application/problem+json" {
		t.Fatalf("POST = %d %s", res.StatusCode, res.Header.Get("Content-Type"))
	}
}
