package pg_test

import (
	"context"
	"testing"

	"github.com/google/uuid"

	"github.com/orderflow/orderflow/eventstore"
)

func TestCountCountsTheLog(t *testing.T) {
	ctx := context.Background()
	s, _ := newStore(t)
	if n, err := s.Count(ctx); err != nil || n != 0 {
		t.Fatalf("Count of an empty log = %d, %v; want 0", n, err)
	}
	for i, stream := range []string{"order-1", "order-2", "order-1"} {
		ev := eventstore.EventData{ID: uuid.New(), Type: "order.noted", Data: []byte(`{"i":` + string(rune('0'+i)) + `}`)}
		if _, err := s.Append(ctx, stream, eventstore.Any, ev); err != nil {
			t.Fatal(err)
		}
	}
	if n, err := s.Count(ctx); err != nil || n != 3 {
		t.Fatalf("Count = %d, %v; want 3", n, err)
	}
}
