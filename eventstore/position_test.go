package eventstore_test

import (
	"errors"
	"testing"

	"github.com/orderflow/orderflow/eventstore"
)

func TestPositionRoundTrip(t *testing.T) {
	for _, p := range []eventstore.Position{{}, {Commit: 1, Prepare: 2}, {Commit: 1<<64 - 1, Prepare: 1<<64 - 1}} {
		got, err := eventstore.ParsePosition(p.String())
		if err != nil || got != p {
			t.Fatalf("ParsePosition(%q) = %v, %v; want %v", p.String(), got, err, p)
		}
	}
}

func TestParsePositionRejects(t *testing.T) {
	for _, s := range []string{"", ".", "1", "1.", ".1", "a.b", "-1.2", "+1.2", "1.+2", "1.2.3", " 1.2", "18446744073709551616.0", "00.0", "1.01"} {
		if _, err := eventstore.ParsePosition(s); !errors.Is(err, eventstore.ErrInvalid) {
			t.Errorf("ParsePosition(%q): %v, want ErrInvalid", s, err)
		}
	}
}

func TestPositionOrder(t *testing.T) {
	tests := []struct {
		name string
		p, q eventstore.Position
		want int
	}{
		{"equal", eventstore.Position{Commit: 3, Prepare: 4}, eventstore.Position{Commit: 3, Prepare: 4}, 0},
		{"commit decides", eventstore.Position{Commit: 2, Prepare: 9}, eventstore.Position{Commit: 3, Prepare: 1}, -1},
		{"prepare breaks ties", eventstore.Position{Commit: 3, Prepare: 5}, eventstore.Position{Commit: 3, Prepare: 4}, 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.p.Compare(tc.q); got != tc.want {
				t.Fatalf("%v.Compare(%v) = %d, want %d", tc.p, tc.q, got, tc.want)
			}
			if got := tc.p.Less(tc.q); got != (tc.want < 0) {
				t.Fatalf("%v.Less(%v) = %v", tc.p, tc.q, got)
			}
		})
	}
}

func FuzzParsePosition(f *testing.F) {
	for _, s := range []string{"0.0", "12.34", "1.", "x", "18446744073709551615.1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p, err := eventstore.ParsePosition(s)
		if err != nil {
			if !errors.Is(err, eventstore.ErrInvalid) {
				t.Fatalf("error %v does not wrap ErrInvalid", err)
			}
			return
		}
		if p.String() != s {
			t.Fatalf("ParsePosition(%q) accepted a non-canonical form (%q)", s, p.String())
		}
	})
}
