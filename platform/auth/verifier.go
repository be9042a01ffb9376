package auth

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/golang-jwt/jwt/v5"
	lru "github.com/hashicorp/golang-lru/v2"
)

// ErrInvalidToken is wrapped by every error Verify returns: the token is
// missing, malformed, signed with another key or algorithm, expired, not
// yet valid, meant for another issuer or audience, or lacks a subject or a
// known role.
var ErrInvalidToken = errors.New("invalid token")

// MaxSubjectBytes is the longest sub claim accepted.
const MaxSubjectBytes = 256

// Verifier checks bearer tokens and turns valid ones into a Principal. It
// is safe for concurrent use.
type Verifier struct {
	alg      string
	key      any
	parser   *jwt.Parser
	maxBytes int
	logger   *slog.Logger
	refused  func(w http.ResponseWriter, r *http.Request) bool
	now      func() time.Time
	leeway   time.Duration
	// verified remembers the tokens that passed every check: a client's
	// next request with the same token costs a lookup instead of a
	// signature check and a JSON decoding. Only the exact bytes of a
	// verified token find its entry, and an entry serves only until the
	// token expires.
	verified *lru.Cache[string, verifiedToken]
}

// verifiedTokens bounds how many verified tokens a Verifier remembers; the
// least recently used go first.
const verifiedTokens = 4096

// verifiedToken is a token that passed every check: the principal it
// names, and the time from which the parser would refuse it as expired
// (exp plus the leeway).
type verifiedToken struct {
	principal Principal
	until     time.Time
}

// NewVerifier returns a Verifier for cfg. It returns an error when neither
// or both of Secret and PublicKey are set, when the key is too weak or of
// an unsupported type, when Issuer or Audience is empty, or when Leeway or
// MaxTokenBytes is negative.
func NewVerifier(cfg Config) (*Verifier, error) {
	alg, key, err := cfg.verificationKey()
	if err != nil {
		return nil, err
	}
	switch {
	case cfg.Issuer == "":
		return nil, errors.New("auth config: Issuer is required")
	case cfg.Audience == "":
		return nil, errors.New("auth config: Audience is required")
	case cfg.Leeway < 0:
		return nil, fmt.Errorf("auth config: negative Leeway %s", cfg.Leeway)
	case cfg.MaxTokenBytes < 0:
		return nil, fmt.Errorf("auth config: negative MaxTokenBytes %d", cfg.MaxTokenBytes)
	}
	leeway := cfg.Leeway
	if leeway == 0 {
		leeway = DefaultLeeway
	}
	maxBytes := cfg.MaxTokenBytes
	if maxBytes == 0 {
		maxBytes = DefaultMaxTokenBytes
	}
	now := cfg.Now
	if now == nil {
		now = time.Now
	}
	logger := cfg.Logger
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	parser := jwt.NewParser(
		jwt.WithValidMethods([]string{alg}),
		jwt.WithExpirationRequired(),
		jwt.WithIssuedAt(),
		jwt.WithIssuer(cfg.Issuer),
		jwt.WithAudience(cfg.Audience),
		jwt.WithLeeway(leeway),
		jwt.WithTimeFunc(now),
		jwt.WithStrictDecoding(),
	)
	verified, err := lru.New[string, verifiedToken](verifiedTokens)
	if err != nil {
		return nil, err
	}
	return &Verifier{alg: alg, key: key, parser: parser, maxBytes: maxBytes, logger: logger, refused: cfg.Refused,
		now: now, leeway: leeway, verified: verified}, nil
}

// Algorithm returns the one signing algorithm v accepts: "HS256", "RS256"
// or "EdDSA".
func (v *Verifier) Algorithm() string { return v.alg }

// Verify checks token (the compact JWS, without "Bearer ") and returns
// the principal it names. The token must be at most MaxTokenBytes long,
// signed with the configured key and algorithm (no other algorithm, and
// never "none"), carry exp (and nbf, iat if present) as JSON numbers
// (RFC 7519's NumericDate: a string such as "1999999999" is refused;
// fractions are allowed) valid within the leeway, the configured iss and aud, a sub of 1 to MaxSubjectBytes
// printable characters and a role of customer or admin. Any failure is an
// error wrapping ErrInvalidToken and the reason. A token verified before is
// answered from memory until it expires.
func (v *Verifier) Verify(token string) (Principal, error) {
	if len(token) > v.maxBytes {
		return Principal{}, fmt.Errorf("%w: %d bytes, more than %d", ErrInvalidToken, len(token), v.maxBytes)
	}
	if t, ok := v.verified.Get(token); ok && v.now().Before(t.until) {
		return t.principal, nil
	}
	var c claims
	if _, err := v.parser.ParseWithClaims(token, &c, v.keyFor); err != nil {
		v.verified.Remove(token)
		return Principal{}, fmt.Errorf("%w: %w", ErrInvalidToken, err)
	}
	p := Principal{Subject: c.Subject, Role: c.Role}
	if exp := c.ExpiresAt.date; exp != nil {
		v.verified.Add(token, verifiedToken{principal: p, until: exp.Add(v.leeway)})
	}
	return p, nil
}

// keyFor returns the configured key, refusing any algorithm but the
// configured one (the parser's allow-list checks it too).
func (v *Verifier) keyFor(t *jwt.Token) (any, error) {
	if t.Method == nil || t.Method.Alg() != v.alg {
		return nil, fmt.Errorf("unexpected signing algorithm %v", t.Header["alg"])
	}
	return v.key, nil
}

// Validate checks what the registered claims' validation does not: sub
// and role. The parser calls it after the time, issuer and audience
// checks.
func (c claims) Validate() error {
	if err := validSubject(c.Subject); err != nil {
		return err
	}
	if !c.Role.Valid() {
		return fmt.Errorf("role %q is not customer or admin", c.Role)
	}
	return nil
}

// validSubject checks that sub is 1 to MaxSubjectBytes of valid UTF-8
// with no control characters.
func validSubject(sub string) error {
	switch {
	case sub == "":
		return errors.New("sub is missing")
	case len(sub) > MaxSubjectBytes:
		return fmt.Errorf("sub has %d bytes, more than %d", len(sub), MaxSubjectBytes)
	case !utf8.ValidString(sub):
		return errors.New("sub is not valid UTF-8")
	}
	for _, r := range sub {
		if unicode.IsControl(r) {
			return errors.New("sub contains a control character")
		}
	}
	return nil
}
