package eventstore_test

import (
	"testing"

	"github.com/orderflow/orderflow/eventstore"
)

func TestExpectedRevisionAllows(t *testing.T) {
	tests := []struct {
		name     string
		expected eventstore.ExpectedRevision
		actual   uint64
		exists   bool
		want     bool
	}{
		{"any on a missing stream", eventstore.Any, 0, false, true},
		{"any on a stream", eventstore.Any, 7, true, true},
		{"no stream on a missing stream", eventstore.NoStream, 0, false, true},
		{"no stream on a stream", eventstore.NoStream, 0, true, false},
		{"stream exists on a stream", eventstore.StreamExists, 3, true, true},
		{"stream exists on a missing stream", eventstore.StreamExists, 0, false, false},
		{"exact match", eventstore.Exact(3), 3, true, true},
		{"exact mismatch", eventstore.Exact(3), 4, true, false},
		{"exact 0 on a missing stream", eventstore.Exact(0), 0, false, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.expected.Allows(tc.actual, tc.exists); got != tc.want {
				t.Fatalf("%s.Allows(%d, %v) = %v, want %v", tc.expected, tc.actual, tc.exists, got, tc.want)
			}
		})
	}
}
