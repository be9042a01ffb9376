package main

import (
	"context"
	"crypto"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"time"

	"github.com/go-chi/chi/v5/middleware"
	"github.com/go-chi/cors"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/orderflow/orderflow/platform/auth"
	"github.com/orderflow/orderflow/platform/problem"
	"github.com/orderflow/orderflow/platform/ratelimit"
)

// errNoJWTKey is why serve refuses to start without a way to check tokens.
var errNoJWTKey = errors.New("no JWT key: set " + envJWTSecret + " (HS256) or " + envJWTPublicKeyFile +
	" (RS256 or Ed25519 public key, PEM), or pass --insecure-dev for the development secret of " + defaultDevSecretFile)

// maxBodyBytes bounds every API request body; the APIs apply tighter
// limits of their own.
const maxBodyBytes = 1 << 20

// gateway is what stands in front of the APIs: authentication, the rate
// limit, CORS and the per-request timeout, in that order of the chain
// (outermost last).
type gateway struct {
	verifier *auth.Verifier
	limiter  *ratelimit.Limiter
	// replicas is this process's part in the limits shared with the other
	// api processes; serve runs it.
	replicas *ratelimit.Replicas
	cfg      Gateway
}

// newGateway builds the gateway of cfg, its rate limits shared with the
// other api processes on pool's database (it joins them now, as name). Without a
// configured key it fails with errNoJWTKey, unless cfg.InsecureDev: then
// it signs with the development secret of cfg.DevSecretFile (see
// devSecret). In either case cfg.InsecureDev logs an admin and a customer
// token (logDevTokens).
func newGateway(ctx context.Context, cfg Gateway, name string, pool *pgxpool.Pool, logger *slog.Logger) (*gateway, error) {
	ac := auth.Config{Issuer: cfg.JWTIssuer, Audience: cfg.JWTAudience, Logger: logger}
	switch {
	case cfg.JWTSecret != "" && cfg.JWTPublicKeyFile != "":
		return nil, fmt.Errorf("set %s or %s, not both", envJWTSecret, envJWTPublicKeyFile)
	case cfg.JWTSecret != "":
		ac.Secret = []byte(cfg.JWTSecret)
	case cfg.JWTPublicKeyFile != "":
		key, err := readPublicKey(cfg.JWTPublicKeyFile)
		if err != nil {
			return nil, err
		}
		ac.PublicKey = key
	case cfg.InsecureDev:
		secret, made, err := devSecret(cfg.DevSecretFile)
		if err != nil {
			return nil, err
		}
		ac.Secret = secret
		if made {
			logger.InfoContext(ctx, "made a development JWT secret; serve --insecure-dev and orderflow token in this checkout sign with it", "file", cfg.DevSecretFile)
		}
	default:
		return nil, errNoJWTKey
	}
	replicas, err := ratelimit.NewReplicas(ratelimit.ReplicasConfig{Pool: pool, Name: name,
		Ramp: cfg.RateLimitRamp, Logger: logger})
	if err != nil {
		return nil, err
	}
	if err := replicas.Join(ctx); err != nil {
		return nil, err
	}
	l, err := ratelimit.New(ratelimit.Config{RequestsPerMinute: cfg.RateLimit,
		AnonymousRequestsPerMinute: cfg.AnonymousRateLimit, TrustedProxies: cfg.TrustedProxies, Replicas: replicas})
	if err != nil {
		return nil, err
	}
	ac.Refused = l.Refused
	v, err := auth.NewVerifier(ac)
	if err != nil {
		return nil, err
	}
	if cfg.InsecureDev && ac.Secret != nil {
		if err := logDevTokens(ctx, logger, ac, cfg); err != nil {
			return nil, err
		}
	}
	return &gateway{verifier: v, limiter: l, replicas: replicas, cfg: cfg}, nil
}

// readPublicKey reads a PEM-encoded RSA or Ed25519 public key.
func readPublicKey(path string) (crypto.PublicKey, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", envJWTPublicKeyFile, err)
	}
	block, _ := pem.Decode(raw)
	if block == nil {
		return nil, fmt.Errorf("%s: %s holds no PEM block", envJWTPublicKeyFile, path)
	}
	key, err := x509.ParsePKIXPublicKey(block.Bytes)
	if err != nil {
		return nil, fmt.Errorf("%s: %s: %w", envJWTPublicKeyFile, path, err)
	}
	return key, nil
}

// middlewares returns the chain in front of the APIs, outermost first:
// CORS (preflights are answered before anything else), the per-request
// timeout and body limit, authentication, then the rate limit keyed on
// who was authenticated. A request whose token is refused never reaches
// the rate limit middleware: authentication charges it to its address
// (ratelimit.Limiter.Refused).
func (g *gateway) middlewares() []func(http.Handler) http.Handler {
	return []func(http.Handler) http.Handler{
		cors.Handler(cors.Options{
			AllowedOrigins: g.cfg.CORSOrigins,
			AllowedMethods: []string{http.MethodGet, http.MethodPost, http.MethodOptions},
			AllowedHeaders: []string{"Authorization", "Content-Type", "Idempotency-Key", "If-Match", "X-Request-ID", "X-Min-Position", "traceparent", "tracestate"},
			ExposedHeaders: []string{"ETag", "Location", "Retry-After", "X-Request-ID", "X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset", "Deprecation", "Sunset", "Link"},
			MaxAge:         600,
		}),
		requestTimeout(g.cfg.RequestTimeout),
		limitBody,
		g.verifier.Middleware,
		g.limiter.Middleware,
	}
}

// requestTimeout gives each request a deadline d away. A handler that
// gives up when its context ends without answering gets a 504 problem
// answered for it.
func requestTimeout(d time.Duration) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			ctx, cancel := context.WithTimeout(r.Context(), d)
			defer cancel()
			ww := middleware.NewWrapResponseWriter(w, r.ProtoMajor)
			next.ServeHTTP(ww, r.WithContext(ctx))
			if ww.Status() == 0 && errors.Is(ctx.Err(), context.DeadlineExceeded) {
				problem.Write(w, problem.Details{Type: "urn:orderflow:problem:timeout", Status: http.StatusGatewayTimeout,
					Detail: fmt.Sprintf("the request took longer than %s; try again", d)})
			}
		})
	}
}

// limitBody caps request bodies at maxBodyBytes.
func limitBody(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r.Body = http.MaxBytesReader(w, r.Body, maxBodyBytes)
		next.ServeHTTP(w, r)
	})
}
