package auth

import (
	"errors"
	"fmt"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// Mint returns an HS256 token for sub with role, issued by issuer for
// audience, valid from now for ttl: the token a Verifier configured with
// the same secret, issuer and audience accepts until now+ttl. It is meant
// for the orderflow token command, development and tests. It returns an
// error when the secret is shorter than MinSecretBytes, issuer or audience
// is empty, sub is not 1 to MaxSubjectBytes printable characters, role is
// not a known role or ttl is not positive.
func Mint(secret []byte, issuer, audience, sub string, role Role, ttl time.Duration, now time.Time) (string, error) {
	switch {
	case len(secret) < MinSecretBytes:
		return "", fmt.Errorf("mint token: the secret has %d bytes, want at least %d", len(secret), MinSecretBytes)
	case issuer == "":
		return "", errors.New("mint token: issuer is empty")
	case audience == "":
		return "", errors.New("mint token: audience is empty")
	case !role.Valid():
		return "", fmt.Errorf("mint token: role %q is not customer or admin", role)
	case ttl <= 0:
		return "", fmt.Errorf("mint token: ttl %s is not positive", ttl)
	}
	if err := validSubject(sub); err != nil {
		return "", fmt.Errorf("mint token: %w", err)
	}
	c := claims{
		Issuer:    issuer,
		Subject:   sub,
		Audience:  jwt.ClaimStrings{audience},
		IssuedAt:  dateOf(now),
		NotBefore: dateOf(now),
		ExpiresAt: dateOf(now.Add(ttl)),
		Role:      role,
	}
	token, err := jwt.NewWithClaims(jwt.SigningMethodHS256, c).SignedString(secret)
	if err != nil {
		return "", fmt.Errorf("mint token: %w", err)
	}
	return token, nil
}
