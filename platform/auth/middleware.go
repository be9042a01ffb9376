package auth

import (
	"errors"
	"net/http"
	"strings"
)

// Middleware authenticates requests by their bearer token, for use with
// chi's Use or any func(http.Handler) http.Handler chain:
//
//	r.Use(verifier.Middleware)
//
// A request without an Authorization header passes on anonymous: no
// Principal in its context, and the handlers (or RequireAuthenticated,
// RequireRole) decide what an anonymous caller may do. A request whose
// header is "Bearer <token>" with a token Verify accepts passes on with
// the Principal in its context (see FromContext). Every other request (a
// header that is empty, repeated, of another scheme, or a token Verify
// refuses) is answered 401 with WWW-Authenticate: Bearer and the same
// problem+json body whatever the reason (unless Config.Refused answered
// it), and next does not run.
func (v *Verifier) Middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		values := r.Header.Values("Authorization")
		if len(values) == 0 {
			next.ServeHTTP(w, r)
			return
		}
		p, err := v.authenticate(values)
		if err != nil {
			v.logger.DebugContext(r.Context(), "bearer token refused", "err", err)
			if v.refused != nil && v.refused(w, r) {
				return
			}
			writeUnauthenticated(w, `Bearer error="invalid_token"`)
			return
		}
		next.ServeHTTP(w, r.WithContext(WithPrincipal(r.Context(), p)))
	})
}

// authenticate verifies the token of the Authorization header values.
func (v *Verifier) authenticate(values []string) (Principal, error) {
	if len(values) != 1 {
		return Principal{}, errors.New("more than one Authorization header")
	}
	token, err := bearerToken(values[0])
	if err != nil {
		return Principal{}, err
	}
	return v.Verify(token)
}

// bearerToken returns the token of an Authorization header value
// "Bearer <token>" (the scheme in any case, RFC 9110 section 11.1).
func bearerToken(header string) (string, error) {
	scheme, token, ok := strings.Cut(header, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return "", errors.New("the Authorization header is not a Bearer token")
	}
	token = strings.TrimLeft(token, " ")
	if token == "" || strings.ContainsAny(token, " \t") {
		return "", errors.New("the bearer token is empty or contains spaces")
	}
	return token, nil
}

// RequireAuthenticated is middleware that lets through only requests that
// carry a Principal (put there by Verifier.Middleware, which must run
// first) and answers anonymous ones 401, with the same body as a refused
// token.
func RequireAuthenticated(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, ok := FromContext(r.Context()); !ok {
			writeUnauthenticated(w, "Bearer")
			return
		}
		next.ServeHTTP(w, r)
	})
}

// RequireRole returns middleware that lets through only requests whose
// Principal has one of roles: an anonymous request is answered 401 (as by
// RequireAuthenticated), a principal with another role 403 forbidden.
// Admins are not let through implicitly; list RoleAdmin where they may
// pass. Verifier.Middleware must run first.
func RequireRole(roles ...Role) func(http.Handler) http.Handler {
	allowed := append([]Role(nil), roles...)
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			p, ok := FromContext(r.Context())
			if !ok {
				writeUnauthenticated(w, "Bearer")
				return
			}
			for _, role := range allowed {
				if p.Role == role && role.Valid() {
					next.ServeHTTP(w, r)
					return
				}
			}
			writeForbidden(w)
		})
	}
}
