package main

import (
	"cmp"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"time"

	"github.com/orderflow/orderflow/platform/auth"
)

// The claims the API's verifier checks unless configured otherwise, and
// how long a minted token lasts.
const (
	tokenDefaultIssuer   = "orderflow"
	tokenDefaultAudience = "orderflow-api"
	tokenDefaultTTL      = 24 * time.Hour
)

// runToken prints an HS256 bearer token for --sub with --role, valid for
// --ttl, signed with ORDERFLOW_JWT_SECRET (when unset, with the
// development secret serve --insecure-dev uses, ORDERFLOW_DEV_SECRET_FILE
// or .data/dev-jwt-secret, made if missing, and it says so) for ORDERFLOW_JWT_ISSUER and
// ORDERFLOW_JWT_AUDIENCE (defaults "orderflow" and "orderflow-api"). The
// token is the last line of stdout; its expiry goes to stderr. It returns
// errUsage, wrapped, for a bad command line and flag.ErrHelp when help was
// asked for.
func runToken(_ context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	var (
		sub  string
		role string
		ttl  = tokenDefaultTTL
	)
	fs := flag.NewFlagSet("orderflow token", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&sub, "sub", "", "the subject: a customer id, or an operator's name (required)")
	fs.StringVar(&role, "role", "", "customer or admin (required)")
	fs.DurationVar(&ttl, "ttl", ttl, "how long the token is valid")
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "usage: orderflow token --sub ID --role customer|admin [--ttl 24h]\n\n"+
			"Prints a bearer token signed with %s (issuer %s, audience %s); when it is unset, with the\n"+
			"development secret of serve --insecure-dev in %s (or %s).\n\n", envJWTSecret, envJWTIssuer, envJWTAudience, defaultDevSecretFile, envDevSecretFile)
		fs.PrintDefaults()
	}
	usage := func(format string, a ...any) error {
		msg := fmt.Sprintf(format, a...)
		fmt.Fprintf(stderr, "orderflow token: %s\n", msg)
		fs.Usage()
		return fmt.Errorf("%w: %s", errUsage, msg)
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return fmt.Errorf("%w: %v", errUsage, err)
	}
	switch {
	case fs.NArg() > 0:
		return usage("unexpected argument %q", fs.Arg(0))
	case sub == "":
		return usage("--sub is required")
	case !auth.Role(role).Valid():
		return usage("--role must be customer or admin, not %q", role)
	case ttl <= 0:
		return usage("--ttl must be positive, not %s", ttl)
	}
	secret, from := []byte(getenv(envJWTSecret)), envJWTSecret
	if len(secret) == 0 {
		// The development secret serve --insecure-dev uses in this checkout.
		from = cmp.Or(getenv(envDevSecretFile), defaultDevSecretFile)
		var err error
		if secret, _, err = devSecret(from); err != nil {
			return fmt.Errorf("%w: %s is unset and %w", errBadEnv, envJWTSecret, err)
		}
		fmt.Fprintf(stderr, "%s is unset: signing with the development secret in %s, as serve --insecure-dev does\n", envJWTSecret, from)
	}
	if len(secret) < auth.MinSecretBytes {
		return fmt.Errorf("%w %s: want a signing secret of at least %d bytes, got %d", errBadEnv, envJWTSecret, auth.MinSecretBytes, len(secret))
	}
	now := time.Now()
	token, err := auth.Mint(secret,
		cmp.Or(getenv(envJWTIssuer), tokenDefaultIssuer),
		cmp.Or(getenv(envJWTAudience), tokenDefaultAudience),
		sub, auth.Role(role), ttl, now)
	if err != nil {
		return err
	}
	fmt.Fprintf(stderr, "token for %s (%s), valid until %s\n", sub, role, now.Add(ttl).UTC().Format(time.RFC3339))
	fmt.Fprintln(stdout, token)
	return nil
}
