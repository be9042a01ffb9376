package read

import (
	"fmt"
	"net/http"

	"github.com/vektah/gqlparser/v2/ast"
)

// publicRootFields are the root fields a caller without a token may
// query: the catalog, and introspection when it is on.
var publicRootFields = map[string]bool{
	"product":    true,
	"products":   true,
	"__typename": true,
	"__schema":   true,
	"__type":     true,
}

// checkPublic refuses, with a 401 *requestError, an operation of doc that
// selects a root field a caller without a token may not query. Fragments
// are followed once each; checkShape has bounded the document already.
func checkPublic(doc *document, op *ast.OperationDefinition) error {
	seen := make(map[string]bool)
	var walk func(set ast.SelectionSet) error
	walk = func(set ast.SelectionSet) error {
		for _, sel := range set {
			switch sel := sel.(type) {
			case *ast.Field:
				if !publicRootFields[sel.Name] {
					return &requestError{status: http.StatusUnauthorized, code: codeUnauthenticated,
						message: fmt.Sprintf("%q needs a token: without one, only the catalog (product, products) may be queried", clip(sel.Name))}
				}
			case *ast.InlineFragment:
				if err := walk(sel.SelectionSet); err != nil {
					return err
				}
			case *ast.FragmentSpread:
				frag := doc.fragments[sel.Name]
				if frag == nil || seen[sel.Name] {
					continue
				}
				seen[sel.Name] = true
				if err := walk(frag.SelectionSet); err != nil {
					return err
				}
			}
		}
		return nil
	}
	return walk(op.SelectionSet)
}
