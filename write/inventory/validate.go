package inventory

import (
	"fmt"
	"math"

	"github.com/orderflow/orderflow/write/domain"
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

// checkText says what is wrong with a required single-line text field
// (domain.CheckText), as the end of a sentence about "it".
func checkText(s string, max int) string {
	if p := domain.CheckText(s, max, true, false); p != "" {
		return "it " + p
	}
	return ""
}
