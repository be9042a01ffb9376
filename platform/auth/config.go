package auth

import (
	"crypto"
	"crypto/ed25519"
	"crypto/rsa"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// Defaults for the zero fields of Config.
const (
	// DefaultLeeway is the clock skew allowed when checking exp, nbf and
	// iat.
	DefaultLeeway = 30 * time.Second
	// DefaultMaxTokenBytes is the longest token verified; longer ones are
	// refused unread.
	DefaultMaxTokenBytes = 4096
)

// Key requirements.
const (
	// MinSecretBytes is the shortest HS256 secret accepted: 256 bits, the
	// size of the hash.
	MinSecretBytes = 32
	// MinRSABits is the smallest RSA modulus accepted.
	MinRSABits = 2048
)

// Config says which tokens a Verifier accepts. Exactly one of Secret and
// PublicKey is set; it fixes the one signing algorithm accepted.
type Config struct {
	// Secret is the HS256 key, at least MinSecretBytes long.
	Secret []byte
	// PublicKey verifies RS256 (an *rsa.PublicKey of at least MinRSABits)
	// or EdDSA (an ed25519.PublicKey) tokens.
	PublicKey crypto.PublicKey
	// Issuer must equal the token's iss claim. Required.
	Issuer string
	// Audience must be one of the token's aud claim. Required.
	Audience string
	// Leeway is the clock skew allowed for exp, nbf and iat; zero means
	// DefaultLeeway, a negative value is an error.
	Leeway time.Duration
	// MaxTokenBytes bounds the token's length; zero means
	// DefaultMaxTokenBytes.
	MaxTokenBytes int
	// Now is the clock tokens are checked against; nil means time.Now.
	Now func() time.Time
	// Logger receives, at debug level, why a token was refused (the
	// client only ever learns that it was). Nil discards.
	Logger *slog.Logger
	// Refused, when set, is told of every request whose Authorization
	// header Middleware refuses, before the 401 is written: a rate limiter
	// charges it to the client's address there (ratelimit.Limiter.Refused),
	// so that refused tokens are not a way around the limit. When Refused
	// answers the request itself (429) it returns true, and no 401 follows.
	Refused func(w http.ResponseWriter, r *http.Request) (answered bool)
}

// verificationKey returns the one algorithm cfg allows and the key that
// verifies it.
func (cfg Config) verificationKey() (string, any, error) {
	switch {
	case cfg.Secret == nil && cfg.PublicKey == nil:
		return "", nil, errors.New("auth config: set Secret (HS256) or PublicKey (RS256, EdDSA)")
	case cfg.Secret != nil && cfg.PublicKey != nil:
		return "", nil, errors.New("auth config: set Secret or PublicKey, not both")
	case cfg.Secret != nil:
		if len(cfg.Secret) < MinSecretBytes {
			return "", nil, fmt.Errorf("auth config: the secret has %d bytes, want at least %d", len(cfg.Secret), MinSecretBytes)
		}
		return jwt.SigningMethodHS256.Alg(), cfg.Secret, nil
	}
	switch k := cfg.PublicKey.(type) {
	case *rsa.PublicKey:
		if k == nil || k.N == nil {
			return "", nil, errors.New("auth config: the RSA public key is empty")
		}
		if bits := k.N.BitLen(); bits < MinRSABits {
			return "", nil, fmt.Errorf("auth config: the RSA key has %d bits, want at least %d", bits, MinRSABits)
		}
		return jwt.SigningMethodRS256.Alg(), k, nil
	case ed25519.PublicKey:
		if len(k) != ed25519.PublicKeySize {
			return "", nil, fmt.Errorf("auth config: the Ed25519 public key has %d bytes, want %d", len(k), ed25519.PublicKeySize)
		}
		return jwt.SigningMethodEdDSA.Alg(), k, nil
	default:
		return "", nil, fmt.Errorf("auth config: unsupported public key type %T, want *rsa.PublicKey or ed25519.PublicKey", cfg.PublicKey)
	}
}
