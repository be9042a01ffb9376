package auth_test

import (
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"errors"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/orderflow/orderflow/platform/auth"
)

func TestNewVerifierRefusesBadConfig(t *testing.T) {
	small, err := rsa.GenerateKey(rand.Reader, 1024)
	if err != nil {
		t.Fatal(err)
	}
	ec, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	k := newKeys(t)
	tests := []struct {
		name string
		cfg  auth.Config
	}{
		{"no key", auth.Config{Issuer: issuer, Audience: audience}},
		{"both keys", auth.Config{Secret: secret, PublicKey: &k.rsa.PublicKey, Issuer: issuer, Audience: audience}},
		{"short secret", auth.Config{Secret: []byte("short"), Issuer: issuer, Audience: audience}},
		{"empty secret", auth.Config{Secret: []byte{}, Issuer: issuer, Audience: audience}},
		{"small RSA key", auth.Config{PublicKey: &small.PublicKey, Issuer: issuer, Audience: audience}},
		{"RSA private key", auth.Config{PublicKey: k.rsa, Issuer: issuer, Audience: audience}},
		{"ECDSA key", auth.Config{PublicKey: &ec.PublicKey, Issuer: issuer, Audience: audience}},
		{"short Ed25519 key", auth.Config{PublicKey: k.ed.Public().(ed25519.PublicKey)[:16], Issuer: issuer, Audience: audience}},
		{"no issuer", auth.Config{Secret: secret, Audience: audience}},
		{"no audience", auth.Config{Secret: secret, Issuer: issuer}},
		{"negative leeway", auth.Config{Secret: secret, Issuer: issuer, Audience: audience, Leeway: -time.Second}},
		{"negative max token bytes", auth.Config{Secret: secret, Issuer: issuer, Audience: audience, MaxTokenBytes: -1}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if v, err := auth.NewVerifier(tc.cfg); err == nil {
				t.Fatalf("NewVerifier accepted it (algorithm %s)", v.Algorithm())
			}
		})
	}
}

func TestVerifierAlgorithm(t *testing.T) {
	k := newKeys(t)
	tests := []struct {
		name string
		cfg  auth.Config
		want string
	}{
		{"secret", auth.Config{Secret: secret}, "HS256"},
		{"RSA key", auth.Config{PublicKey: &k.rsa.PublicKey}, "RS256"},
		{"Ed25519 key", auth.Config{PublicKey: k.ed.Public()}, "EdDSA"},
	}
	for _, tc := range tests {
		if got := newVerifier(t, tc.cfg).Algorithm(); got != tc.want {
			t.Errorf("%s: Algorithm() = %s, want %s", tc.name, got, tc.want)
		}
	}
}

func TestVerifyErrorsSayWhy(t *testing.T) {
	v := newVerifier(t, auth.Config{Secret: secret})
	valid := validClaims("c-1", "customer")
	tests := []struct {
		name  string
		token string
		why   error // wrapped besides ErrInvalidToken; nil: only the message is checked
		msg   string
	}{
		{"expired", sign(t, jwt.SigningMethodHS256, secret, with(valid, "exp", now.Add(-time.Hour).Unix())), jwt.ErrTokenExpired, ""},
		{"missing exp", sign(t, jwt.SigningMethodHS256, secret, with(valid, "exp", nil)), jwt.ErrTokenRequiredClaimMissing, ""},
		{"exp a string", sign(t, jwt.SigningMethodHS256, secret, with(valid, "exp", "1999999999")), jwt.ErrTokenMalformed, `NumericDate "1999999999" is not a JSON number`},
		{"nbf a string", sign(t, jwt.SigningMethodHS256, secret, with(valid, "nbf", "1999999999")), jwt.ErrTokenMalformed, `NumericDate "1999999999" is not a JSON number`},
		{"iat an object", sign(t, jwt.SigningMethodHS256, secret, with(valid, "iat", map[string]int{"s": 1})), jwt.ErrTokenMalformed, `NumericDate {"s":1} is not a JSON number`},
		{"future nbf", sign(t, jwt.SigningMethodHS256, secret, with(valid, "nbf", now.Add(time.Hour).Unix())), jwt.ErrTokenNotValidYet, ""},
		{"wrong issuer", sign(t, jwt.SigningMethodHS256, secret, with(valid, "iss", "x")), jwt.ErrTokenInvalidIssuer, ""},
		{"wrong audience", sign(t, jwt.SigningMethodHS256, secret, with(valid, "aud", "x")), jwt.ErrTokenInvalidAudience, ""},
		{"wrong secret", sign(t, jwt.SigningMethodHS256, []byte(strings.Repeat("k", 32)), valid), jwt.ErrTokenSignatureInvalid, ""},
		{"missing sub", sign(t, jwt.SigningMethodHS256, secret, with(valid, "sub", nil)), jwt.ErrTokenInvalidClaims, "sub is missing"},
		{"unknown role", sign(t, jwt.SigningMethodHS256, secret, with(valid, "role", "root")), jwt.ErrTokenInvalidClaims, `role "root"`},
		{"oversized", strings.Repeat("a", auth.DefaultMaxTokenBytes+1), nil, "more than 4096"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p, err := v.Verify(tc.token)
			if err == nil {
				t.Fatalf("Verify accepted it: %+v", p)
			}
			if !errors.Is(err, auth.ErrInvalidToken) {
				t.Errorf("error %v does not wrap ErrInvalidToken", err)
			}
			if tc.why != nil && !errors.Is(err, tc.why) {
				t.Errorf("error %v does not wrap %v", err, tc.why)
			}
			if !strings.Contains(err.Error(), tc.msg) {
				t.Errorf("error %q does not say %q", err, tc.msg)
			}
			if p != (auth.Principal{}) {
				t.Errorf("principal %+v returned with the error", p)
			}
		})
	}
}

func TestMaxTokenBytes(t *testing.T) {
	token := sign(t, jwt.SigningMethodHS256, secret, validClaims("c-1", "customer"))
	at := newVerifier(t, auth.Config{Secret: secret, MaxTokenBytes: len(token)})
	if p, err := at.Verify(token); err != nil || p != (auth.Principal{Subject: "c-1", Role: auth.RoleCustomer}) {
		t.Fatalf("a token of exactly MaxTokenBytes: %+v, %v", p, err)
	}
	under := newVerifier(t, auth.Config{Secret: secret, MaxTokenBytes: len(token) - 1})
	if _, err := under.Verify(token); err == nil || !strings.Contains(err.Error(), "bytes, more than") {
		t.Fatalf("a token one byte over MaxTokenBytes: %v, want refused for its size", err)
	}
}

// A verified token is answered from memory, with no decoding, for as long
// as the parser would accept it, and refused as expired from the moment the
// parser would refuse it: exp plus the leeway.
func TestVerifiedTokenRemembered(t *testing.T) {
	var at atomic.Int64
	at.Store(now.UnixNano())
	v, err := auth.NewVerifier(auth.Config{Secret: secret, Issuer: issuer, Audience: audience,
		Now: func() time.Time { return time.Unix(0, at.Load()) }})
	if err != nil {
		t.Fatal(err)
	}
	token := sign(t, jwt.SigningMethodHS256, secret, validClaims("c-1", "customer"))
	want := auth.Principal{Subject: "c-1", Role: auth.RoleCustomer}
	if p, err := v.Verify(token); err != nil || p != want {
		t.Fatalf("first Verify: %+v, %v", p, err)
	}
	if allocs := testing.AllocsPerRun(100, func() {
		if p, err := v.Verify(token); err != nil || p != want {
			t.Fatalf("Verify again: %+v, %v", p, err)
		}
	}); allocs > 0 {
		t.Errorf("Verify of a verified token allocates %.0f times; want none (no decoding)", allocs)
	}
	exp := now.Add(time.Hour)
	at.Store(exp.Add(auth.DefaultLeeway - time.Nanosecond).UnixNano())
	if p, err := v.Verify(token); err != nil || p != want {
		t.Fatalf("Verify within the leeway after exp: %+v, %v", p, err)
	}
	at.Store(exp.Add(auth.DefaultLeeway).UnixNano())
	if p, err := v.Verify(token); !errors.Is(err, jwt.ErrTokenExpired) {
		t.Fatalf("Verify at exp plus the leeway: %+v, %v; want it refused as expired", p, err)
	}
	at.Store(now.UnixNano())
	if p, err := v.Verify(token); err != nil || p != want {
		t.Fatalf("Verify with the clock set back: %+v, %v", p, err)
	}
}
