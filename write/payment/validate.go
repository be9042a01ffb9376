package payment

import (
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/orderflow/orderflow/write/money"
)

// Limits on what a command may carry.
const (
	maxOrderID     = 64 // as write/order and write/inventory have them
	maxProviderID  = 200
	maxFailureCode = 64
	maxReason      = 500
)

// isOrderID reports whether s is 1 to maxOrderID characters, each a
// letter, a digit, '-', '_' or '.', as write/order accepts order ids.
func isOrderID(s string) bool {
	if s == "" || len(s) > maxOrderID {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		ok := 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '_' || c == '.'
		if !ok {
			return false
		}
	}
	return true
}

// isFailureCode reports whether s is 1 to maxFailureCode lower-case
// letters, digits and underscores.
func isFailureCode(s string) bool {
	if s == "" || len(s) > maxFailureCode {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '_') {
			return false
		}
	}
	return true
}

// textProblem says what is wrong with a required text field, or returns
// "" when nothing is. It must hold more than white space, at most max
// characters and no control characters, except that multiline text may
// hold line breaks and tabs.
func textProblem(s string, max int, multiline bool) string {
	switch {
	case strings.TrimSpace(s) == "":
		return "is required"
	case !utf8.ValidString(s):
		return "is not valid UTF-8"
	case utf8.RuneCountInString(s) > max:
		return "is longer than " + strconv.Itoa(max) + " characters"
	}
	for _, r := range s {
		if unicode.IsControl(r) && !(multiline && (r == '\n' || r == '\r' || r == '\t')) {
			return "contains control characters"
		}
	}
	return ""
}

// isPositive reports whether m is a positive amount of a valid currency.
func isPositive(m money.Money) bool {
	return m.Amount > 0 && money.ValidateCurrency(m.Currency) == nil
}
