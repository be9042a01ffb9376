package api

import (
	"errors"
	"net/http"

	"github.com/orderflow/orderflow/platform/auth"
)

// errNoPrincipal is a route without a role guard reaching a handler that
// needs the caller: a wiring mistake, answered 500 and logged.
var errNoPrincipal = errors.New("the request carries no principal; the route lacks a role guard")

// errOrderForAnotherCustomer refuses a customer placing an order in
// another customer's name.
var errOrderForAnotherCustomer = &apiError{status: http.StatusForbidden, code: "forbidden",
	detail: "customers place orders for themselves: leave customerId out or send your own"}

// principal returns the caller that the route's role guard let through.
func principal(r *http.Request) (auth.Principal, error) {
	p, ok := auth.FromContext(r.Context())
	if !ok {
		return auth.Principal{}, errNoPrincipal
	}
	return p, nil
}

// orderCustomer returns whom an order p places is for. An admin places
// for the customer the body names (required: the domain refuses an empty
// one). A customer places for itself: the body's customerId may be left
// out or repeat the subject; naming anyone else is
// errOrderForAnotherCustomer.
func orderCustomer(p auth.Principal, requested string) (string, error) {
	if p.IsAdmin() {
		return requested, nil
	}
	if requested == "" || requested == p.Subject {
		return p.Subject, nil
	}
	return "", errOrderForAnotherCustomer
}
