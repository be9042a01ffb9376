package auth_test

import (
	"testing"

	"github.com/golang-jwt/jwt/v5"

	"github.com/orderflow/orderflow/platform/auth"
)

const forbiddenBody = `{"code":"forbidden","detail":"your role may not do this","status":403,"title":"Forbidden","type":"urn:orderflow:problem:forbidden"}` + "\n"

func TestRequireAuthenticated(t *testing.T) {
	s := serve(t, newVerifier(t, auth.Config{Secret: secret}).Middleware, auth.RequireAuthenticated)

	r := s.get(t)
	if r.status != 401 || r.body != unauthenticatedBody || r.header.Get("WWW-Authenticate") != "Bearer" {
		t.Fatalf("anonymous: %d %q WWW-Authenticate %q, want 401 with the one body and a bare Bearer challenge", r.status, r.body, r.header.Get("WWW-Authenticate"))
	}
	if s.hits.Load() != 0 {
		t.Fatal("the handler ran for an anonymous request")
	}
	for _, role := range []string{"customer", "admin"} {
		r := s.get(t, "Bearer "+sign(t, jwt.SigningMethodHS256, secret, validClaims("u-1", role)))
		if r.status != 200 || r.body != "u-1 "+role {
			t.Errorf("%s: %d %q, want 200", role, r.status, r.body)
		}
	}
}

func TestRequireRole(t *testing.T) {
	v := newVerifier(t, auth.Config{Secret: secret})
	adminOnly := serve(t, v.Middleware, auth.RequireRole(auth.RoleAdmin))
	either := serve(t, v.Middleware, auth.RequireRole(auth.RoleCustomer, auth.RoleAdmin))
	customerOnly := serve(t, v.Middleware, auth.RequireRole(auth.RoleCustomer))
	nobody := serve(t, v.Middleware, auth.RequireRole(auth.Role("root")))
	customer := "Bearer " + sign(t, jwt.SigningMethodHS256, secret, validClaims("c-1", "customer"))
	admin := "Bearer " + sign(t, jwt.SigningMethodHS256, secret, validClaims("ops", "admin"))

	tests := []struct {
		name   string
		server *server
		header []string
		status int
		body   string
	}{
		{"anonymous on an admin route", adminOnly, nil, 401, unauthenticatedBody},
		{"customer on an admin route", adminOnly, []string{customer}, 403, forbiddenBody},
		{"admin on an admin route", adminOnly, []string{admin}, 200, "ops admin"},
		{"customer on a route for both", either, []string{customer}, 200, "c-1 customer"},
		{"admin on a route for both", either, []string{admin}, 200, "ops admin"},
		{"admin on a customer-only route", customerOnly, []string{admin}, 403, forbiddenBody},
		{"admin on a route for an unknown role", nobody, []string{admin}, 403, forbiddenBody},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			before := tc.server.hits.Load()
			r := tc.server.get(t, tc.header...)
			if r.status != tc.status || r.body != tc.body {
				t.Fatalf("got %d %q, want %d %q", r.status, r.body, tc.status, tc.body)
			}
			ran := tc.server.hits.Load() - before
			if (tc.status == 200) != (ran == 1) {
				t.Errorf("the handler ran %d times for a %d", ran, r.status)
			}
			if tc.status == 403 && r.header.Get("Content-Type") != "application/problem+json" {
				t.Errorf("Content-Type %q", r.header.Get("Content-Type"))
			}
		})
	}
}
