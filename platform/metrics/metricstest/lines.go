// Package metricstest reads a metrics registry the way Prometheus does,
// for tests.
package metricstest

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/orderflow/orderflow/platform/metrics"
)

// Lines returns the lines of reg's exposition that begin with prefix.
func Lines(t testing.TB, reg *metrics.Registry, prefix string) []string {
	t.Helper()
	rec := httptest.NewRecorder()
	reg.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	var out []string
	for _, l := range strings.Split(rec.Body.String(), "\n") {
		if strings.HasPrefix(l, prefix) {
			out = append(out, l)
		}
	}
	return out
}
