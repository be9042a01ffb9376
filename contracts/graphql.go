package contracts

import (
	"fmt"
	"slices"
	"strings"

	"github.com/vektah/gqlparser/v2"
	"github.com/vektah/gqlparser/v2/ast"
)

// Kinds of breaking change of a GraphQL schema.
const (
	GraphQLTypeRemoved              = "TYPE_REMOVED"
	GraphQLTypeKindChanged          = "TYPE_KIND_CHANGED"
	GraphQLRootChanged              = "ROOT_TYPE_CHANGED"
	GraphQLFieldRemoved             = "FIELD_REMOVED"
	GraphQLFieldTypeChanged         = "FIELD_TYPE_CHANGED"
	GraphQLFieldNullable            = "FIELD_NULLABLE"
	GraphQLArgRemoved               = "ARGUMENT_REMOVED"
	GraphQLArgAddedRequired         = "REQUIRED_ARGUMENT_ADDED"
	GraphQLArgTypeChanged           = "ARGUMENT_TYPE_CHANGED"
	GraphQLArgRequired              = "ARGUMENT_REQUIRED"
	GraphQLArgDefaultChanged        = "ARGUMENT_DEFAULT_CHANGED"
	GraphQLInputFieldRemoved        = "INPUT_FIELD_REMOVED"
	GraphQLInputFieldAddedRequired  = "REQUIRED_INPUT_FIELD_ADDED"
	GraphQLInputFieldTypeChanged    = "INPUT_FIELD_TYPE_CHANGED"
	GraphQLInputFieldRequired       = "INPUT_FIELD_REQUIRED"
	GraphQLInputFieldDefaultChanged = "INPUT_FIELD_DEFAULT_CHANGED"
	GraphQLEnumValueRemoved         = "ENUM_VALUE_REMOVED"
	GraphQLUnionMemberRemoved       = "UNION_MEMBER_REMOVED"
	GraphQLInterfaceRemoved         = "INTERFACE_REMOVED"
	GraphQLDirectiveRemoved         = "DIRECTIVE_REMOVED"
	GraphQLDirectiveLocationRemoved = "DIRECTIVE_LOCATION_REMOVED"
)

// GraphQLBreaking returns the breaking changes of the SDL revision against
// base: the changes after which a document that base accepted is refused,
// or a response that base's types described is no longer described by
// them. It fails when either SDL does not load.
//
// What it reports, by what a client holds on to:
//
//   - Names it selects or sends: a type, field, argument, input field,
//     enum value, union member, implemented interface, directive or
//     directive location removed (a rename is a removal of the old name),
//     a type's kind changed, a root operation type removed or renamed.
//   - Outputs (field types) may only get stricter: the same named type,
//     the same list nesting, and nullable may become non-null, never the
//     reverse (FIELD_NULLABLE: a client that relied on a value may get
//     null).
//   - Inputs (arguments, input fields) may only get more lenient: the
//     same named type and list nesting, and non-null may become nullable,
//     never the reverse (ARGUMENT_REQUIRED, INPUT_FIELD_REQUIRED: a
//     client that sent nothing, or null, is refused); a new argument or
//     input field must be nullable or have a default; a default must not
//     change (a client that relied on it would get other results).
//
// Additions pass: types, fields, optional arguments and input fields,
// enum values, union members, interfaces, directives; so do descriptions
// and @deprecated. An enum value or union member added can surprise a
// client that switches over every case it knows; GraphQL clients must
// allow for that, so it passes.
func GraphQLBreaking(base, revision string) ([]Change, error) {
	b, err := gqlparser.LoadSchema(&ast.Source{Name: "base.graphql", Input: base})
	if err != nil {
		return nil, fmt.Errorf("load the base GraphQL schema: %w", err)
	}
	r, err := gqlparser.LoadSchema(&ast.Source{Name: "revision.graphql", Input: revision})
	if err != nil {
		return nil, fmt.Errorf("load the revision GraphQL schema: %w", err)
	}
	c := &sdlComparison{}
	c.roots(b, r)
	for _, name := range sortedKeys(b.Types) {
		old := b.Types[name]
		if old.BuiltIn {
			continue
		}
		c.definition(old, r.Types[name])
	}
	for _, name := range sortedKeys(b.Directives) {
		old := b.Directives[name]
		if old.Position != nil && old.Position.Src != nil && old.Position.Src.BuiltIn {
			continue
		}
		c.directive(old, r.Directives[name])
	}
	return c.changes, nil
}

// sdlComparison collects the changes found.
type sdlComparison struct{ changes []Change }

func (c *sdlComparison) add(kind, format string, args ...any) {
	c.changes = append(c.changes, Change{Contract: "graphql", Kind: kind, Message: fmt.Sprintf(format, args...)})
}

func (c *sdlComparison) roots(b, r *ast.Schema) {
	for _, root := range []struct {
		op       string
		old, new *ast.Definition
	}{{"query", b.Query, r.Query}, {"mutation", b.Mutation, r.Mutation}, {"subscription", b.Subscription, r.Subscription}} {
		switch {
		case root.old == nil:
		case root.new == nil:
			c.add(GraphQLRootChanged, "the %s root type %s removed", root.op, root.old.Name)
		case root.old.Name != root.new.Name:
			c.add(GraphQLRootChanged, "the %s root type changed from %s to %s", root.op, root.old.Name, root.new.Name)
		}
	}
}

func (c *sdlComparison) definition(old, new *ast.Definition) {
	if new == nil {
		c.add(GraphQLTypeRemoved, "type %s removed", old.Name)
		return
	}
	if old.Kind != new.Kind {
		c.add(GraphQLTypeKindChanged, "type %s changed from %s to %s", old.Name, old.Kind, new.Kind)
		return
	}
	switch old.Kind {
	case ast.Object, ast.Interface:
		for _, i := range old.Interfaces {
			if !slices.Contains(new.Interfaces, i) {
				c.add(GraphQLInterfaceRemoved, "type %s no longer implements %s", old.Name, i)
			}
		}
		for _, f := range old.Fields {
			c.field(old.Name, f, new.Fields.ForName(f.Name))
		}
	case ast.InputObject:
		for _, f := range old.Fields {
			c.inputField(old.Name, f, new.Fields.ForName(f.Name))
		}
		for _, f := range new.Fields {
			if old.Fields.ForName(f.Name) == nil && required(f.Type, f.DefaultValue) {
				c.add(GraphQLInputFieldAddedRequired, "required input field %s.%s added", old.Name, f.Name)
			}
		}
	case ast.Enum:
		for _, v := range old.EnumValues {
			if new.EnumValues.ForName(v.Name) == nil {
				c.add(GraphQLEnumValueRemoved, "enum value %s.%s removed", old.Name, v.Name)
			}
		}
	case ast.Union:
		for _, m := range old.Types {
			if !slices.Contains(new.Types, m) {
				c.add(GraphQLUnionMemberRemoved, "union %s no longer includes %s", old.Name, m)
			}
		}
	}
}

func (c *sdlComparison) field(typ string, old, new *ast.FieldDefinition) {
	where := typ + "." + old.Name
	if new == nil {
		c.add(GraphQLFieldRemoved, "field %s removed", where)
		return
	}
	switch outputChange(old.Type, new.Type) {
	case changeType:
		c.add(GraphQLFieldTypeChanged, "field %s changed type from %s to %s", where, old.Type, new.Type)
	case changeNullability:
		c.add(GraphQLFieldNullable, "field %s changed type from %s to %s: it may now be null", where, old.Type, new.Type)
	}
	c.arguments(where, old.Arguments, new.Arguments)
}

// arguments compares the arguments of a field or directive, at where
// ("Query.orders", "@auth").
func (c *sdlComparison) arguments(where string, old, new ast.ArgumentDefinitionList) {
	for _, a := range old {
		at := fmt.Sprintf("%s(%s:)", where, a.Name)
		n := new.ForName(a.Name)
		if n == nil {
			c.add(GraphQLArgRemoved, "argument %s removed", at)
			continue
		}
		switch inputChange(a.Type, n.Type) {
		case changeType:
			c.add(GraphQLArgTypeChanged, "argument %s changed type from %s to %s", at, a.Type, n.Type)
		case changeNullability:
			c.add(GraphQLArgRequired, "argument %s changed type from %s to %s: it is now required", at, a.Type, n.Type)
		}
		if d := defaultChange(a.DefaultValue, n.DefaultValue); d != "" {
			c.add(GraphQLArgDefaultChanged, "argument %s default changed %s", at, d)
		}
	}
	for _, a := range new {
		if old.ForName(a.Name) == nil && required(a.Type, a.DefaultValue) {
			c.add(GraphQLArgAddedRequired, "required argument %s(%s:) added", where, a.Name)
		}
	}
}

func (c *sdlComparison) inputField(typ string, old, new *ast.FieldDefinition) {
	where := typ + "." + old.Name
	if new == nil {
		c.add(GraphQLInputFieldRemoved, "input field %s removed", where)
		return
	}
	switch inputChange(old.Type, new.Type) {
	case changeType:
		c.add(GraphQLInputFieldTypeChanged, "input field %s changed type from %s to %s", where, old.Type, new.Type)
	case changeNullability:
		c.add(GraphQLInputFieldRequired, "input field %s changed type from %s to %s: it is now required", where, old.Type, new.Type)
	}
	if d := defaultChange(old.DefaultValue, new.DefaultValue); d != "" {
		c.add(GraphQLInputFieldDefaultChanged, "input field %s default changed %s", where, d)
	}
}

func (c *sdlComparison) directive(old, new *ast.DirectiveDefinition) {
	if new == nil {
		c.add(GraphQLDirectiveRemoved, "directive @%s removed", old.Name)
		return
	}
	for _, l := range old.Locations {
		if !slices.Contains(new.Locations, l) {
			c.add(GraphQLDirectiveLocationRemoved, "directive @%s no longer allowed on %s", old.Name, l)
		}
	}
	c.arguments("@"+old.Name, old.Arguments, new.Arguments)
}

// typeChange is how a field's or argument's type changed.
type typeChange int

const (
	changeNone typeChange = iota
	// changeNullability: only a non-null wrapper went the wrong way.
	changeNullability
	// changeType: the named type or the list nesting changed.
	changeType
)

// outputChange tells whether new may stand where old stood as the type of
// an output: the same type, or one that adds non-null wrappers.
func outputChange(old, new *ast.Type) typeChange {
	switch {
	case new.NonNull && !old.NonNull:
		return outputChange(old, nullable(new))
	case old.NonNull && !new.NonNull:
		if shape(old, new) != changeNone {
			return changeType
		}
		return changeNullability
	case old.Elem != nil && new.Elem != nil:
		return outputChange(old.Elem, new.Elem)
	case old.Elem == nil && new.Elem == nil && old.NamedType == new.NamedType:
		return changeNone
	default:
		return changeType
	}
}

// inputChange tells whether new may stand where old stood as the type of
// an input: the same type, or one that drops non-null wrappers.
func inputChange(old, new *ast.Type) typeChange {
	switch {
	case old.NonNull && !new.NonNull:
		return inputChange(nullable(old), new)
	case new.NonNull && !old.NonNull:
		if shape(old, new) != changeNone {
			return changeType
		}
		return changeNullability
	case old.Elem != nil && new.Elem != nil:
		return inputChange(old.Elem, new.Elem)
	case old.Elem == nil && new.Elem == nil && old.NamedType == new.NamedType:
		return changeNone
	default:
		return changeType
	}
}

// shape compares the named type and list nesting of two types, whatever
// their nullability.
func shape(a, b *ast.Type) typeChange {
	a, b = nullable(a), nullable(b)
	switch {
	case a.Elem != nil && b.Elem != nil:
		return shape(a.Elem, b.Elem)
	case a.Elem == nil && b.Elem == nil && a.NamedType == b.NamedType:
		return changeNone
	default:
		return changeType
	}
}

// nullable returns t without its non-null wrapper.
func nullable(t *ast.Type) *ast.Type {
	if !t.NonNull {
		return t
	}
	c := *t
	c.NonNull = false
	return &c
}

// required tells whether an input of type t with default d must be sent.
func required(t *ast.Type, d *ast.Value) bool { return t.NonNull && d == nil }

// defaultChange describes how a default value changed, "" when it did not.
func defaultChange(old, new *ast.Value) string {
	o, n := valueText(old), valueText(new)
	if o == n {
		return ""
	}
	return fmt.Sprintf("from %s to %s", o, n)
}

func valueText(v *ast.Value) string {
	if v == nil {
		return "none"
	}
	return strings.TrimSpace(v.String())
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
