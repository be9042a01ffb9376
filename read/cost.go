package read

import (
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"

	lru "github.com/hashicorp/golang-lru/v2"
	"github.com/vektah/gqlparser/v2"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
	"github.com/vektah/gqlparser/v2/parser"
)

// analyzer checks documents against the Limits before they run. It parses
// them with gqlparser against the same SDL the executor serves, since
// graphql-go keeps its own query AST internal. It is safe for concurrent
// use.
type analyzer struct {
	schema        *ast.Schema
	limits        Limits
	introspection bool
	// deprecations says what the schema deprecates, for the cost walk
	// to note the uses of.
	deprecations deprecations
	// parsed keeps the documents parsed lately, by query text: clients send
	// the same few queries again and again, and parsing is a good part of
	// the cost of a small one. It keeps only documents that pass
	// checkShape and are at most cachedQueryBytes long, so that what it
	// holds stays small whatever clients send. The documents are only
	// read once parsed.
	parsed *lru.Cache[string, *document]
}

// parsedDocuments is how many parsed documents an analyzer keeps, and
// cachedQueryBytes the longest query text it keeps one of: a few
// megabytes of syntax trees in all.
const (
	parsedDocuments  = 256
	cachedQueryBytes = 2 << 10
)

func newAnalyzer(sdl string, limits Limits, introspection bool) (*analyzer, error) {
	s, err := gqlparser.LoadSchema(&ast.Source{Name: "orderflow.graphql", Input: sdl})
	if err != nil {
		return nil, fmt.Errorf("load the schema for the cost analysis: %w", err)
	}
	parsed, err := lru.New[string, *document](parsedDocuments)
	if err != nil {
		return nil, err
	}
	return &analyzer{schema: s, limits: limits, introspection: introspection, parsed: parsed, deprecations: findDeprecations(s)}, nil
}

// document parses query, or returns the document it parsed from the same
// text lately, and whether it did.
func (a *analyzer) document(query string) (doc *document, cached bool, err error) {
	if doc, ok := a.parsed.Get(query); ok {
		return doc, true, nil
	}
	parsed, err := parseDocument(query)
	if err != nil {
		return nil, false, err
	}
	return newDocument(parsed), false, nil
}

// analysis is what the analyzer found of a request's document.
type analysis struct {
	// err is the *requestError that refuses the document, nil when it
	// may run.
	err error
	// cost is the highest cost of the document's operations, as far as
	// it was counted before a refusal.
	cost int
	// rootFields counts the root fields of the operation to run (see
	// RootFields); 0 when the document does not parse or names no such
	// operation.
	rootFields int
	// bytes is the length of the request: its query, or more, what
	// carried it (a body, a URL's query string).
	bytes int
	// deprecated are the schema coordinates of the deprecated parts the
	// operation to run uses (see deprecatedUses), in order; nil when the
	// document is refused.
	deprecated []string
}

// analyze checks a request's document and returns what it found. The
// document is refused when it is too long, does not parse, makes too many
// selections or uses a response key for two different fields (see
// checkShape), selects a root field that needs a token while the caller
// is anonymous, asks for introspection while it is off, or when one of
// its operations nests too deeply, asks for a page too large or costs too
// much, or gives a variable of the operation to run a value its type
// refuses (see checkVariables). Each check is linear in the document, and
// the checks that expand fragments run only once checkShape has bounded
// how much they expand.
func (a *analyzer) analyze(query, operationName string, variables map[string]any, anonymous bool) analysis {
	an := analysis{bytes: len(query)}
	if len(query) > a.limits.MaxQueryBytes {
		an.err = &requestError{code: codeQueryTooLong,
			message: fmt.Sprintf("the query is %d bytes long; the limit is %d bytes", len(query), a.limits.MaxQueryBytes)}
		return an
	}
	doc, cached, err := a.document(query)
	if err != nil {
		an.err = err
		return an
	}
	op := operation(doc, operationName)
	if op != nil {
		an.rootFields = min(rootFields(doc, op), a.limits.MaxFields+1)
	}
	if !cached {
		if _, err := checkShape(doc, a.limits); err != nil {
			an.err = err
			return an
		}
		if len(query) <= cachedQueryBytes {
			a.parsed.Add(query, doc)
		}
	}
	if anonymous && op != nil {
		if err := checkPublic(doc, op); err != nil {
			an.err = err
			return an
		}
	}
	var uses deprecatedUses
	if an.cost, an.err = a.measure(doc, variables, op, &uses); an.err != nil {
		return an
	}
	if an.err = checkVariables(doc, operationName, variables); an.err == nil {
		an.deprecated = uses.sorted()
	}
	return an
}

// units is what the analysis charges against the caller's rate limit:
// the most of 1, the root fields, the cost divided by CostPerUnit and the
// request's length divided by QueryBytesPerUnit, both rounded up. A
// refused document is charged the same way, by what was counted of it.
func (an analysis) units(l Limits) int {
	return max(1, an.rootFields, ceilDiv(an.cost, l.CostPerUnit), ceilDiv(an.bytes, l.QueryBytesPerUnit))
}

func ceilDiv(a, b int) int { return (a + b - 1) / b }

// cost returns the highest cost of the document's operations, or the
// *requestError of the first limit it breaks.
func (a *analyzer) cost(query string, variables map[string]any) (int, error) {
	an := a.analyze(query, "", variables, false)
	if an.err != nil {
		return 0, an.err
	}
	return an.cost, nil
}

// measure returns the highest cost of the document's operations, or, with
// the *requestError of the first limit an operation breaks, the cost
// counted until then. It records in uses the deprecated parts of the
// schema that run, the operation to run, uses (nil for none).
func (a *analyzer) measure(doc *document, variables map[string]any, run *ast.OperationDefinition, uses *deprecatedUses) (int, error) {
	highest := 0
	for _, op := range doc.Operations {
		w := costWalk{a: a, doc: doc, op: op, vars: variables, inFragment: make(map[string]bool)}
		if op == run && a.deprecations.any() {
			w.uses = uses
		}
		root := a.schema.Query
		switch op.Operation {
		case ast.Mutation:
			root = a.schema.Mutation
		case ast.Subscription:
			root = a.schema.Subscription
		}
		err := w.selections(op.SelectionSet, root, 1, 1)
		highest = max(highest, w.total)
		if err != nil {
			return highest, err
		}
	}
	return highest, nil
}

// parseDocument parses a query document, turning a syntax error into a
// *requestError.
func parseDocument(query string) (*ast.QueryDocument, error) {
	doc, err := parser.ParseQuery(&ast.Source{Name: "query", Input: query})
	if err != nil {
		msg := err.Error()
		if ge, ok := err.(*gqlerror.Error); ok {
			msg = ge.Message
			if len(ge.Locations) > 0 {
				msg = fmt.Sprintf("%s (line %d, column %d)", clipMessage(msg), ge.Locations[0].Line, ge.Locations[0].Column)
			}
		}
		return nil, &requestError{code: codeSyntax, message: "syntax error: " + clipMessage(msg)}
	}
	if len(doc.Operations) == 0 {
		return nil, &requestError{code: codeSyntax, message: "the document has no operation"}
	}
	return doc, nil
}

// costWalk computes the cost of one operation. The cost of a field is the
// number of times it will be resolved: 1 at the root, and for the fields
// below a connection (a field with a first argument) times first, below
// another list field times Limits.ListFactor. Lists inside a connection
// type (edges) multiply by nothing more: their connection did. Aliases
// and fragment spreads count every time they appear. The walk stops at
// the first limit broken, so it visits at most MaxCost fields whatever
// the fragments multiply. With uses set, it records there the deprecated
// parts of the schema the operation uses.
type costWalk struct {
	a          *analyzer
	doc        *document
	op         *ast.OperationDefinition
	vars       map[string]any
	inFragment map[string]bool
	total      int
	uses       *deprecatedUses
}

func (w *costWalk) selections(set ast.SelectionSet, parent *ast.Definition, depth, mult int) error {
	for _, sel := range set {
		switch sel := sel.(type) {
		case *ast.Field:
			if err := w.field(sel, parent, depth, mult); err != nil {
				return err
			}
		case *ast.InlineFragment:
			typ := parent
			if sel.TypeCondition != "" {
				typ = w.a.schema.Types[sel.TypeCondition]
			}
			if err := w.selections(sel.SelectionSet, typ, depth, mult); err != nil {
				return err
			}
		case *ast.FragmentSpread:
			frag := w.doc.fragments[sel.Name]
			if frag == nil || w.inFragment[sel.Name] {
				continue // unknown or cyclic: validation refuses the document
			}
			w.inFragment[sel.Name] = true
			err := w.selections(frag.SelectionSet, w.a.schema.Types[frag.TypeCondition], depth, mult)
			w.inFragment[sel.Name] = false
			if err != nil {
				return err
			}
		}
	}
	return nil
}

func (w *costWalk) field(f *ast.Field, parent *ast.Definition, depth, mult int) error {
	limits := w.a.limits
	if f.Name == "__schema" || f.Name == "__type" {
		if !w.a.introspection {
			return &requestError{code: codeIntrospectionDisabled, message: "introspection is disabled"}
		}
		return nil // static data: no cost, and the standard query nests deep
	}
	if depth > limits.MaxDepth {
		return &requestError{code: codeMaxDepth,
			message: fmt.Sprintf("field %q is nested %d deep; the limit is a depth of %d", clip(f.Alias), depth, limits.MaxDepth)}
	}
	w.total += mult
	if w.total > limits.MaxCost {
		return &requestError{code: codeMaxCost,
			message: fmt.Sprintf("the query costs more than %d, the limit (a connection's fields count once per item of its page, a list's %d times)", limits.MaxCost, limits.ListFactor)}
	}
	if parent == nil || f.Name == "__typename" {
		return nil
	}
	def := parent.Fields.ForName(f.Name)
	if def == nil {
		return nil // unknown field: validation refuses the document
	}
	if err := checkLiterals(f, def); err != nil {
		return err
	}
	if w.uses != nil {
		w.uses.field(w, f, parent, def)
	}
	factor := 1
	switch {
	case def.Arguments.ForName("first") != nil:
		first, err := w.first(f, def)
		if err != nil {
			return err
		}
		factor = max(first, 1)
	case def.Type.Elem != nil && !strings.HasSuffix(parent.Name, "Connection"):
		factor = limits.ListFactor
	}
	return w.selections(f.SelectionSet, w.a.schema.Types[def.Type.Name()], depth+1, mult*factor)
}

// first returns the page size a connection field asks for, refusing one
// outside 0..MaxFirst. A value of the wrong type counts as MaxFirst;
// validation refuses it.
func (w *costWalk) first(f *ast.Field, def *ast.FieldDefinition) (int, error) {
	limits := w.a.limits
	var (
		v   any
		set bool
	)
	if arg := f.Arguments.ForName("first"); arg != nil {
		v, set = w.value(arg.Value)
	}
	if !set {
		if d := def.Arguments.ForName("first").DefaultValue; d != nil {
			v, set = w.value(d)
		}
	}
	if !set || v == nil {
		return defaultFirst, nil
	}
	n, ok := number(v)
	if !ok {
		return limits.MaxFirst, nil
	}
	if n < 0 || n > float64(limits.MaxFirst) || n != math.Trunc(n) {
		return 0, &requestError{code: codeFirstOutOfRange,
			message: fmt.Sprintf("first must be a whole number from 0 to %d; %s asks for %s", limits.MaxFirst, clip(f.Alias), strconv.FormatFloat(n, 'f', -1, 64))}
	}
	return int(n), nil
}

// value returns the value of an Int argument, a literal or a variable
// (given, or the variable's default), and whether it was set at all.
// Numbers are float64, as encoding/json decodes variables.
func (w *costWalk) value(v *ast.Value) (any, bool) {
	switch v.Kind {
	case ast.Variable:
		if x, ok := w.vars[v.Raw]; ok {
			return x, true
		}
		if def := w.op.VariableDefinitions.ForName(v.Raw); def != nil && def.DefaultValue != nil {
			return w.value(def.DefaultValue)
		}
		return nil, false
	case ast.NullValue:
		return nil, true
	case ast.IntValue:
		n, err := strconv.ParseFloat(v.Raw, 64)
		if err != nil {
			return "", true
		}
		return n, true
	default:
		return "", true
	}
}

// number returns v as a float64 if it is a number: float64 from
// encoding/json, or any integer or json.Number a caller of Cost passes.
func number(v any) (float64, bool) {
	switch x := v.(type) {
	case float64:
		return x, true
	case int:
		return float64(x), true
	case int32:
		return float64(x), true
	case int64:
		return float64(x), true
	case json.Number:
		f, err := x.Float64()
		return f, err == nil
	default:
		return 0, false
	}
}
