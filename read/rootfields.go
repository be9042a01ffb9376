package read

import (
	"fmt"

	"github.com/vektah/gqlparser/v2/ast"
)

// RootFields counts the root fields of the operation a request runs: one
// per field selected at the top, aliases and fields reached through
// fragments included, so that
//
//	{ a: order(id: "1") { id } b: order(id: "2") { id } }
//
// counts 2. A rate limiter can charge a request that many units
// (ratelimit.Cost). operationName picks the operation as GraphQL does: it
// may be empty when the document has one. A document that does not parse,
// or names no such operation, is an error.
func RootFields(query, operationName string) (int, error) {
	parsed, err := parseDocument(query)
	if err != nil {
		return 0, err
	}
	doc := newDocument(parsed)
	op := operation(doc, operationName)
	if op == nil {
		return 0, fmt.Errorf("no operation %q in the document", clip(operationName))
	}
	return rootFields(doc, op), nil
}

// rootFields is RootFields of an operation of a parsed document.
func rootFields(doc *document, op *ast.OperationDefinition) int {
	c := fieldCounter{doc: doc, counted: make(map[string]int), inFragment: make(map[string]bool)}
	return c.count(op.SelectionSet)
}

// fieldCounter counts the fields of a selection set, fragments expanded.
// It counts each fragment once, so fragments that spread others many
// times cannot make it work exponentially.
type fieldCounter struct {
	doc        *document
	counted    map[string]int
	inFragment map[string]bool
}

func (c *fieldCounter) count(set ast.SelectionSet) int {
	n := 0
	for _, sel := range set {
		switch sel := sel.(type) {
		case *ast.Field:
			n = addCapped(n, 1)
		case *ast.InlineFragment:
			n = addCapped(n, c.count(sel.SelectionSet))
		case *ast.FragmentSpread:
			if k, ok := c.counted[sel.Name]; ok {
				n = addCapped(n, k)
				continue
			}
			frag := c.doc.fragments[sel.Name]
			if frag == nil || c.inFragment[sel.Name] {
				continue // unknown or cyclic: validation refuses the document
			}
			c.inFragment[sel.Name] = true
			k := c.count(frag.SelectionSet)
			c.inFragment[sel.Name] = false
			c.counted[sel.Name] = k
			n = addCapped(n, k)
		}
	}
	return n
}

// Cost returns the cost of a document with its variables, as the limits
// reckon it (see Limits and the package documentation), or the error that
// the handler would refuse it with. A rate limiter may charge by it.
func (h *Handler) Cost(query string, variables map[string]any) (int, error) {
	return h.analyzer.cost(query, variables)
}
