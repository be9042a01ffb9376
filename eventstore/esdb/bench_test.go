package esdb

import (
	"testing"

	"github.com/orderflow/orderflow/eventstore"
	"github.com/orderflow/orderflow/eventstore/esdb/esdbtest"
)

// BenchmarkAppendToLongStream appends one event at a time to a stream of
// 1000 events on the stand-in: with an exact expected revision (the
// baseline, which reads only the tail before writing) and with Any (which
// also looks the batch up in the rest of the stream, through the id
// index). Compare the two in the same run.
func BenchmarkAppendToLongStream(b *testing.B) {
	for _, impl := range []string{"exact", "any"} {
		b.Run("impl="+impl, func(b *testing.B) {
			f := esdbtest.Start(b)
			s := newStandInStore(b, f)
			for i := 0; i < 1000; i += 100 {
				if _, err := s.Append(b.Context(), "order-1", eventstore.Any, events(i, 100)...); err != nil {
					b.Fatal(err)
				}
			}
			rev := uint64(999)
			b.ResetTimer()
			for i := range b.N {
				expected := eventstore.Any
				if impl == "exact" {
					expected = eventstore.Exact(rev)
				}
				res, err := s.Append(b.Context(), "order-1", expected, event(i))
				if err != nil {
					b.Fatal(err)
				}
				rev = res.Revision
			}
		})
	}
}
