package api

import (
	"net/http"
	"strconv"
	"time"

	"github.com/go-chi/chi/v5"
)

// Deprecation is what the API says of a deprecated route on every
// response: the Deprecation header (RFC 9745), the date the route was
// deprecated as "@<unix seconds>"; the Sunset header (RFC 8594), the
// HTTP-date after which it may be removed; and a Link header to what
// documents the deprecation (rel="deprecation") and to the route that
// replaces it (rel="successor-version"). The OpenAPI document marks the
// route's operation deprecated, with the same sunset date as x-sunset.
type Deprecation struct {
	// Since is when the route was deprecated.
	Since time.Time
	// Sunset is when the route may be removed: from then on the
	// compatibility gate lets a release drop it.
	Sunset time.Time
	// Info is the URL of what documents the deprecation; Successor that
	// of the route to use instead. Either may be empty.
	Info, Successor string
}

// deprecatedRoute is a deprecated route of the API: its method, its
// pattern below Prefix, its handler and its middlewares (role guards),
// and its Deprecation.
type deprecatedRoute struct {
	method, pattern string
	use             []func(http.Handler) http.Handler
	handler         http.HandlerFunc
	Deprecation
}

// deprecatedRoutes are the API's deprecated routes. Routes registers
// them with the deprecation headers, and openapi_test.go holds them to
// the operations the OpenAPI document marks deprecated.
//
// GET /openapi is the first location of the OpenAPI document, kept for
// the clients that read it there; GET /openapi.json replaces it.
func deprecatedRoutes() []deprecatedRoute {
	return []deprecatedRoute{{
		method: http.MethodGet, pattern: "/openapi", handler: serveOpenAPI,
		Deprecation: Deprecation{
			Since:     time.Date(2026, time.December, 7, 0, 0, 0, 0, time.UTC),
			Sunset:    time.Date(2027, time.June, 30, 0, 0, 0, 0, time.UTC),
			Info:      Prefix + "/openapi.json",
			Successor: Prefix + "/openapi.json",
		},
	}}
}

// routeLabel names a route in metrics and logs: "GET /api/v1/openapi".
func routeLabel(method, pattern string) string { return method + " " + Prefix + pattern }

// registerDeprecated registers the deprecated routes on r, each with a
// middleware that sets the deprecation headers on every response, before
// anything else answers (a role guard's 401 included), and tells
// onDeprecated of the request.
func (a *API) registerDeprecated(r chi.Router) {
	for _, d := range deprecatedRoutes() {
		label := routeLabel(d.method, d.pattern)
		mw := append([]func(http.Handler) http.Handler{d.headers(label, a.onDeprecated)}, d.use...)
		r.With(mw...).Method(d.method, d.pattern, d.handler)
	}
}

// headers returns the middleware that marks responses of the route
// deprecated and counts the request.
func (d Deprecation) headers(label string, observe func(route string)) func(http.Handler) http.Handler {
	deprecation := "@" + strconv.FormatInt(d.Since.Unix(), 10)
	sunset := ""
	if !d.Sunset.IsZero() {
		sunset = d.Sunset.UTC().Format(http.TimeFormat)
	}
	var links []string
	if d.Info != "" {
		links = append(links, "<"+d.Info+`>; rel="deprecation"; type="application/json"`)
	}
	if d.Successor != "" {
		links = append(links, "<"+d.Successor+`>; rel="successor-version"`)
	}
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			h := w.Header()
			h.Set("Deprecation", deprecation)
			if sunset != "" {
				h.Set("Sunset", sunset)
			}
			for _, l := range links {
				h.Add("Link", l)
			}
			if observe != nil {
				observe(label)
			}
			next.ServeHTTP(w, r)
		})
	}
}
