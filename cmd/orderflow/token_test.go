package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/orderflow/orderflow/platform/auth"
)

const testJWTSecret = "0123456789abcdef0123456789abcdef-test"

// tokenEnv returns a getenv over vars.
func tokenEnv(vars map[string]string) func(string) string {
	return func(k string) string { return vars[k] }
}

// lastLine returns the last line of out.
func lastLine(out string) string {
	lines := strings.Split(strings.TrimRight(out, "\n"), "\n")
	return lines[len(lines)-1]
}

func TestTokenPrintsAVerifiableToken(t *testing.T) {
	tests := []struct {
		name     string
		args     []string
		env      map[string]string
		issuer   string
		audience string
		want     auth.Principal
		ttl      time.Duration
	}{
		{"customer, defaults", []string{"--sub", "c-1", "--role", "customer"},
			map[string]string{"ORDERFLOW_JWT_SECRET": testJWTSecret}, "orderflow", "orderflow-api",
			auth.Principal{Subject: "c-1", Role: auth.RoleCustomer}, 24 * time.Hour},
		{"admin, own ttl, issuer and audience", []string{"--sub", "ops", "--role", "admin", "--ttl", "90m"},
			map[string]string{"ORDERFLOW_JWT_SECRET": testJWTSecret, "ORDERFLOW_JWT_ISSUER": "idp", "ORDERFLOW_JWT_AUDIENCE": "api"}, "idp", "api",
			auth.Principal{Subject: "ops", Role: auth.RoleAdmin}, 90 * time.Minute},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			before := time.Now().Truncate(time.Second)
			if err := runToken(context.Background(), tc.args, tokenEnv(tc.env), &stdout, &stderr); err != nil {
				t.Fatalf("runToken: %v (stderr %s)", err, stderr.String())
			}
			token := lastLine(stdout.String())
			v, err := auth.NewVerifier(auth.Config{Secret: []byte(testJWTSecret), Issuer: tc.issuer, Audience: tc.audience})
			if err != nil {
				t.Fatal(err)
			}
			p, err := v.Verify(token)
			if err != nil || p != tc.want {
				t.Fatalf("Verify(printed token) = %+v, %v; want %+v", p, err, tc.want)
			}
			var c jwt.RegisteredClaims
			if _, _, err := jwt.NewParser().ParseUnverified(token, &c); err != nil {
				t.Fatal(err)
			}
			if exp := c.ExpiresAt.Sub(before); exp < tc.ttl || exp > tc.ttl+5*time.Second {
				t.Errorf("the token expires %s after the command ran, want %s", exp, tc.ttl)
			}
			if !strings.Contains(stderr.String(), "valid until") {
				t.Errorf("stderr %q does not say when the token expires", stderr.String())
			}
		})
	}
}

func TestTokenRefusesBadInput(t *testing.T) {
	withSecret := map[string]string{"ORDERFLOW_JWT_SECRET": testJWTSecret}
	tests := []struct {
		name  string
		args  []string
		env   map[string]string
		usage bool   // errUsage expected
		msg   string // in the error
	}{
		{"no secret, and a short development secret", []string{"--sub", "c-1", "--role", "customer"},
			map[string]string{"ORDERFLOW_DEV_SECRET_FILE": shortDevSecret(t)}, false, "at least 32"},
		{"short secret", []string{"--sub", "c-1", "--role", "customer"}, map[string]string{"ORDERFLOW_JWT_SECRET": "short"}, false, "at least 32 bytes"},
		{"no sub", []string{"--role", "customer"}, withSecret, true, "--sub"},
		{"no role", []string{"--sub", "c-1"}, withSecret, true, "--role"},
		{"unknown role", []string{"--sub", "c-1", "--role", "root"}, withSecret, true, `"root"`},
		{"zero ttl", []string{"--sub", "c-1", "--role", "admin", "--ttl", "0s"}, withSecret, true, "--ttl"},
		{"bad ttl", []string{"--sub", "c-1", "--role", "admin", "--ttl", "soon"}, withSecret, true, "ttl"},
		{"unknown flag", []string{"--sub", "c-1", "--role", "admin", "--forever"}, withSecret, true, "forever"},
		{"extra argument", []string{"--sub", "c-1", "--role", "admin", "extra"}, withSecret, true, `"extra"`},
		{"sub with a line break", []string{"--sub", "c-1\nx", "--role", "admin"}, withSecret, false, "control character"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			err := runToken(context.Background(), tc.args, tokenEnv(tc.env), &stdout, &stderr)
			if err == nil {
				t.Fatalf("runToken printed %q, want an error", stdout.String())
			}
			if errors.Is(err, errUsage) != tc.usage {
				t.Errorf("error %v: usage error %t, want %t", err, errors.Is(err, errUsage), tc.usage)
			}
			if !strings.Contains(err.Error(), tc.msg) {
				t.Errorf("error %q does not mention %q", err, tc.msg)
			}
			if stdout.Len() != 0 {
				t.Errorf("stdout %q, want nothing", stdout.String())
			}
		})
	}
}

// shortDevSecret returns a development secret file that holds too short a
// secret.
func shortDevSecret(t *testing.T) string {
	path := filepath.Join(t.TempDir(), "dev-jwt-secret")
	if err := os.WriteFile(path, []byte("short\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestTokenHelp(t *testing.T) {
	var stdout, stderr bytes.Buffer
	err := runToken(context.Background(), []string{"-h"}, tokenEnv(nil), &stdout, &stderr)
	if !errors.Is(err, flag.ErrHelp) || !strings.Contains(stderr.String(), "--sub ID --role") {
		t.Fatalf("-h: %v, stderr %q; want flag.ErrHelp and the usage", err, stderr.String())
	}
}
