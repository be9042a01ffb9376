package api_test

import (
	"bytes"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/go-chi/chi/v5"
	"github.com/google/uuid"

	"github.com/orderflow/orderflow/platform/problem"
	"github.com/orderflow/orderflow/write/api"
)

// caller is who sends a request of the authorization matrix.
type caller int

const (
	anonymous caller = iota // no Authorization header
	owner                   // the customer the route's resource belongs to
	stranger                // another customer
	admin
)

var callers = []caller{anonymous, owner, stranger, admin}

func (c caller) String() string {
	return [...]string{"anonymous", "customer-owner", "customer-other", "admin"}[c]
}

// Subjects of the matrix's customers.
const (
	ownerID    = "c-owner"
	strangerID = "c-other"
)

// outcome is what a caller gets: the status and, for a refusal, the code
// of the problem (whose type is api.ProblemTypePrefix and the code).
type outcome struct {
	status int
	code   string
}

var (
	ok              = outcome{status: http.StatusOK}
	done            = outcome{status: http.StatusAccepted}
	unauthenticated = outcome{status: http.StatusUnauthorized, code: "unauthenticated"}
	forbidden       = outcome{status: http.StatusForbidden, code: "forbidden"}
	orderNotFound   = outcome{status: http.StatusNotFound, code: "order_not_found"}
)

// authzCase is the authorization of one route: a request on a resource
// made for it alone and, where the resource is owned, owned by ownerID;
// and what each caller gets.
type authzCase struct {
	request func(e *env) (path, body string)
	want    map[caller]outcome
}

// authzCases is the authorization matrix, one case per route of the API.
func authzCases() map[string]authzCase {
	staffOnly := map[caller]outcome{anonymous: unauthenticated, owner: forbidden, stranger: forbidden, admin: done}
	return map[string]authzCase{
		"POST /products": {
			request: func(e *env) (string, string) {
				return "/products", `{"sku":"` + fresh("SKU") + `","name":"Widget","price":{"amount":100,"currency":"EUR"}}`
			},
			want: staffOnly,
		},
		"POST /products/{sku}/stock": {
			request: func(e *env) (string, string) { return "/products/SKU-2/stock", `{"quantity":1}` },
			want:    staffOnly,
		},
		"POST /orders": {
			// The body names the owner: the owner places for itself, a
			// stranger may not place in its name.
			request: func(e *env) (string, string) { return "/orders", orderBody(e.t, ownerID) },
			want:    map[caller]outcome{anonymous: unauthenticated, owner: done, stranger: forbidden, admin: done},
		},
		"POST /orders/{id}/cancel": {
			request: func(e *env) (string, string) {
				id := fresh("o")
				e.placeFor(ownerID, id)
				return "/orders/" + id + "/cancel", `{"reason":"changed my mind"}`
			},
			want: map[caller]outcome{anonymous: unauthenticated, owner: done, stranger: orderNotFound, admin: done},
		},
		"POST /shipments/{orderId}/dispatched": {
			request: func(e *env) (string, string) {
				id := fresh("o")
				e.placeFor(ownerID, id)
				e.toShipment(id)
				return "/shipments/" + id + "/dispatched", `{"trackingNumber":"TRK-1"}`
			},
			want: staffOnly,
		},
		"POST /shipments/{orderId}/delivered": {
			request: func(e *env) (string, string) {
				id := fresh("o")
				e.placeFor(ownerID, id)
				e.toShipment(id)
				e.dispatch(id)
				return "/shipments/" + id + "/delivered", `{}`
			},
			want: staffOnly,
		},
		"GET /openapi.json": {
			request: func(e *env) (string, string) { return "/openapi.json", "" },
			want:    map[caller]outcome{anonymous: ok, owner: ok, stranger: ok, admin: ok},
		},
		"GET /openapi": {
			request: func(e *env) (string, string) { return "/openapi", "" },
			want:    map[caller]outcome{anonymous: ok, owner: ok, stranger: ok, admin: ok},
		},
	}
}

// fresh returns a new id starting with prefix.
func fresh(prefix string) string { return prefix + "-" + uuid.NewString()[:8] }

// TestAuthorizationMatrix walks the router and sends every route's
// request as each caller, with real tokens through a real verifier: each
// gets exactly the status and problem its case says, and a refused
// request writes nothing. A route without a case, or a case without a
// route, fails. On a route that takes an id, another customer gets the
// same answer for the existing resource as for an id that was never used,
// the id aside: the answer tells it nothing.
func TestAuthorizationMatrix(t *testing.T) {
	e := newEnv(t)
	e.catalog()
	e.mustPost(202, "/products/SKU-1/stock", `{"quantity":1000}`)
	tokens := map[caller]string{anonymous: "", owner: e.customer(ownerID), stranger: e.customer(strangerID), admin: e.admin}

	var routes []string
	err := chi.Walk(api.New(api.Config{}).Routes(), func(method, route string, _ http.Handler, _ ...func(http.Handler) http.Handler) error {
		routes = append(routes, method+" "+route)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(routes)
	cases := authzCases()
	for _, route := range routes {
		if _, ok := cases[route]; !ok {
			t.Errorf("route %s has no authorization case", route)
		}
	}
	for route, c := range cases {
		if !slices.Contains(routes, route) {
			t.Errorf("there is an authorization case for %s, which is not a route", route)
		}
		for _, who := range callers {
			if _, ok := c.want[who]; !ok {
				t.Errorf("the authorization case of %s says nothing about %s", route, who)
			}
		}
	}

	for _, route := range routes {
		c, found := cases[route]
		if !found {
			continue
		}
		method, pattern, _ := strings.Cut(route, " ")
		t.Run(route, func(t *testing.T) {
			for _, who := range callers {
				t.Run(who.String(), func(t *testing.T) {
					path, body := c.request(e)
					before := e.eventCount()
					r := e.send(method, path, body, tokens[who])
					c.want[who].check(t, r)
					if n := e.eventCount() - before; r.status >= 400 && n != 0 {
						t.Fatalf("the refused request wrote %d events", n)
					}
					if who != stranger || !routeParam.MatchString(pattern) {
						return
					}
					absentPath := routeParam.ReplaceAllString(pattern, "never-used")
					absent := e.send(method, absentPath, body, tokens[who])
					if absent.status != r.status || !bytes.Equal(r.body, bytes.ReplaceAll(absent.body, []byte(absentPath), []byte(path))) {
						t.Fatalf("%s gets %d %s for the existing resource, %d %s for an id never used", who, r.status, r.body, absent.status, absent.body)
					}
				})
			}
		})
	}
}

// routeParam matches the parameters of a chi route pattern.
var routeParam = regexp.MustCompile(`\{[^}]+\}`)

// check fails t unless r is o.
func (o outcome) check(t *testing.T, r response) {
	t.Helper()
	if r.status != o.status {
		t.Fatalf("status %d, want %d; body %s", r.status, o.status, r.body)
	}
	if o.code == "" {
		return
	}
	if ct := r.header.Get("Content-Type"); ct != problem.ContentType {
		t.Fatalf("Content-Type %q, want %s", ct, problem.ContentType)
	}
	p := r.json(t)
	if p["type"] != api.ProblemTypePrefix+o.code || p["code"] != o.code || p["status"] != float64(o.status) {
		t.Fatalf("problem %s, want type %s%s", r.body, api.ProblemTypePrefix, o.code)
	}
}
