package payment

import (
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/orderflow/orderflow/write/money"

	"github.com/orderflow/orderflow/write/domain"
)

// Limits on what a command may carry.
const (
	maxProviderID  = 200
	maxFailureCode = 64
	maxReason      = 500
)

// isOrderID reports whether s can be an order id (domain.CheckID).
func isOrderID(s string) bool { return domain.CheckID(s) == "" }

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
