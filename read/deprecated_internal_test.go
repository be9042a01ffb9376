package read

import (
	"slices"
	"testing"
)

// deprecationSDL deprecates one of each kind of schema element a request
// can use.
const deprecationSDL = `
schema { query: Query }
enum Status { OPEN CLOSED @deprecated(reason: "Use DONE.") DONE }
input Filter { status: Status, region: String @deprecated(reason: "Use area."), area: String, next: Filter }
type Item { id: ID!, name: String @deprecated(reason: "Use title."), title: String }
type Query {
  items(first: Int, status: Status, statuses: [Status!], filter: Filter, kind: String @deprecated(reason: "Use filter.")): [Item!]!
  item(id: ID!): Item
  legacy: Item @deprecated
}
`

// TestDeprecatedUses: the cost walk finds every deprecated part the
// operation to run uses, once each, through fragments, aliases, literals,
// lists, input objects and variables (given or defaulted), and only in
// documents that may run.
func TestDeprecatedUses(t *testing.T) {
	a, err := newAnalyzer(deprecationSDL, DefaultLimits(), false)
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name, query, operation string
		vars                   map[string]any
		want                   []string
	}{
		{"none", `{ items { id title } }`, "", nil, nil},
		{"a field", `{ items { id name } }`, "", nil, []string{"Item.name"}},
		{"a root field", `{ legacy { id } }`, "", nil, []string{"Query.legacy"}},
		{"once however often", `{ a: items { name n: name ...F ... on Item { name } } b: item(id: "1") { ...F } } fragment F on Item { name }`, "", nil,
			[]string{"Item.name"}},
		{"an argument", `{ items(kind: "x") { id } }`, "", nil, []string{"Query.items(kind:)"}},
		{"an enum literal", `{ items(status: CLOSED) { id } }`, "", nil, []string{"Status.CLOSED"}},
		{"an enum literal that is not", `{ items(status: DONE) { id } }`, "", nil, nil},
		{"an enum in a fragment spread twice", `{ a: item(id: "1") { id } ...F ...F } fragment F on Query { items(status: CLOSED) { id } }`, "", nil, []string{"Status.CLOSED"}},
		{"an enum in a list", `{ items(statuses: [OPEN, CLOSED]) { id } }`, "", nil, []string{"Status.CLOSED"}},
		{"a single value for a list", `{ items(statuses: CLOSED) { id } }`, "", nil, []string{"Status.CLOSED"}},
		{"input fields, nested", `{ items(filter: {area: "x", next: {region: "y", status: CLOSED}}) { id } }`, "", nil,
			[]string{"Filter.region", "Status.CLOSED"}},
		{"a variable", `query Q($s: Status) { items(status: $s) { id } }`, "", map[string]any{"s": "CLOSED"}, []string{"Status.CLOSED"}},
		{"a variable's default", `query Q($s: Status = CLOSED) { items(status: $s) { id } }`, "", nil, []string{"Status.CLOSED"}},
		{"a variable given over its default", `query Q($s: Status = CLOSED) { items(status: $s) { id } }`, "", map[string]any{"s": "OPEN"}, nil},
		{"a list variable", `query Q($s: [Status!]) { items(statuses: $s) { id } }`, "", map[string]any{"s": []any{"OPEN", "CLOSED"}}, []string{"Status.CLOSED"}},
		{"an input variable", `query Q($f: Filter) { items(filter: $f) { id } }`, "", map[string]any{"f": map[string]any{"region": "x", "next": map[string]any{"status": "CLOSED"}}},
			[]string{"Filter.region", "Status.CLOSED"}},
		{"several, in order", `{ legacy { name } items(kind: "k", status: CLOSED) { id } }`, "", nil,
			[]string{"Item.name", "Query.items(kind:)", "Query.legacy", "Status.CLOSED"}},
		{"only the operation that runs", `query A { legacy { id } } query B { items { id } }`, "B", nil, nil},
		{"the operation that runs", `query A { legacy { id } } query B { items { id } }`, "A", nil, []string{"Query.legacy"}},
		{"not in a refused document", `{ legacy { id } items(first: 1000) { id } }`, "", nil, nil},
		{"not with a refused variable", `query Q($n: Int) { legacy { id } items(first: $n) { id } }`, "", map[string]any{"n": 5000}, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			an := a.analyze(tc.query, tc.operation, tc.vars, false)
			if !slices.Equal(an.deprecated, tc.want) {
				t.Fatalf("deprecated uses %q, want %q (refusal: %v)", an.deprecated, tc.want, an.err)
			}
		})
	}
}
