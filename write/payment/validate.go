package payment

import (
	"github.com/orderflow/orderflow/write/domain"
	"github.com/orderflow/orderflow/write/money"
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

// textProblem says what is wrong with a required text field
// (domain.CheckText).
func textProblem(s string, max int, multiline bool) string {
	return domain.CheckText(s, max, true, multiline)
}

// isPositive reports whether m is a positive amount of a valid currency.
func isPositive(m money.Money) bool {
	return m.Amount > 0 && money.ValidateCurrency(m.Currency) == nil
}
