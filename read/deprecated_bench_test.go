package read

import (
	"testing"

	"github.com/orderflow/orderflow/schema"
)

// BenchmarkDeprecatedUses measures what noting the deprecated parts a
// request uses adds to the cost walk, for a page of orders with their
// timelines (which select the deprecated causationId) and an enum
// argument: impl=store walks and notes, impl=raw walks alone.
func BenchmarkDeprecatedUses(b *testing.B) {
	a, err := newAnalyzer(schema.GraphQL(), DefaultLimits(), false)
	if err != nil {
		b.Fatal(err)
	}
	const query = `query Page($n: Int, $s: OrderStatus) { orders(first: $n, status: $s) { edges { cursor node {
  id status total { amount currency } lines { sku quantity unitPrice { amount currency } }
  timeline { type position eventId causationId causedBy { kind id } } } } pageInfo { hasNextPage endCursor } } }`
	vars := map[string]any{"n": 50, "s": "PAID"}
	doc, _, err := a.document(query)
	if err != nil {
		b.Fatal(err)
	}
	op := operation(doc, "")
	for _, impl := range []string{"raw", "store"} {
		b.Run("impl="+impl, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				var uses *deprecatedUses
				if impl == "store" {
					uses = &deprecatedUses{}
				}
				if _, err := a.measure(doc, vars, op, uses); err != nil {
					b.Fatal(err)
				}
				if impl == "store" && len(uses.sorted()) != 1 {
					b.Fatalf("uses %v", uses)
				}
			}
		})
	}
}
