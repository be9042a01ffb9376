package read

import (
	"fmt"
	"math"
	"strconv"

	"github.com/vektah/gqlparser/v2/ast"
)

// scalarCheckers check a variable value of each custom scalar the way its
// resolver type will unpack it, and of each built-in scalar by its JSON
// kind, so that a value of the wrong kind (a list for a String) is
// refused with a short message of ours rather than the executor's, which
// prints the value whole.
var scalarCheckers = map[string]func(any) error{
	"Time":  func(v any) error { var t timeScalar; return t.UnmarshalGraphQL(v) },
	"Int64": func(v any) error { var n int64Scalar; return n.UnmarshalGraphQL(v) },
	"String": func(v any) error {
		return kindIs(v, "String must be a string", func(v any) bool { _, ok := v.(string); return ok })
	},
	"ID": func(v any) error {
		return kindIs(v, "ID must be a string or a number", func(v any) bool { _, n := number(v); _, s := v.(string); return n || s })
	},
	"Int": func(v any) error {
		return kindIs(v, "Int must be a whole number from -2^31 to 2^31-1", func(v any) bool {
			n, ok := number(v)
			return ok && n == math.Trunc(n) && n >= math.MinInt32 && n <= math.MaxInt32
		})
	},
	"Float": func(v any) error {
		return kindIs(v, "Float must be a number", func(v any) bool { _, ok := number(v); return ok })
	},
	"Boolean": func(v any) error {
		return kindIs(v, "Boolean must be true or false", func(v any) bool { _, ok := v.(bool); return ok })
	},
}

// kindIs returns nil when ok(v), else an error saying want and what v is.
func kindIs(v any, want string, ok func(any) bool) error {
	if ok(v) {
		return nil
	}
	if n, isNumber := number(v); isNumber {
		return fmt.Errorf("%s, not %s", want, strconv.FormatFloat(n, 'g', 6, 64))
	}
	return fmt.Errorf("%s, not %s", want, kindOf(v))
}

// checkVariables refuses, with a *requestError, a value given for a
// variable of a custom scalar type (Time, Int64, or a list of them) that
// the scalar does not accept. GraphQL makes a variable that cannot be
// coerced an error of the whole request; the executor checks the built-in
// types before it runs but unpacks custom scalars only when it resolves
// the field that uses them, which would answer with partial data and a
// field error instead. Other variables are left to the executor, as is an
// operationName that names no operation.
func checkVariables(doc *document, operationName string, variables map[string]any) error {
	op := operation(doc, operationName)
	if op == nil {
		return nil
	}
	for _, def := range op.VariableDefinitions {
		v, ok := variables[def.Variable]
		if !ok {
			continue
		}
		if err := checkValue(def.Type, v); err != nil {
			return &requestError{code: codeInvalidVariable, message: fmt.Sprintf("variable $%s: %s", clip(def.Variable), clipMessage(err.Error()))}
		}
	}
	return nil
}

// customScalars are the scalars whose literals graphql-go's validation
// leaves to the resolvers.
var customScalars = map[string]bool{"Time": true, "Int64": true}

// checkLiterals refuses, with a *requestError, a literal argument of a
// custom scalar type (Time, Int64, or a list of them) that the scalar
// does not accept: the executor would otherwise unpack it only as it
// resolves the field, answering with data and an error instead of
// refusing the document. Variables are checkVariables' concern.
func checkLiterals(f *ast.Field, def *ast.FieldDefinition) error {
	for _, arg := range f.Arguments {
		ad := def.Arguments.ForName(arg.Name)
		if ad == nil || !customScalars[ad.Type.Name()] || arg.Value == nil || arg.Value.Kind == ast.Variable {
			continue
		}
		v, err := arg.Value.Value(nil)
		if err != nil {
			continue // holds a variable: checked as a variable
		}
		if err := checkValue(ad.Type, v); err != nil {
			return &requestError{code: codeInvalidArgument,
				message: fmt.Sprintf("argument %s of %s: %s", clip(arg.Name), clip(f.Alias), clipMessage(err.Error()))}
		}
	}
	return nil
}

// checkValue checks v against typ; null and the built-in types pass.
func checkValue(typ *ast.Type, v any) error {
	if v == nil {
		return nil
	}
	if typ.Elem != nil {
		list, ok := v.([]any)
		if !ok {
			return checkValue(typ.Elem, v) // a single value stands for a list of one
		}
		for i, x := range list {
			if err := checkValue(typ.Elem, x); err != nil {
				return fmt.Errorf("item %d: %w", i, err)
			}
		}
		return nil
	}
	if check, ok := scalarCheckers[typ.NamedType]; ok {
		return check(v)
	}
	return nil
}

// operation returns the operation of doc that operationName picks, as
// GraphQL does: by name, or the only one when the name is empty. It is nil
// when there is no such operation.
func operation(doc *document, operationName string) *ast.OperationDefinition {
	switch {
	case operationName != "":
		return doc.Operations.ForName(operationName)
	case len(doc.Operations) == 1:
		return doc.Operations[0]
	}
	return nil
}
