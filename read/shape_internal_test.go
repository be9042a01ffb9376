package read

import (
	"fmt"
	"strings"
	"testing"
)

// TestShapeStepsStayLinear: documents whose fragments expand
// exponentially, through cycles too, are refused in a number of steps
// bounded by their length and MaxFields.
func TestShapeStepsStayLinear(t *testing.T) {
	chain := func(n, fanout int, closing string, entry int) string {
		var b strings.Builder
		fmt.Fprintf(&b, "{ ...X%d }\n", entry)
		for i := range n {
			next := fmt.Sprintf("X%d", i+1)
			if i == n-1 {
				next = closing
			}
			fmt.Fprintf(&b, "fragment X%d on Query { __typename%s }\n", i, strings.Repeat(" ..."+next, fanout))
		}
		return b.String()
	}
	limits := DefaultLimits()
	cases := []struct {
		name, query string
	}{
		{"a chain", chain(12, 8, "X0", 0)},
		{"a chain entered at its end", chain(12, 8, "X0", 11)},
		{"a chain entered in its middle", chain(12, 8, "X0", 6)},
		{"a chain to nowhere", chain(12, 8, "Nowhere", 0)},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			parsed, err := parseDocument(tc.query)
			if err != nil {
				t.Fatal(err)
			}
			steps, err := checkShape(newDocument(parsed), limits)
			re, ok := err.(*requestError)
			if !ok || re.code != codeMaxFields {
				t.Fatalf("checkShape = %v, want MAX_FIELDS_EXCEEDED", err)
			}
			if bound := 2*len(tc.query) + 2*limits.MaxFields; steps > bound {
				t.Fatalf("%d steps for %d bytes, more than %d", steps, len(tc.query), bound)
			}
		})
	}
}
