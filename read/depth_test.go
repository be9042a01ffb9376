package read

import (
	"strings"
	"testing"
)

// TestShallow: nesting counts arrays and objects, not brackets inside
// strings (escaped quotes included).
func TestShallow(t *testing.T) {
	cases := []struct {
		name string
		json string
		want bool
	}{
		{"flat", `{"query":"{ a }","variables":{"a":[1,2,{"b":3}]}}`, true},
		{"32 deep", strings.Repeat("[", 32) + strings.Repeat("]", 32), true},
		{"33 deep", strings.Repeat("[", 33) + strings.Repeat("]", 33), false},
		{"objects count", strings.Repeat(`{"a":`, 33) + "1" + strings.Repeat("}", 33), false},
		{"brackets in a string", `{"v":"` + strings.Repeat("[", 100) + `"}`, true},
		{"an escaped quote does not end the string", `{"v":"\"` + strings.Repeat("{", 100) + `"}`, true},
		{"an escaped backslash does", `{"v":"\\",` + `"w":` + strings.Repeat("[", 40) + strings.Repeat("]", 40) + `}`, false},
	}
	for _, tc := range cases {
		if got := shallow([]byte(tc.json)); got != tc.want {
			t.Errorf("%s: shallow = %v, want %v", tc.name, got, tc.want)
		}
	}
}
