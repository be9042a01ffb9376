package auth_test

import (
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/orderflow/orderflow/platform/auth"
)

// unauthenticatedBody is the one body of every 401.
const unauthenticatedBody = `{"code":"unauthenticated","detail":"the bearer token is missing, malformed, expired or not valid for this service","status":401,"title":"Unauthorized","type":"urn:orderflow:problem:unauthenticated"}` + "\n"

func TestMiddlewareRefusesBadTokens(t *testing.T) {
	k := newKeys(t)
	hs := serve(t, newVerifier(t, auth.Config{Secret: secret}).Middleware)
	rs := serve(t, newVerifier(t, auth.Config{PublicKey: &k.rsa.PublicKey}).Middleware)
	ed := serve(t, newVerifier(t, auth.Config{PublicKey: k.ed.Public()}).Middleware)

	valid := validClaims("c-1", "customer")
	validHS := sign(t, jwt.SigningMethodHS256, secret, valid)
	pubDER, err := x509.MarshalPKIXPublicKey(&k.rsa.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	pubPEM := pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pubDER})

	tests := []struct {
		name   string
		server *server
		header []string // Authorization header values
	}{
		{"alg none", hs, bearer(sign(t, jwt.SigningMethodNone, jwt.UnsafeAllowNoneSignatureType, valid))},
		{"alg none against RS256", rs, bearer(sign(t, jwt.SigningMethodNone, jwt.UnsafeAllowNoneSignatureType, valid))},
		{"alg none with a real signature", hs, bearer(withHeader(t, validHS, `{"alg":"none","typ":"JWT"}`))},
		{"HS256 signed with another secret", hs, bearer(sign(t, jwt.SigningMethodHS256, []byte(strings.Repeat("k", 32)), valid))},
		{"RS256 signed with another key", rs, bearer(sign(t, jwt.SigningMethodRS256, k.otherRSA, valid))},
		{"EdDSA signed with another key", ed, bearer(sign(t, jwt.SigningMethodEdDSA, k.otherEd, valid))},
		{"HS256 against an RS256 verifier", rs, bearer(validHS)},
		{"key confusion: HS256 signed with the RSA public key PEM", rs, bearer(sign(t, jwt.SigningMethodHS256, pubPEM, valid))},
		{"key confusion: HS256 signed with the RSA public key DER", rs, bearer(sign(t, jwt.SigningMethodHS256, pubDER, valid))},
		{"RS256 against an HS256 verifier", hs, bearer(sign(t, jwt.SigningMethodRS256, k.rsa, valid))},
		{"RS512 with the right key against an RS256 verifier", rs, bearer(sign(t, jwt.SigningMethodRS512, k.rsa, valid))},
		{"EdDSA against an RS256 verifier", rs, bearer(sign(t, jwt.SigningMethodEdDSA, k.ed, valid))},
		{"HS384 with the right secret against an HS256 verifier", hs, bearer(sign(t, jwt.SigningMethodHS384, secret, valid))},
		{"expired", hs, bearer(sign(t, jwt.SigningMethodHS256, secret, with(valid, "exp", now.Add(-time.Hour).Unix())))},
		{"missing exp", hs, bearer(sign(t, jwt.SigningMethodHS256, secret, with(valid, "exp", nil)))},
		{"exp not a number", hs, bearer(sign(t, jwt.SigningMethodHS256, secret, with(valid, "exp", "tomorrow")))},
		{"exp a string of digits", hs, bearer(sign(t, jwt.SigningMethodHS256, secret, with(valid, "exp", unixString(now.Add(time.Hour)))))},
		{"exp a string of a number with a fraction", hs, bearer(sign(t, jwt.SigningMethodHS256, secret, with(valid, "exp", unixString(now.Add(time.Hour))+".5")))},
		{"exp a string in exponent notation", hs, bearer(sign(t, jwt.SigningMethodHS256, secret, with(valid, "exp", "2e9")))},
		{"exp an object", hs, bearer(sign(t, jwt.SigningMethodHS256, secret, with(valid, "exp", map[string]any{"seconds": now.Add(time.Hour).Unix()})))},
		{"exp a boolean", hs, bearer(sign(t, jwt.SigningMethodHS256, secret, with(valid, "exp", true)))},
		{"exp an array", hs, bearer(sign(t, jwt.SigningMethodHS256, secret, with(valid, "exp", []int64{now.Add(time.Hour).Unix()})))},
		{"exp null", hs, bearer(withPayload(t, validHS, fmt.Sprintf(`"exp":%d`, now.Add(time.Hour).Unix()), `"exp":null`))},
		{"nbf a string of digits", hs, bearer(sign(t, jwt.SigningMethodHS256, secret, with(valid, "nbf", unixString(now.Add(-time.Hour)))))},
		{"nbf null", hs, bearer(sign(t, jwt.SigningMethodHS256, secret, with(valid, "nbf", json.RawMessage("null"))))},
		{"iat a string of digits", hs, bearer(sign(t, jwt.SigningMethodHS256, secret, with(valid, "iat", unixString(now))))},
		{"iat a boolean", hs, bearer(sign(t, jwt.SigningMethodHS256, secret, with(valid, "iat", false)))},
		{"iat null", hs, bearer(sign(t, jwt.SigningMethodHS256, secret, with(valid, "iat", json.RawMessage("null"))))},
		{"nbf in the future", hs, bearer(sign(t, jwt.SigningMethodHS256, secret, with(valid, "nbf", now.Add(time.Hour).Unix())))},
		{"iat in the future", hs, bearer(sign(t, jwt.SigningMethodHS256, secret, with(valid, "iat", now.Add(time.Hour).Unix())))},
		{"wrong issuer", hs, bearer(sign(t, jwt.SigningMethodHS256, secret, with(valid, "iss", "someone-else")))},
		{"missing issuer", hs, bearer(sign(t, jwt.SigningMethodHS256, secret, with(valid, "iss", nil)))},
		{"wrong audience", hs, bearer(sign(t, jwt.SigningMethodHS256, secret, with(valid, "aud", "another-api")))},
		{"audience list without ours", hs, bearer(sign(t, jwt.SigningMethodHS256, secret, with(valid, "aud", []string{"a", "b"})))},
		{"missing audience", hs, bearer(sign(t, jwt.SigningMethodHS256, secret, with(valid, "aud", nil)))},
		{"tampered payload", hs, bearer(withPayload(t, validHS, `"role":"customer"`, `"role":"admin"`))},
		{"tampered signature", hs, bearer(validHS[:len(validHS)-2] + flip(validHS[len(validHS)-2:]))},
		{"oversized", hs, bearer(sign(t, jwt.SigningMethodHS256, secret, with(valid, "pad", strings.Repeat("x", 4096))))},
		{"missing sub", hs, bearer(sign(t, jwt.SigningMethodHS256, secret, with(valid, "sub", nil)))},
		{"empty sub", hs, bearer(sign(t, jwt.SigningMethodHS256, secret, with(valid, "sub", "")))},
		{"sub with a control character", hs, bearer(sign(t, jwt.SigningMethodHS256, secret, with(valid, "sub", "c-1\n")))},
		{"sub too long", hs, bearer(sign(t, jwt.SigningMethodHS256, secret, with(valid, "sub", strings.Repeat("c", 257))))},
		{"unknown role", hs, bearer(sign(t, jwt.SigningMethodHS256, secret, with(valid, "role", "superuser")))},
		{"role in another case", hs, bearer(sign(t, jwt.SigningMethodHS256, secret, with(valid, "role", "Admin")))},
		{"missing role", hs, bearer(sign(t, jwt.SigningMethodHS256, secret, with(valid, "role", nil)))},
		{"role not a string", hs, bearer(sign(t, jwt.SigningMethodHS256, secret, with(valid, "role", 1)))},
		{"not a JWT", hs, bearer("not-a-jwt")},
		{"two segments", hs, bearer(validHS[:strings.LastIndex(validHS, ".")])},
		{"empty header", hs, []string{""}},
		{"scheme only", hs, []string{"Bearer"}},
		{"scheme and a space", hs, []string{"Bearer "}},
		{"no scheme", hs, []string{validHS}},
		{"Basic scheme", hs, []string{"Basic dXNlcjpwYXNzd29yZA=="}},
		{"other scheme with a valid token", hs, []string{"Token " + validHS}},
		{"token with a space inside", hs, []string{"Bearer " + validHS[:10] + " " + validHS[10:]}},
		{"two Authorization headers", hs, []string{"Bearer " + validHS, "Bearer " + validHS}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			before := tc.server.hits.Load()
			r := tc.server.get(t, tc.header...)
			if r.status != 401 {
				t.Fatalf("status %d, body %q; want 401", r.status, r.body)
			}
			if r.body != unauthenticatedBody {
				t.Errorf("body %q, want the one 401 body %q", r.body, unauthenticatedBody)
			}
			if got := r.header.Get("Content-Type"); got != "application/problem+json" {
				t.Errorf("Content-Type %q", got)
			}
			if got := r.header.Get("WWW-Authenticate"); got != `Bearer error="invalid_token"` {
				t.Errorf("WWW-Authenticate %q", got)
			}
			if n := tc.server.hits.Load() - before; n != 0 {
				t.Errorf("the handler ran %d times", n)
			}
		})
	}
}

func TestMiddlewarePassesValidTokens(t *testing.T) {
	k := newKeys(t)
	hs := serve(t, newVerifier(t, auth.Config{Secret: secret}).Middleware)
	rs := serve(t, newVerifier(t, auth.Config{PublicKey: &k.rsa.PublicKey}).Middleware)
	ed := serve(t, newVerifier(t, auth.Config{PublicKey: k.ed.Public()}).Middleware)

	tests := []struct {
		name   string
		server *server
		header string
		want   string
	}{
		{"HS256 customer", hs, "Bearer " + sign(t, jwt.SigningMethodHS256, secret, validClaims("c-1", "customer")), "c-1 customer"},
		{"HS256 admin", hs, "Bearer " + sign(t, jwt.SigningMethodHS256, secret, validClaims("ops", "admin")), "ops admin"},
		{"RS256 customer", rs, "Bearer " + sign(t, jwt.SigningMethodRS256, k.rsa, validClaims("c-2", "customer")), "c-2 customer"},
		{"EdDSA admin", ed, "Bearer " + sign(t, jwt.SigningMethodEdDSA, k.ed, validClaims("root", "admin")), "root admin"},
		{"scheme in lower case", hs, "bearer " + sign(t, jwt.SigningMethodHS256, secret, validClaims("c-1", "customer")), "c-1 customer"},
		{"audience among others", hs, "Bearer " + sign(t, jwt.SigningMethodHS256, secret, with(validClaims("c-1", "customer"), "aud", []string{"x", audience})), "c-1 customer"},
		{"valid nbf", hs, "Bearer " + sign(t, jwt.SigningMethodHS256, secret, with(validClaims("c-1", "customer"), "nbf", now.Unix())), "c-1 customer"},
		{"exp with a fraction", hs, "Bearer " + sign(t, jwt.SigningMethodHS256, secret, with(validClaims("c-1", "customer"), "exp", json.Number(unixString(now.Add(time.Hour))+".25"))), "c-1 customer"},
		{"exp in exponent notation", hs, "Bearer " + sign(t, jwt.SigningMethodHS256, secret, with(validClaims("c-1", "customer"), "exp", json.Number("2.5e9"))), "c-1 customer"},
		{"nbf and iat with fractions", hs, "Bearer " + sign(t, jwt.SigningMethodHS256, secret, with(with(validClaims("c-1", "customer"), "nbf", json.Number(unixString(now)+".5")), "iat", json.Number(unixString(now)+".75"))), "c-1 customer"},
		{"unicode sub", hs, "Bearer " + sign(t, jwt.SigningMethodHS256, secret, validClaims("kunde-ä", "customer")), "kunde-ä customer"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := tc.server.get(t, tc.header)
			if r.status != 200 || r.body != tc.want {
				t.Fatalf("got %d %q, want 200 %q", r.status, r.body, tc.want)
			}
		})
	}
}

func TestMiddlewareLeavesRequestsWithoutHeaderAnonymous(t *testing.T) {
	s := serve(t, newVerifier(t, auth.Config{Secret: secret}).Middleware)
	r := s.get(t)
	if r.status != 200 || r.body != "anonymous" {
		t.Fatalf("got %d %q, want 200 anonymous", r.status, r.body)
	}
}

func TestLeeway(t *testing.T) {
	tests := []struct {
		name   string
		leeway time.Duration
		claim  string
		at     time.Duration // the claim's time relative to now
		pass   bool
	}{
		{"expired within the default leeway", 0, "exp", -29 * time.Second, true},
		{"expired by exactly the default leeway", 0, "exp", -30 * time.Second, false},
		{"not yet valid within the default leeway", 0, "nbf", 30 * time.Second, true},
		{"not yet valid past the default leeway", 0, "nbf", 31 * time.Second, false},
		{"issued within the default leeway", 0, "iat", 30 * time.Second, true},
		{"issued past the default leeway", 0, "iat", 31 * time.Second, false},
		{"expired within a 5s leeway", 5 * time.Second, "exp", -4 * time.Second, true},
		{"expired by exactly a 5s leeway", 5 * time.Second, "exp", -5 * time.Second, false},
		{"not yet valid within a 5s leeway", 5 * time.Second, "nbf", 5 * time.Second, true},
		{"not yet valid past a 5s leeway", 5 * time.Second, "nbf", 6 * time.Second, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := serve(t, newVerifier(t, auth.Config{Secret: secret, Leeway: tc.leeway}).Middleware)
			c := validClaims("c-1", "customer")
			if tc.claim != "iat" {
				c = with(c, "iat", nil)
			}
			c = with(c, tc.claim, now.Add(tc.at).Unix())
			r := s.get(t, "Bearer "+sign(t, jwt.SigningMethodHS256, secret, c))
			if tc.pass && (r.status != 200 || r.body != "c-1 customer") {
				t.Fatalf("got %d %q, want it to pass", r.status, r.body)
			}
			if !tc.pass && (r.status != 401 || r.body != unauthenticatedBody) {
				t.Fatalf("got %d %q, want 401", r.status, r.body)
			}
		})
	}
}

func bearer(token string) []string { return []string{"Bearer " + token} }

// unixString returns the seconds since the epoch of t as a decimal string.
func unixString(t time.Time) string { return strconv.FormatInt(t.Unix(), 10) }

// withHeader returns token with its JOSE header replaced by header.
func withHeader(t testing.TB, token, header string) string {
	t.Helper()
	parts := strings.Split(token, ".")
	parts[0] = base64.RawURLEncoding.EncodeToString([]byte(header))
	return strings.Join(parts, ".")
}

// withPayload returns token with old replaced by new in its payload and
// the original signature.
func withPayload(t testing.TB, token, old, new string) string {
	t.Helper()
	parts := strings.Split(token, ".")
	payload, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		t.Fatal(err)
	}
	changed := strings.Replace(string(payload), old, new, 1)
	if changed == string(payload) {
		t.Fatalf("payload %s has no %s", payload, old)
	}
	parts[1] = base64.RawURLEncoding.EncodeToString([]byte(changed))
	return strings.Join(parts, ".")
}

// flip changes the first character of s to another base64url character.
func flip(s string) string {
	if s[0] == 'A' {
		return "B" + s[1:]
	}
	return "A" + s[1:]
}
