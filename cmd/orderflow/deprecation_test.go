package main

import (
	"net/http"
	"testing"
	"time"

	"github.com/orderflow/orderflow/platform/dbtest"
)

// TestDeprecatedUsesAreMeasured: through the whole api process, a request
// to the deprecated REST route carries the deprecation headers (exposed to
// browsers of an allowed origin) and counts in
// orderflow_api_deprecated_requests_total, and a GraphQL query selecting
// a deprecated field counts in orderflow_graphql_deprecated_uses_total.
func TestDeprecatedUsesAreMeasured(t *testing.T) {
	s := startSystem(t, dbtest.New(t), map[string]string{"ORDERFLOW_CORS_ORIGINS": "https://shop.example"})
	eventually(t, 60*time.Second, "every projection to go live", func() bool { return caughtUp(s.projections(t)) })
	const (
		route = `orderflow_api_deprecated_requests_total{route="GET /api/v1/openapi"}`
		field = `orderflow_graphql_deprecated_uses_total{field="TimelineEntry.causationId"}`
	)
	before := s.text(t, "/metrics")

	h := s.call(t, http.MethodGet, "/api/v1/openapi", "", nil, http.StatusOK, nil, "Origin", "https://shop.example")
	if h.Get("Deprecation") != "@1796601600" || h.Get("Sunset") != "Wed, 30 Jun 2027 00:00:00 GMT" || len(h.Values("Link")) != 2 {
		t.Errorf("deprecation headers: Deprecation %q, Sunset %q, Link %q", h.Get("Deprecation"), h.Get("Sunset"), h.Values("Link"))
	}
	if got := h.Get("Access-Control-Expose-Headers"); !containsAll(got, "Deprecation", "Sunset", "Link") {
		t.Errorf("Access-Control-Expose-Headers %q does not expose the deprecation headers", got)
	}
	h = s.call(t, http.MethodGet, "/api/v1/openapi.json", "", nil, http.StatusOK, nil)
	if h.Get("Deprecation") != "" {
		t.Errorf("GET /api/v1/openapi.json: Deprecation %q", h.Get("Deprecation"))
	}
	var out struct{ Order *struct{} }
	s.graphql(t, s.admin, `{ order(id: "none") { timeline { causationId } } }`, nil, &out)
	s.graphql(t, s.admin, `{ order(id: "none") { timeline { causedBy { id } } } }`, nil, &out)

	after := s.text(t, "/metrics")
	for series, want := range map[string]float64{route: 1, field: 1} {
		if got := metricValue(t, after, series) - metricValue(t, before, series); got != want {
			t.Errorf("%s grew by %v, want %v", series, got, want)
		}
	}
}

// containsAll tells whether the comma-separated list has every name.
func containsAll(list string, names ...string) bool {
	have := map[string]bool{}
	for _, n := range splitList(list) {
		have[http.CanonicalHeaderKey(n)] = true
	}
	for _, n := range names {
		if !have[n] {
			return false
		}
	}
	return true
}
