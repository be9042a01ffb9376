package read

import (
	"slices"

	"github.com/vektah/gqlparser/v2/ast"
)

// deprecatedUses collects the deprecated parts of the schema a request
// uses, by schema coordinate: "TimelineEntry.causationId" for a field,
// "Query.orders(status:)" for an argument, "OrderStatus.PAID" for an enum
// value sent as an argument or in a variable, "OrderFilter.region" for an
// input field. costWalk fills it as it walks the operation to run, so
// finding them costs no walk of its own. Each coordinate counts once per
// request however often the document uses it. Enum values the server
// returns are not uses: the client did not ask for them. The zero value
// is empty and allocates nothing until a use is noted.
type deprecatedUses struct {
	// used holds each coordinate once; a request uses few, so a slice
	// scanned on each add is cheaper than a map.
	used []coordinate
	// valuesSeen are the fields whose argument values were looked
	// through: a fragment spread many times brings the same field back,
	// and its values need looking through once, so that the work stays
	// linear in the document.
	valuesSeen map[*ast.Field]struct{}
}

// coordinate is a schema coordinate: type and name ("Type.name"), and for
// an argument its name ("Type.name(arg:)").
type coordinate struct{ typ, name, arg string }

func (c coordinate) String() string {
	if c.arg != "" {
		return c.typ + "." + c.name + "(" + c.arg + ":)"
	}
	return c.typ + "." + c.name
}

func (u *deprecatedUses) add(c coordinate) {
	if !slices.Contains(u.used, c) {
		u.used = append(u.used, c)
	}
}

// sorted returns the coordinates in order.
func (u *deprecatedUses) sorted() []string {
	if len(u.used) == 0 {
		return nil
	}
	out := make([]string, 0, len(u.used))
	for _, c := range u.used {
		out = append(out, c.String())
	}
	slices.Sort(out)
	return out
}

// deprecations says which kinds of schema element a schema deprecates,
// so that the cost walk looks only for those.
type deprecations struct {
	fields, args, enumValues, inputFields bool
}

// findDeprecations looks through the schema's own types (not the built-in
// ones) for deprecated elements.
func findDeprecations(s *ast.Schema) deprecations {
	var d deprecations
	for _, t := range s.Types {
		if t.BuiltIn {
			continue
		}
		for _, f := range t.Fields {
			if t.Kind == ast.InputObject {
				d.inputFields = d.inputFields || isDeprecated(f.Directives)
				continue
			}
			d.fields = d.fields || isDeprecated(f.Directives)
			for _, a := range f.Arguments {
				d.args = d.args || isDeprecated(a.Directives)
			}
		}
		for _, v := range t.EnumValues {
			d.enumValues = d.enumValues || isDeprecated(v.Directives)
		}
	}
	return d
}

// any tells whether the schema deprecates anything at all.
func (d deprecations) any() bool { return d.fields || d.args || d.enumValues || d.inputFields }

// isDeprecated tells whether a schema element carries @deprecated.
func isDeprecated(d ast.DirectiveList) bool { return d.ForName("deprecated") != nil }

// field records the uses of a field selected on parent: the field itself,
// the arguments it is given and the enum values and input fields their
// values hold.
func (u *deprecatedUses) field(w *costWalk, f *ast.Field, parent *ast.Definition, def *ast.FieldDefinition) {
	d := w.a.deprecations
	if d.fields && isDeprecated(def.Directives) {
		u.add(coordinate{typ: parent.Name, name: def.Name})
	}
	values := d.enumValues || d.inputFields
	if values {
		if _, seen := u.valuesSeen[f]; seen {
			values = false
		} else {
			if u.valuesSeen == nil {
				u.valuesSeen = make(map[*ast.Field]struct{})
			}
			u.valuesSeen[f] = struct{}{}
		}
	}
	if !d.args && !values {
		return
	}
	for _, arg := range f.Arguments {
		ad := def.Arguments.ForName(arg.Name)
		if ad == nil {
			continue // validation refuses the document
		}
		if d.args && isDeprecated(ad.Directives) {
			u.add(coordinate{typ: parent.Name, name: def.Name, arg: ad.Name})
		}
		if values {
			u.literal(w, arg.Value, ad.Type)
		}
	}
}

// literal records the deprecated enum values and input fields of an
// argument's value v of type typ, following variables to their values.
func (u *deprecatedUses) literal(w *costWalk, v *ast.Value, typ *ast.Type) {
	if v == nil {
		return
	}
	switch v.Kind {
	case ast.Variable:
		if x, ok := w.vars[v.Raw]; ok {
			u.value(w.a.schema, x, typ)
		} else if d := w.op.VariableDefinitions.ForName(v.Raw); d != nil && d.DefaultValue != nil {
			u.literal(w, d.DefaultValue, typ)
		}
	case ast.EnumValue:
		u.enumValue(w.a.schema, v.Raw, typ)
	case ast.ListValue:
		elem := typ
		if typ.Elem != nil {
			elem = typ.Elem
		}
		for _, c := range v.Children {
			u.literal(w, c.Value, elem)
		}
	case ast.ObjectValue:
		def := w.a.schema.Types[typ.Name()]
		if def == nil || def.Kind != ast.InputObject {
			return
		}
		for _, c := range v.Children {
			if fd := def.Fields.ForName(c.Name); fd != nil {
				if isDeprecated(fd.Directives) {
					u.add(coordinate{typ: def.Name, name: fd.Name})
				}
				u.literal(w, c.Value, fd.Type)
			}
		}
	}
}

// value records the deprecated enum values and input fields of a
// variable's value x (as encoding/json decodes it) used where typ is
// expected.
func (u *deprecatedUses) value(s *ast.Schema, x any, typ *ast.Type) {
	switch x := x.(type) {
	case string:
		u.enumValue(s, x, typ)
	case []any:
		elem := typ
		if typ.Elem != nil {
			elem = typ.Elem
		}
		for _, e := range x {
			u.value(s, e, elem)
		}
	case map[string]any:
		def := s.Types[typ.Name()]
		if def == nil || def.Kind != ast.InputObject {
			return
		}
		for name, e := range x {
			if fd := def.Fields.ForName(name); fd != nil {
				if isDeprecated(fd.Directives) {
					u.add(coordinate{typ: def.Name, name: fd.Name})
				}
				u.value(s, e, fd.Type)
			}
		}
	}
}

// enumValue records name when typ is an enum whose value name is
// deprecated.
func (u *deprecatedUses) enumValue(s *ast.Schema, name string, typ *ast.Type) {
	def := s.Types[typ.Name()]
	if def == nil || def.Kind != ast.Enum {
		return
	}
	if ev := def.EnumValues.ForName(name); ev != nil && isDeprecated(ev.Directives) {
		u.add(coordinate{typ: def.Name, name: ev.Name})
	}
}
