// Package auth says who is calling: the Principal an authenticated request
// carries in its context, and the roles that decide what it may do. A
// Verifier checks JWT bearer tokens (HS256, RS256 or EdDSA, one algorithm
// per Verifier) and its Middleware puts the Principal of a valid token in
// the request's context; RequireAuthenticated and RequireRole guard
// routes; Mint issues HS256 tokens for development and tests.
package auth

import "context"

// Role is what a principal may do.
type Role string

// The roles.
const (
	// RoleCustomer places and cancels its own orders and reads only its
	// own orders, notifications and summary.
	RoleCustomer Role = "customer"
	// RoleAdmin may do everything: catalog, stock, projections, sagas,
	// every customer's data.
	RoleAdmin Role = "admin"
)

// Valid reports whether r is one of the roles.
func (r Role) Valid() bool { return r == RoleCustomer || r == RoleAdmin }

// Principal is the authenticated caller: its subject (for a customer, the
// customer id) and its role.
type Principal struct {
	Subject string
	Role    Role
}

// IsAdmin reports whether p has the admin role.
func (p Principal) IsAdmin() bool { return p.Role == RoleAdmin }

// CanSee reports whether p may read or act on data owned by customerID:
// an admin may see everything, a customer only its own.
func (p Principal) CanSee(customerID string) bool {
	return p.IsAdmin() || (p.Role == RoleCustomer && p.Subject != "" && p.Subject == customerID)
}

type principalKey struct{}

// WithPrincipal returns a copy of ctx carrying p.
func WithPrincipal(ctx context.Context, p Principal) context.Context {
	return context.WithValue(ctx, principalKey{}, p)
}

// FromContext returns the principal ctx carries, and whether it carries
// one. A request without one is anonymous and may see nothing that is
// owned.
func FromContext(ctx context.Context) (Principal, bool) {
	p, ok := ctx.Value(principalKey{}).(Principal)
	return p, ok
}
