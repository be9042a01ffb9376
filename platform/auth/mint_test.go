package auth_test

import (
	"encoding/base64"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/orderflow/orderflow/platform/auth"
)

func TestMintedTokensVerify(t *testing.T) {
	v := newVerifier(t, auth.Config{Secret: secret})
	for _, role := range []auth.Role{auth.RoleCustomer, auth.RoleAdmin} {
		token, err := auth.Mint(secret, issuer, audience, "u-7", role, time.Hour, now)
		if err != nil {
			t.Fatalf("Mint: %v", err)
		}
		p, err := v.Verify(token)
		if err != nil || p != (auth.Principal{Subject: "u-7", Role: role}) {
			t.Fatalf("Verify(minted %s token) = %+v, %v", role, p, err)
		}
	}
}

func TestMintedTokenClaims(t *testing.T) {
	token, err := auth.Mint(secret, issuer, audience, "u-7", auth.RoleAdmin, time.Hour, now)
	if err != nil {
		t.Fatal(err)
	}
	payload, err := base64.RawURLEncoding.DecodeString(strings.Split(token, ".")[1])
	if err != nil {
		t.Fatal(err)
	}
	want := fmt.Sprintf(`{"iss":"orderflow","sub":"u-7","aud":["orderflow-api"],"exp":%d,"nbf":%d,"iat":%d,"role":"admin"}`,
		now.Add(time.Hour).Unix(), now.Unix(), now.Unix())
	if string(payload) != want {
		t.Fatalf("claims %s, want %s", payload, want)
	}
}

func TestMintedTokensExpire(t *testing.T) {
	token, err := auth.Mint(secret, issuer, audience, "u-7", auth.RoleCustomer, time.Minute, now.Add(-time.Minute-auth.DefaultLeeway))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := newVerifier(t, auth.Config{Secret: secret}).Verify(token); err == nil {
		t.Fatal("a token past its ttl and the leeway verified")
	}
}

func TestMintRefusesBadInput(t *testing.T) {
	tests := []struct {
		name     string
		secret   []byte
		iss, aud string
		sub      string
		role     auth.Role
		ttl      time.Duration
	}{
		{"short secret", []byte("short"), issuer, audience, "u", auth.RoleAdmin, time.Hour},
		{"no issuer", secret, "", audience, "u", auth.RoleAdmin, time.Hour},
		{"no audience", secret, issuer, "", "u", auth.RoleAdmin, time.Hour},
		{"no subject", secret, issuer, audience, "", auth.RoleAdmin, time.Hour},
		{"subject too long", secret, issuer, audience, strings.Repeat("u", auth.MaxSubjectBytes+1), auth.RoleAdmin, time.Hour},
		{"unknown role", secret, issuer, audience, "u", auth.Role("root"), time.Hour},
		{"zero ttl", secret, issuer, audience, "u", auth.RoleAdmin, 0},
		{"negative ttl", secret, issuer, audience, "u", auth.RoleAdmin, -time.Hour},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if token, err := auth.Mint(tc.secret, tc.iss, tc.aud, tc.sub, tc.role, tc.ttl, now); err == nil {
				t.Fatalf("Mint returned %q, want an error", token)
			}
		})
	}
}
