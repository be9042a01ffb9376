package read

import (
	"fmt"
	"strings"
	"testing"

	graphql "github.com/graph-gophers/graphql-go"

	"github.com/orderflow/orderflow/schema"
)

// docGen writes a GraphQL document of our schema as its bytes choose:
// aliases that collide or not, fields with and without arguments,
// fragments that spread one another (cycles included), inline
// fragments, directives, nesting, and runs of repeated selections.
type docGen struct {
	data  []byte
	i     int
	frags int
	b     strings.Builder
}

// pick returns the next choice in 0..n-1 (0 once the bytes run out).
func (g *docGen) pick(n int) int {
	if g.i >= len(g.data) || n <= 1 {
		return 0
	}
	c := int(g.data[g.i]) % n
	g.i++
	return c
}

func (g *docGen) write(s ...string) {
	for _, x := range s {
		g.b.WriteString(x)
	}
}

var (
	genAliases    = []string{"", "", "a: ", "b: ", "sku: ", "name: "}
	genLeaves     = []string{"sku", "name", "available", "__typename", "sku"}
	genDirectives = []string{"", "", " @include(if: true)", " @skip(if: false)", " @include(if: true) @skip(if: false)"}
	genSKUs       = []string{`"x"`, `"y"`, `$s`}
)

// repeat writes one item a few times or, now and then, many times.
func (g *docGen) repeat(item func()) {
	n := 1
	switch g.pick(8) {
	case 6:
		n = 2 + g.pick(8)
	case 7:
		n = 10 + 10*g.pick(30)
	}
	for range n {
		item()
	}
}

// productSet writes the selections of a Product.
func (g *docGen) productSet(depth int) {
	for range 1 + g.pick(5) {
		g.repeat(func() { g.productSelection(depth) })
	}
}

func (g *docGen) productSelection(depth int) {
	switch k := g.pick(10); {
	case k < 5:
		g.write(" ", genAliases[g.pick(len(genAliases))], genLeaves[g.pick(len(genLeaves))], genDirectives[g.pick(len(genDirectives))])
	case k < 7:
		g.write(" ", genAliases[g.pick(len(genAliases))], "price", genDirectives[g.pick(len(genDirectives))], " {")
		for range 1 + g.pick(3) {
			g.write(" ", []string{"", "a: ", "amount: "}[g.pick(3)], []string{"amount", "currency"}[g.pick(2)])
		}
		g.write(" }")
	case k < 8 && depth < 4:
		g.write(" ... on Product", genDirectives[g.pick(len(genDirectives))], " {")
		g.productSet(depth + 1)
		g.write(" }")
	case g.frags > 0:
		g.write(" ...F", fmt.Sprint(g.pick(g.frags)), genDirectives[g.pick(len(genDirectives))])
	default:
		g.write(" sku")
	}
}

// generate returns the document.
func (g *docGen) generate() string {
	g.frags = g.pick(5)
	g.write("query Q($s: String! = \"x\") {")
	for range 1 + g.pick(4) {
		g.repeat(func() {
			switch g.pick(3) {
			case 0:
				g.write(" ", []string{"", "p: ", "a: "}[g.pick(3)], "product(sku: ", genSKUs[g.pick(len(genSKUs))], ")", genDirectives[g.pick(len(genDirectives))], " {")
				g.productSet(1)
				g.write(" }")
			case 1:
				g.write(" ", []string{"", "p: "}[g.pick(2)], "products(first: ", fmt.Sprint(g.pick(3)), ") { edges { node {")
				g.productSet(1)
				g.write(" } } }")
			default:
				g.write(" __typename")
			}
		})
	}
	g.write(" }")
	for i := range g.frags {
		g.write(fmt.Sprintf("\nfragment F%d on Product {", i))
		g.productSet(1)
		g.write(" }")
	}
	return g.b.String()
}

// FuzzShape runs generated documents through the analyzer: it never
// panics, takes a number of steps bounded by the document's length and
// MaxFields (never the expansion of its fragments), and whatever shape it
// accepts, graphql-go's validation finds no overlapping fields in: no
// document it lets through can make graphql-go report pairs of fields.
func FuzzShape(f *testing.F) {
	limits := DefaultLimits()
	a, err := newAnalyzer(schema.GraphQL(), limits, false)
	if err != nil {
		f.Fatal(err)
	}
	validator, err := graphql.ParseSchema(schema.GraphQL(), nil)
	if err != nil {
		f.Fatal(err)
	}
	for _, seed := range []string{"", "\x00\x01\x02", "\x04\x07\x07\x07\x07\x03\x03\x03", "\x02\x00\x07\x1d\x00\x01\x02\x03\x04\x05",
		"\x03\x07\x02\x00\x00\x02\x07\x09\x01\x03\x09", "\x01\x00\x00\x00\x02\x05\x00\x01\x00\x07\x1d\x00\x00\x01"} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		g := docGen{data: data}
		query := g.generate()
		for _, anonymous := range []bool{false, true} {
			if an := a.analyze(query, "", nil, anonymous); an.err != nil {
				if _, ok := an.err.(*requestError); !ok {
					t.Fatalf("analyze(%q): %v is not a *requestError", query, an.err)
				}
			}
		}
		parsed, err := parseDocument(query)
		if err != nil {
			if len(query) <= limits.MaxQueryBytes {
				t.Fatalf("a generated document does not parse: %v\n%s", err, query)
			}
			return
		}
		steps, shapeErr := checkShape(newDocument(parsed), limits)
		if bound := 2*len(query) + 2*limits.MaxFields + 16; steps > bound {
			t.Fatalf("checkShape took %d steps for %d bytes, more than %d:\n%s", steps, len(query), bound, query)
		}
		if shapeErr != nil {
			return
		}
		overlaps := 0
		for _, e := range validator.Validate(query) {
			if e.Rule == "OverlappingFieldsCanBeMergedRule" || e.Rule == "OverlapValidationLimitExceeded" {
				overlaps++
			}
		}
		if overlaps > 0 {
			t.Fatalf("checkShape accepted a document in which graphql-go finds %d overlapping fields:\n%s", overlaps, query)
		}
	})
}
