package metrics_test

import (
	"testing"

	"github.com/orderflow/orderflow/platform/metrics"
)

func TestGraphQL(t *testing.T) {
	reg := metrics.New()
	g, err := metrics.NewGraphQL(reg)
	if err != nil {
		t.Fatal(err)
	}
	g.Refused("MAX_FIELDS_EXCEEDED")
	g.Refused("MAX_FIELDS_EXCEEDED")
	g.Refused("RESPONSE_TOO_LARGE")
	g.ErrorsDropped(20)
	g.DeprecatedUsed("TimelineEntry.causationId")
	g.DeprecatedUsed("TimelineEntry.causationId")
	g.DeprecatedUsed("OrderStatus.PAID")
	requireLines(t, scrape(t, reg),
		`orderflow_graphql_deprecated_uses_total{field="OrderStatus.PAID"} 1`,
		`orderflow_graphql_deprecated_uses_total{field="TimelineEntry.causationId"} 2`,
		`orderflow_graphql_refused_total{code="MAX_FIELDS_EXCEEDED"} 2`,
		`orderflow_graphql_refused_total{code="RESPONSE_TOO_LARGE"} 1`,
		`orderflow_graphql_errors_dropped_total 20`,
	)
}

func TestDeprecatedRoutes(t *testing.T) {
	reg := metrics.New()
	d, err := metrics.NewDeprecatedRoutes(reg)
	if err != nil {
		t.Fatal(err)
	}
	d.Requested("GET /api/v1/openapi")
	d.Requested("GET /api/v1/openapi")
	requireLines(t, scrape(t, reg), `orderflow_api_deprecated_requests_total{route="GET /api/v1/openapi"} 2`)
}
