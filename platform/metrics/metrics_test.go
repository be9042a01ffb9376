package metrics_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/go-chi/chi/v5"

	"github.com/orderflow/orderflow/platform/metrics"
)

// scrape fetches the registry's metrics over a real socket.
func scrape(t *testing.T, reg *metrics.Registry) string {
	t.Helper()
	srv := httptest.NewServer(reg.Handler())
	defer srv.Close()
	res, err := http.Get(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	return string(body)
}

// requireLines fails unless every line is in the exposition text.
func requireLines(t *testing.T, text string, lines ...string) {
	t.Helper()
	for _, l := range lines {
		if !strings.Contains(text, "\n"+l+"\n") {
			t.Errorf("metrics lack %q", l)
		}
	}
}

func TestHTTPMetricsByRoutePattern(t *testing.T) {
	reg := metrics.New()
	m, err := metrics.NewHTTPMetrics(reg)
	if err != nil {
		t.Fatal(err)
	}
	r := chi.NewRouter()
	r.Use(m.Middleware)
	r.Get("/orders/{id}", func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusNoContent) })
	r.Post("/orders", func(w http.ResponseWriter, _ *http.Request) { http.Error(w, "no", http.StatusConflict) })
	srv := httptest.NewServer(r)
	defer srv.Close()
	for _, target := range []string{"/orders/1", "/orders/2", "/nowhere"} {
		res, err := http.Get(srv.URL + target)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
	}
	res, err := http.Post(srv.URL+"/orders", "application/json", strings.NewReader("{}"))
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	text := scrape(t, reg)
	requireLines(t, text,
		`orderflow_http_requests_total{method="GET",route="/orders/{id}",status="204"} 2`,
		`orderflow_http_requests_total{method="POST",route="/orders",status="409"} 1`,
		`orderflow_http_requests_total{method="GET",route="unmatched",status="404"} 1`,
		`orderflow_http_request_duration_seconds_count{method="GET",route="/orders/{id}"} 2`,
	)
}

func TestCommandsAndSagas(t *testing.T) {
	reg := metrics.New()
	c, err := metrics.NewCommands(reg)
	if err != nil {
		t.Fatal(err)
	}
	s, err := metrics.NewSagas(reg)
	if err != nil {
		t.Fatal(err)
	}
	c.CommandDone("order", "appended", 2)
	c.CommandDone("order", "appended", 1)
	c.CommandDone("order", "rejected", 0)
	c.Conflict("inventory")
	s.Step("fulfillment", "charge", "done")
	s.Finished("fulfillment", "completed", 1500*time.Millisecond)
	requireLines(t, scrape(t, reg),
		`orderflow_commands_total{category="order",outcome="appended"} 2`,
		`orderflow_commands_total{category="order",outcome="rejected"} 1`,
		`orderflow_events_appended_total{category="order"} 3`,
		`orderflow_command_conflicts_total{category="inventory"} 1`,
		`orderflow_saga_steps_total{outcome="done",saga="fulfillment",step="charge"} 1`,
		`orderflow_saga_duration_seconds_bucket{outcome="completed",saga="fulfillment",le="2.5"} 1`,
		`orderflow_saga_duration_seconds_bucket{outcome="completed",saga="fulfillment",le="1"} 0`,
	)
}

func TestScraped(t *testing.T) {
	reg := metrics.New()
	fail := false
	err := reg.Register(metrics.NewScraped([]metrics.Family{
		{Name: "projection_lag_seconds", Help: "lag", Labels: []string{"projection"}},
		{Name: "payment_rejections_total", Help: "rejections", Labels: []string{"reason"}, Counter: true},
	}, func(context.Context) ([][]metrics.Sample, error) {
		if fail {
			return nil, errors.New("database down")
		}
		return [][]metrics.Sample{
			{{Labels: []string{"orders"}, Value: 1.5}, {Labels: []string{"products"}, Value: 0}},
			{{Labels: []string{"breaker"}, Value: 7}},
		}, nil
	}))
	if err != nil {
		t.Fatal(err)
	}
	text := scrape(t, reg)
	requireLines(t, text,
		`orderflow_projection_lag_seconds{projection="orders"} 1.5`,
		`orderflow_projection_lag_seconds{projection="products"} 0`,
		`orderflow_payment_rejections_total{reason="breaker"} 7`,
		"# TYPE orderflow_payment_rejections_total counter",
		"# TYPE orderflow_projection_lag_seconds gauge",
	)
	fail = true
	srv := httptest.NewServer(reg.Handler())
	defer srv.Close()
	res, err := http.Get(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusInternalServerError {
		t.Fatalf("a failed read answered %d, want 500", res.StatusCode)
	}
}
