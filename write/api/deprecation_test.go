package api

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/go-chi/chi/v5"

	"github.com/orderflow/orderflow/platform/metrics"
	"github.com/orderflow/orderflow/platform/metrics/metricstest"
)

// TestDeprecationsDocumented holds the router's deprecated routes and the
// operations the OpenAPI document marks deprecated to each other: the
// same routes, the same sunset dates, and every route of the router
// answers with a Deprecation header exactly when its operation is
// deprecated.
func TestDeprecationsDocumented(t *testing.T) {
	d := loadOpenAPI(t)
	var documented, routed []string
	sunsets := map[string]any{}
	for _, o := range d.operations(t) {
		if o.op["deprecated"] == true {
			route := strings.ToUpper(o.method) + " " + o.path
			documented = append(documented, route)
			sunsets[route] = o.op["x-sunset"]
		} else if o.op["x-sunset"] != nil {
			t.Errorf("%s %s has an x-sunset but is not deprecated", o.method, o.path)
		}
	}
	for _, r := range deprecatedRoutes() {
		route := r.method + " " + r.pattern
		routed = append(routed, route)
		if want := r.Sunset.Format(time.DateOnly); sunsets[route] != want {
			t.Errorf("%s: x-sunset %v, the router's sunset %s", route, sunsets[route], want)
		}
		if !r.Since.Before(r.Sunset) {
			t.Errorf("%s: sunset %s is not after the deprecation %s", route, r.Sunset, r.Since)
		}
	}
	slices.Sort(documented)
	slices.Sort(routed)
	if !slices.Equal(documented, routed) {
		t.Errorf("deprecated in the document %q, in the router %q", documented, routed)
	}

	router := New(Config{}).Routes()
	err := chi.Walk(router, func(method, route string, _ http.Handler, _ ...func(http.Handler) http.Handler) error {
		path := templatePath(route)
		rec := httptest.NewRecorder()
		router.ServeHTTP(rec, httptest.NewRequest(method, concretePath(path), strings.NewReader("{}")))
		_, deprecated := sunsets[method+" "+path]
		if got := rec.Header().Get("Deprecation") != ""; got != deprecated {
			t.Errorf("%s %s (answered %d): Deprecation header %q, documented deprecated: %v", method, path, rec.Code, rec.Header().Get("Deprecation"), deprecated)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestDeprecatedRouteOverSocket: the deprecated GET /openapi answers what
// GET /openapi.json answers, with the Deprecation, Sunset and Link
// headers, and each request counts in
// orderflow_api_deprecated_requests_total; the route that replaces it
// has no such headers and counts nothing.
func TestDeprecatedRouteOverSocket(t *testing.T) {
	reg := metrics.New()
	counter, err := metrics.NewDeprecatedRoutes(reg)
	if err != nil {
		t.Fatal(err)
	}
	r := chi.NewRouter()
	r.Mount(Prefix, New(Config{OnDeprecated: counter.Requested}).Routes())
	srv := httptest.NewServer(r)
	t.Cleanup(srv.Close)

	const series = `orderflow_api_deprecated_requests_total{route="GET /api/v1/openapi"}`
	for i, tc := range []struct {
		path       string
		deprecated bool
		count      string
	}{
		{"/openapi.json", false, ""},
		{"/openapi", true, series + " 1"},
		{"/openapi", true, series + " 2"},
		{"/openapi.json", false, series + " 2"},
	} {
		resp, err := http.Get(srv.URL + Prefix + tc.path)
		if err != nil {
			t.Fatal(err)
		}
		body, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil {
			t.Fatal(err)
		}
		if resp.StatusCode != http.StatusOK || !bytes.Equal(body, OpenAPI()) {
			t.Fatalf("%d GET %s: %d, %d bytes; want 200 and the document", i, tc.path, resp.StatusCode, len(body))
		}
		want := http.Header{}
		if tc.deprecated {
			want = http.Header{
				"Deprecation": {"@1796601600"},
				"Sunset":      {"Wed, 30 Jun 2027 00:00:00 GMT"},
				"Link":        {`</api/v1/openapi.json>; rel="deprecation"; type="application/json"`, `</api/v1/openapi.json>; rel="successor-version"`},
			}
		}
		for _, h := range []string{"Deprecation", "Sunset", "Link"} {
			if got := resp.Header.Values(h); !slices.Equal(got, want.Values(h)) {
				t.Errorf("%d GET %s: %s %q, want %q", i, tc.path, h, got, want.Values(h))
			}
		}
		if got := strings.Join(metricstest.Lines(t, reg, "orderflow_api_deprecated_requests_total{"), "\n"); got != tc.count {
			t.Fatalf("%d GET %s: metrics %q, want %q", i, tc.path, got, tc.count)
		}
	}
}
