package auth_test

import (
	"crypto/ed25519"
	"crypto/rand"
	"crypto/rsa"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/orderflow/orderflow/platform/auth"
)

const (
	issuer   = "orderflow"
	audience = "orderflow-api"
)

var (
	// now is the verifiers' clock in every test: a whole second, since
	// NumericDate keeps whole seconds.
	now    = time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)
	secret = []byte("0123456789abcdef0123456789abcdef-test")
)

func clock() time.Time { return now }

// validClaims are the claims of a token every verifier of these tests
// accepts, for sub with role.
func validClaims(sub, role string) jwt.MapClaims {
	return jwt.MapClaims{
		"iss":  issuer,
		"aud":  audience,
		"sub":  sub,
		"role": role,
		"iat":  now.Unix(),
		"exp":  now.Add(time.Hour).Unix(),
	}
}

// with returns a copy of c with key set to v, or removed when v is nil.
func with(c jwt.MapClaims, key string, v any) jwt.MapClaims {
	out := jwt.MapClaims{}
	for k, x := range c {
		out[k] = x
	}
	if v == nil {
		delete(out, key)
	} else {
		out[key] = v
	}
	return out
}

// sign returns the token of c signed with method and key.
func sign(t testing.TB, method jwt.SigningMethod, key any, c jwt.MapClaims) string {
	t.Helper()
	s, err := jwt.NewWithClaims(method, c).SignedString(key)
	if err != nil {
		t.Fatalf("sign %s token: %v", method.Alg(), err)
	}
	return s
}

// keys are the key pairs of these tests, made once per test that needs
// them.
type keys struct {
	rsa      *rsa.PrivateKey
	otherRSA *rsa.PrivateKey
	ed       ed25519.PrivateKey
	otherEd  ed25519.PrivateKey
}

func newKeys(t testing.TB) keys {
	t.Helper()
	var k keys
	var err error
	if k.rsa, err = rsa.GenerateKey(rand.Reader, 2048); err != nil {
		t.Fatal(err)
	}
	if k.otherRSA, err = rsa.GenerateKey(rand.Reader, 2048); err != nil {
		t.Fatal(err)
	}
	if _, k.ed, err = ed25519.GenerateKey(rand.Reader); err != nil {
		t.Fatal(err)
	}
	if _, k.otherEd, err = ed25519.GenerateKey(rand.Reader); err != nil {
		t.Fatal(err)
	}
	return k
}

func newVerifier(t testing.TB, cfg auth.Config) *auth.Verifier {
	t.Helper()
	cfg.Issuer, cfg.Audience, cfg.Now = issuer, audience, clock
	v, err := auth.NewVerifier(cfg)
	if err != nil {
		t.Fatalf("NewVerifier: %v", err)
	}
	return v
}

// server serves h behind mw over a real socket and counts the requests
// that reached h.
type server struct {
	url  string
	hits atomic.Int32
}

// serve starts a server whose handler answers "subject role" of the
// request's principal, or "anonymous".
func serve(t testing.TB, mw ...func(http.Handler) http.Handler) *server {
	t.Helper()
	s := &server{}
	var h http.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.hits.Add(1)
		p, ok := auth.FromContext(r.Context())
		if !ok {
			_, _ = io.WriteString(w, "anonymous")
			return
		}
		_, _ = fmt.Fprintf(w, "%s %s", p.Subject, p.Role)
	})
	for i := len(mw) - 1; i >= 0; i-- {
		h = mw[i](h)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	s.url = srv.URL
	return s
}

// response is an answer read whole.
type response struct {
	status int
	header http.Header
	body   string
}

// get sends GET / with the given Authorization header values (none for a
// request without the header).
func (s *server) get(t testing.TB, authorization ...string) response {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, s.url+"/", nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range authorization {
		req.Header.Add("Authorization", a)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("GET: %v", err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return response{status: resp.StatusCode, header: resp.Header, body: string(b)}
}
