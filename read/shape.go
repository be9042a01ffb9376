package read

import (
	"fmt"
	"sort"
	"strings"

	"github.com/vektah/gqlparser/v2/ast"
)

// document is a parsed query document with its fragments by name (the
// first of a name, as GraphQL validation refuses a second).
type document struct {
	*ast.QueryDocument
	fragments map[string]*ast.FragmentDefinition
}

func newDocument(doc *ast.QueryDocument) *document {
	d := &document{QueryDocument: doc, fragments: make(map[string]*ast.FragmentDefinition, len(doc.Fragments))}
	for _, f := range doc.Fragments {
		if _, ok := d.fragments[f.Name]; !ok {
			d.fragments[f.Name] = f
		}
	}
	return d
}

// checkShape refuses, with a *requestError, a document that makes more
// than Limits.MaxFields selections in all, more than
// Limits.MaxFieldsPerSet fields in one selection set, or uses one
// response key for different fields or arguments within one selection
// set. It returns how many steps it took, for tests of its bounds.
//
// The executor's validation compares every pair of fields that share a
// response key within a selection set, fragments merged, and reports
// every pair that differs: quadratic in the fields of a set, and a
// response that grows with it. checkShape runs first, in time linear in
// the document: it counts selections with each fragment counted once and
// its count reused wherever it is spread, and only when the total is
// within MaxFields does it walk the document with fragments expanded, a
// walk that MaxFields bounds. That walk merges selection sets as GraphQL's
// field selection merging does (the fields of a set, of the fragments it
// spreads and of the fields of the same response key in it) and keeps,
// per merged set, a map from response key to the first field's name and
// arguments: the first field that differs is refused with one error
// naming the key. Our schema has no interfaces or unions, so fields of
// one key in one set always share their parent type and GraphQL requires
// them to be the same field with the same arguments.
func checkShape(doc *document, limits Limits) (steps int, err error) {
	c := selectionCounter{doc: doc, memo: make(map[string]int), active: make(map[string]bool)}
	total := 0
	for _, op := range doc.Operations {
		total = addCapped(total, c.count(op.SelectionSet))
	}
	for _, f := range doc.Fragments { // validated on their own too, spread or not
		total = addCapped(total, c.count(f.SelectionSet))
	}
	if total > limits.MaxFields {
		return c.steps, &requestError{code: codeMaxFields,
			message: fmt.Sprintf("the query makes %s selections (a fragment's count each time it is spread); the limit is %d", countText(total), limits.MaxFields)}
	}
	m := merger{doc: doc, limits: limits, active: make(map[string]bool), argIDs: make(map[*ast.Field]int), interned: make(map[string]int)}
	m.steps = c.steps
	// The walk visits what was counted; the budget makes sure of it
	// whatever cycles did to the counts.
	m.budget = c.steps + total
	for _, op := range doc.Operations {
		if err := m.check([]ast.SelectionSet{op.SelectionSet}, "the operation"); err != nil {
			return m.steps, err
		}
	}
	for _, f := range doc.Fragments {
		if err := m.check([]ast.SelectionSet{f.SelectionSet}, "fragment "+clip(f.Name)); err != nil {
			return m.steps, err
		}
	}
	return m.steps, nil
}

// countCap is where selection counts stop growing, so that fragments
// spreading fragments cannot overflow them.
const countCap = 1 << 30

func addCapped(a, b int) int { return min(a+b, countCap) }

func countText(n int) string {
	if n >= countCap {
		return fmt.Sprintf("more than %d", countCap)
	}
	return fmt.Sprint(n)
}

// selectionCounter counts the selections of selection sets with
// fragments expanded, counting each fragment's own selections once: a
// spread adds the count its fragment had the first time. A spread of an
// unknown fragment or of one being counted (a cycle, which validation
// refuses) adds only itself.
type selectionCounter struct {
	doc    *document
	memo   map[string]int
	active map[string]bool
	steps  int
}

func (c *selectionCounter) count(set ast.SelectionSet) int {
	n := 0
	for _, sel := range set {
		c.steps++
		n = addCapped(n, 1)
		switch sel := sel.(type) {
		case *ast.Field:
			n = addCapped(n, c.count(sel.SelectionSet))
		case *ast.InlineFragment:
			n = addCapped(n, c.count(sel.SelectionSet))
		case *ast.FragmentSpread:
			n = addCapped(n, c.fragment(sel.Name))
		}
	}
	return n
}

func (c *selectionCounter) fragment(name string) int {
	if k, ok := c.memo[name]; ok {
		return k
	}
	frag := c.doc.fragments[name]
	if frag == nil || c.active[name] {
		return 0
	}
	c.active[name] = true
	k := c.count(frag.SelectionSet)
	c.active[name] = false
	c.memo[name] = k
	return k
}

// merger walks merged selection sets, checking that each response key
// names one field with one set of arguments.
type merger struct {
	doc    *document
	limits Limits
	active map[string]bool
	// argIDs numbers each field's arguments, equal arguments alike, so
	// that comparing them costs nothing however often a fragment brings
	// the field in.
	argIDs   map[*ast.Field]int
	interned map[string]int
	steps    int
	budget   int
}

// mergedField is the first field of a response key in a merged set, and
// the selection sets of all the fields of that key, to merge in turn.
type mergedField struct {
	field *ast.Field
	args  int
	sets  []ast.SelectionSet
}

// mergedSet is one merged selection set being collected.
type mergedSet struct {
	where  string
	keys   map[string]*mergedField
	order  []string
	fields int
}

// check merges sets into one selection set, at where (for messages),
// checks it and then, key by key, the set its fields' selections merge
// into.
func (m *merger) check(sets []ast.SelectionSet, where string) error {
	ms := mergedSet{where: where, keys: make(map[string]*mergedField)}
	for _, s := range sets {
		if err := m.collect(s, &ms); err != nil {
			return err
		}
	}
	for _, key := range ms.order {
		f := ms.keys[key]
		if len(f.sets) == 0 {
			continue
		}
		if err := m.check(f.sets, "field "+clip(key)); err != nil {
			return err
		}
	}
	return nil
}

func (m *merger) collect(set ast.SelectionSet, ms *mergedSet) error {
	for _, sel := range set {
		m.steps++
		if m.steps > m.budget {
			return &requestError{code: codeMaxFields,
				message: fmt.Sprintf("the query makes more than %d selections (a fragment's count each time it is spread), the limit", m.limits.MaxFields)}
		}
		switch sel := sel.(type) {
		case *ast.Field:
			ms.fields++
			if ms.fields > m.limits.MaxFieldsPerSet {
				return &requestError{code: codeMaxFields,
					message: fmt.Sprintf("the selection set of %s selects more than %d fields (fragments and fields of the same response key merged), the limit", ms.where, m.limits.MaxFieldsPerSet)}
			}
			key := sel.Alias
			if key == "" {
				key = sel.Name
			}
			args := m.argsID(sel)
			f, ok := ms.keys[key]
			switch {
			case !ok:
				f = &mergedField{field: sel, args: args}
				ms.keys[key] = f
				ms.order = append(ms.order, key)
			case f.field.Name != sel.Name:
				return conflict(key, ms.where, fmt.Sprintf("it names the fields %s and %s", clip(f.field.Name), clip(sel.Name)))
			case f.args != args:
				return conflict(key, ms.where, fmt.Sprintf("it names %s with different arguments", clip(sel.Name)))
			}
			if len(sel.SelectionSet) > 0 {
				f.sets = append(f.sets, sel.SelectionSet)
			}
		case *ast.InlineFragment:
			if err := m.collect(sel.SelectionSet, ms); err != nil {
				return err
			}
		case *ast.FragmentSpread:
			frag := m.doc.fragments[sel.Name]
			if frag == nil || m.active[sel.Name] {
				continue // unknown or cyclic: validation refuses the document
			}
			m.active[sel.Name] = true
			err := m.collect(frag.SelectionSet, ms)
			m.active[sel.Name] = false
			if err != nil {
				return err
			}
		}
	}
	return nil
}

// argsID returns the number of a field's arguments: the same for the
// same arguments in any order.
func (m *merger) argsID(f *ast.Field) int {
	if id, ok := m.argIDs[f]; ok {
		return id
	}
	parts := make([]string, len(f.Arguments))
	for i, a := range f.Arguments {
		parts[i] = a.Name + ":" + a.Value.String()
	}
	sort.Strings(parts)
	canonical := strings.Join(parts, ",")
	id, ok := m.interned[canonical]
	if !ok {
		id = len(m.interned)
		m.interned[canonical] = id
	}
	m.argIDs[f] = id
	return id
}

func conflict(key, where, why string) *requestError {
	return &requestError{code: codeFieldConflict,
		message: fmt.Sprintf("response key %q is used twice in the selection set of %s, and %s; give each field its own alias", clip(key), where, why)}
}
