package main

import (
	"fmt"
	"strings"
)

// Roles are the parts of the system one serve process runs. Every process
// also serves /healthz, /readyz and /metrics.
type Roles struct {
	// API serves the REST command API, the GraphQL query API and the admin
	// endpoints.
	API bool
	// Projections runs the read-model projections, the customer
	// notifications among them.
	Projections bool
	// Sagas runs the fulfillment saga.
	Sagas bool
}

// allRoles is what serve runs unless told otherwise.
const allRoles = "api,projections,sagas"

// parseRoles reads a comma-separated list of roles: api, projections,
// sagas, or all.
func parseRoles(s string) (Roles, error) {
	var r Roles
	for _, name := range strings.Split(s, ",") {
		switch strings.TrimSpace(name) {
		case "api":
			r.API = true
		case "projections":
			r.Projections = true
		case "sagas":
			r.Sagas = true
		case "all":
			r = Roles{API: true, Projections: true, Sagas: true}
		default:
			return Roles{}, fmt.Errorf("unknown role %q: want a comma-separated list of api, projections and sagas, or all", strings.TrimSpace(name))
		}
	}
	return r, nil
}

// String lists the roles, comma-separated, in a fixed order.
func (r Roles) String() string {
	var names []string
	if r.API {
		names = append(names, "api")
	}
	if r.Projections {
		names = append(names, "projections")
	}
	if r.Sagas {
		names = append(names, "sagas")
	}
	return strings.Join(names, ",")
}
