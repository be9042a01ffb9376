package api

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/go-chi/chi/v5"

	"github.com/orderflow/orderflow/platform/auth"
)

// bearerScheme is the name of the document's bearer token security scheme.
const bearerScheme = "bearerAuth"

// TestOpenAPISecurity holds each operation's documented security to the
// router's guards, probed with an anonymous request and with a customer's
// malformed one. An operation that refuses anonymous callers requires the
// bearer scheme and documents 401; a public one requires nothing, says
// so, and documents no 401. An operation customers may not use says
// "Roles: `admin`." and documents 403; one they may use names both roles.
func TestOpenAPISecurity(t *testing.T) {
	d := loadOpenAPI(t)
	scheme := d.resolve(t, d.pointer(t, "/components/securitySchemes/"+bearerScheme))
	if scheme["type"] != "http" || scheme["scheme"] != "bearer" || scheme["bearerFormat"] != "JWT" {
		t.Errorf("security scheme %s is %v, want HTTP bearer JWT", bearerScheme, scheme)
	}
	router := New(Config{}).Routes()
	err := chi.Walk(router, func(method, route string, _ http.Handler, _ ...func(http.Handler) http.Handler) error {
		path := templatePath(route)
		t.Run(method+" "+path, func(t *testing.T) {
			op := d.operation(t, strings.ToLower(method), path)
			if op == nil {
				t.Fatal("not documented")
			}
			security, ok := op["security"]
			if !ok {
				security = d.root["security"]
			}
			bearer := false
			for _, req := range d.array(t, security, "security") {
				if _, ok := d.object(t, req, "security requirement")[bearerScheme]; ok {
					bearer = true
				}
			}
			responses := d.object(t, op["responses"], "responses")
			desc, _ := op["description"].(string)

			anonymous := probeRoute(router, method, path, nil, "{}")
			if anonymous != http.StatusUnauthorized {
				if bearer || responses["401"] != nil || !strings.Contains(desc, "Public") {
					t.Errorf("anonymous callers get %d: the operation must require no token, document no 401 and say it is Public", anonymous)
				}
				return
			}
			if !bearer || responses["401"] == nil {
				t.Errorf("anonymous callers get 401: the operation must require %s and document 401", bearerScheme)
			}
			customer := probeRoute(router, method, path, &probeCustomer, "{")
			switch {
			case customer == http.StatusForbidden:
				if !strings.Contains(desc, "Roles: `admin`.") || responses["403"] == nil {
					t.Errorf("customers get 403: the description must say \"Roles: `admin`.\" and 403 must be documented")
				}
			case !strings.Contains(desc, "Roles: `customer`") || !strings.Contains(desc, "`admin`"):
				t.Errorf("customers get %d: the description must say \"Roles: `customer`\" and name `admin`", customer)
			}
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// probeRoute sends body to the route as caller (nil: anonymous) and
// returns the status.
func probeRoute(router http.Handler, method, path string, caller *auth.Principal, body string) int {
	req := httptest.NewRequest(method, concretePath(path), strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	if caller != nil {
		req = req.WithContext(auth.WithPrincipal(req.Context(), *caller))
	}
	rec := httptest.NewRecorder()
	router.ServeHTTP(rec, req)
	return rec.Code
}
