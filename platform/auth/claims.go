package auth

import (
	"fmt"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// claims are the claims an orderflow token carries. They spell out the
// registered claims instead of embedding jwt.RegisteredClaims so that
// exp, nbf and iat are numericDates: the library's NumericDate also
// takes a JSON string holding a number, which RFC 7519 does not allow.
type claims struct {
	Issuer    string           `json:"iss,omitempty"`
	Subject   string           `json:"sub,omitempty"`
	Audience  jwt.ClaimStrings `json:"aud,omitempty"`
	ExpiresAt numericDate      `json:"exp,omitzero"`
	NotBefore numericDate      `json:"nbf,omitzero"`
	IssuedAt  numericDate      `json:"iat,omitzero"`
	ID        string           `json:"jti,omitempty"`
	// Role is what the subject may do.
	Role Role `json:"role"`
}

var _ jwt.Claims = claims{}

// GetExpirationTime returns exp, nil when the token has none.
func (c claims) GetExpirationTime() (*jwt.NumericDate, error) { return c.ExpiresAt.date, nil }

// GetNotBefore returns nbf, nil when the token has none.
func (c claims) GetNotBefore() (*jwt.NumericDate, error) { return c.NotBefore.date, nil }

// GetIssuedAt returns iat, nil when the token has none.
func (c claims) GetIssuedAt() (*jwt.NumericDate, error) { return c.IssuedAt.date, nil }

// GetIssuer returns iss.
func (c claims) GetIssuer() (string, error) { return c.Issuer, nil }

// GetSubject returns sub.
func (c claims) GetSubject() (string, error) { return c.Subject, nil }

// GetAudience returns aud.
func (c claims) GetAudience() (jwt.ClaimStrings, error) { return c.Audience, nil }

// numericDate is a time claim as RFC 7519 section 2 defines NumericDate:
// a JSON number of seconds since the epoch, fractions allowed. A claim
// that is absent leaves it zero; one that is present must be a number: a
// string (even "1999999999"), null, a boolean, an object or an array is
// a decoding error, so the token is refused as malformed.
type numericDate struct {
	date *jwt.NumericDate
}

// dateOf returns the numericDate of t, in whole seconds.
func dateOf(t time.Time) numericDate {
	return numericDate{date: jwt.NewNumericDate(t)}
}

// UnmarshalJSON decodes b, which must be a JSON number. The JSON decoder
// calls it for null too, since numericDate is not a pointer.
func (d *numericDate) UnmarshalJSON(b []byte) error {
	if len(b) == 0 || (b[0] != '-' && (b[0] < '0' || b[0] > '9')) {
		return fmt.Errorf("NumericDate %.32s is not a JSON number", b)
	}
	var nd jwt.NumericDate
	if err := nd.UnmarshalJSON(b); err != nil {
		return err
	}
	d.date = &nd
	return nil
}

// MarshalJSON encodes d as a JSON number of whole seconds; the encoder
// leaves a zero d out (omitzero).
func (d numericDate) MarshalJSON() ([]byte, error) {
	if d.date == nil {
		return []byte("null"), nil
	}
	return d.date.MarshalJSON()
}

// IsZero reports whether the claim is absent.
func (d numericDate) IsZero() bool { return d.date == nil }
