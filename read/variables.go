package read

import (
	"fmt"

	"github.com/vektah/gqlparser/v2/ast"
)

// scalarCheckers check a variable value of each custom scalar the way its
// resolver type will unpack it.
var scalarCheckers = map[string]func(any) error{
	"Time":  func(v any) error { var t timeScalar; return t.UnmarshalGraphQL(v) },
	"Int64": func(v any) error { var n int64Scalar; return n.UnmarshalGraphQL(v) },
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
