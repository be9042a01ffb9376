package read_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/orderflow/orderflow/platform/metrics/metricstest"
	"github.com/orderflow/orderflow/read"
	"github.com/orderflow/orderflow/write/order"
)

// TestDeprecatedFieldUses: TimelineEntry.causationId is deprecated in the
// SDL, introspection says so, it is still served, and every request that
// runs and selects it counts once in
// orderflow_graphql_deprecated_uses_total, however often it selects it;
// requests that do not select it, refused documents and operations that
// do not run count nothing.
func TestDeprecatedFieldUses(t *testing.T) {
	reg, observer := newObserver(t)
	e := newEnv(t, withConfig(read.Config{Observer: observer, Introspection: true}))
	e.Product("SKU-1", "Widget", eur(1999), 5)
	e.Place("o-1", "c-1", order.LineRequest{SKU: "SKU-1", Quantity: 1})
	e.CaughtUp("orders", "order_timeline")

	sameJSON(t, e.data(admin, `{ __type(name: "TimelineEntry") { fields(includeDeprecated: true) { name isDeprecated deprecationReason } } }`, nil),
		introspected(t, e))

	const uses = `orderflow_graphql_deprecated_uses_total{field="TimelineEntry.causationId"}`
	steps := []struct {
		name, query, operation string
		status                 int
		want                   string // the counter after the request; "" while it has no series
	}{
		{"not selected", `{ order(id: "o-1") { timeline { causedBy { id } } } }`, "", http.StatusOK, ""},
		{"selected three times", `{ order(id: "o-1") { timeline { causationId c: causationId ...T } } } fragment T on TimelineEntry { causationId }`, "", http.StatusOK, uses + " 1"},
		{"selected again", `{ order(id: "o-1") { timeline { causationId } } }`, "", http.StatusOK, uses + " 2"},
		{"refused", `{ order(id: "o-1") { timeline { causationId } } orders(first: 500) { edges { cursor } } }`, "", http.StatusBadRequest, uses + " 2"},
		{"in an operation that does not run", `query A { order(id: "o-1") { timeline { causationId } } } query B { order(id: "o-1") { id } }`, "B", http.StatusOK, uses + " 2"},
		{"in the operation that runs", `query A { order(id: "o-1") { timeline { causationId } } } query B { order(id: "o-1") { id } }`, "A", http.StatusOK, uses + " 3"},
	}
	for _, s := range steps {
		r := e.do(admin, request{Query: s.query, OperationName: s.operation})
		if r.status != s.status {
			t.Fatalf("%s: %d %s, want %d", s.name, r.status, r.body, s.status)
		}
		if s.status == http.StatusOK && len(r.gql(t).Errors) > 0 {
			t.Fatalf("%s: %s", s.name, r.body)
		}
		got := strings.Join(metricstest.Lines(t, reg, "orderflow_graphql_deprecated_uses_total{"), "\n")
		if got != s.want {
			t.Fatalf("after %s: metrics %q, want %q", s.name, got, s.want)
		}
	}
	// The deprecated field still answers what causedBy.id answers.
	sameJSON(t, e.data(admin, `{ order(id: "o-1") { timeline { causationId causedBy { id } } } }`, nil), sameCauses(t, e))
}

// introspected is what introspection must say of TimelineEntry's fields.
func introspected(t *testing.T, e *env) string {
	t.Helper()
	var fields []string
	for _, f := range []string{"type", "position", "stream", "revision", "occurredAt", "eventId", "correlationId", "causationId", "causedBy"} {
		if f == "causationId" {
			fields = append(fields, `{"name":"causationId","isDeprecated":true,"deprecationReason":"Use causedBy.id: the same id, with what it names."}`)
			continue
		}
		fields = append(fields, `{"name":"`+f+`","isDeprecated":false,"deprecationReason":null}`)
	}
	return `{"__type":{"fields":[` + strings.Join(fields, ",") + `]}}`
}

// sameCauses is the timeline of o-1 with causationId and causedBy.id as
// the server has them, which must be equal.
func sameCauses(t *testing.T, e *env) string {
	t.Helper()
	var entries []string
	for _, ev := range e.Stream("order-o-1") {
		id := ev.Metadata.CausationID
		entries = append(entries, `{"causationId":"`+id+`","causedBy":{"id":"`+id+`"}}`)
	}
	return `{"order":{"timeline":[` + strings.Join(entries, ",") + `]}}`
}
