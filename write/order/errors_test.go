package order_test

import (
	"errors"
	"regexp"
	"testing"

	"github.com/orderflow/orderflow/write/domain"
	"github.com/orderflow/orderflow/write/order"
)

// TestErrorCodes checks that every error Decide can return has a stable
// snake_case code of its own, a message, and a kind.
func TestErrorCodes(t *testing.T) {
	all := []*domain.Error{
		order.ErrInvalidOrderID, order.ErrInvalidCustomerID, order.ErrNoLines, order.ErrTooManyLines,
		order.ErrInvalidSKU, order.ErrDuplicateSKU, order.ErrInvalidQuantity, order.ErrUnknownSKU,
		order.ErrInvalidPrice, order.ErrMixedCurrencies, order.ErrTotalTooLarge, order.ErrInvalidAddress,
		order.ErrInvalidAmount, order.ErrInvalidChargeID, order.ErrInvalidTrackingNumber, order.ErrInvalidReason,
		order.ErrUnknownCommand, order.ErrOrderNotFound, order.ErrOrderExists, order.ErrOrderNotConfirmable,
		order.ErrOrderNotPayable, order.ErrAmountMismatch, order.ErrAlreadyPaid, order.ErrOrderNotShippable,
		order.ErrAlreadyShipped, order.ErrOrderNotDeliverable, order.ErrOrderNotCancellable,
	}
	snake := regexp.MustCompile(`^[a-z]+(_[a-z]+)*$`)
	seen := map[string]bool{}
	for _, e := range all {
		if !snake.MatchString(e.Code) || seen[e.Code] {
			t.Errorf("code %q is not snake_case or not unique", e.Code)
		}
		seen[e.Code] = true
		if e.Message == "" {
			t.Errorf("%s has no message", e.Code)
		}
		kinds := 0
		for _, k := range []error{domain.ErrInvalid, domain.ErrRule, domain.ErrNotFound} {
			if errors.Is(e, k) {
				kinds++
			}
		}
		if kinds != 1 {
			t.Errorf("%s matches %d kinds", e.Code, kinds)
		}
	}
}
