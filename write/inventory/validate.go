package inventory

import (
	"fmt"
	"math"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/orderflow/orderflow/write/money"
)

func validateName(name string) error {
	if err := checkText(name, MaxNameLength); err != "" {
		return fmt.Errorf("%w: %s", ErrInvalidName, err)
	}
	return nil
}

func validateReason(reason string) error {
	if err := checkText(reason, MaxReasonLength); err != "" {
		return fmt.Errorf("%w: %s", ErrInvalidReason, err)
	}
	return nil
}

func validatePrice(p money.Money) error {
	if err := money.ValidateCurrency(p.Currency); err != nil {
		return fmt.Errorf("%w: %w", ErrInvalidPrice, err)
	}
	if p.Amount <= 0 {
		return fmt.Errorf("%w: the amount must be more than zero", ErrInvalidPrice)
	}
	return nil
}

func validateQuantity(q int64) error {
	if q < 1 || q > MaxQuantity {
		return fmt.Errorf("%w: got %d", ErrInvalidQuantity, q)
	}
	return nil
}

// addFits reports whether a+b, both non-negative, fits in an int64.
func addFits(a, b int64) bool { return a <= math.MaxInt64-b }

// checkText returns what is wrong with a piece of text a person typed, or
// "" when it is fine: it must be valid UTF-8, not blank, at most max
// characters, without control characters.
func checkText(s string, max int) string {
	switch {
	case !utf8.ValidString(s):
		return "it is not valid UTF-8"
	case strings.TrimSpace(s) == "":
		return "it is blank"
	case utf8.RuneCountInString(s) > max:
		return fmt.Sprintf("it is longer than %d characters", max)
	case strings.IndexFunc(s, unicode.IsControl) >= 0:
		return "it contains control characters"
	}
	return ""
}
