package payment_test

import (
	"errors"
	"regexp"
	"testing"

	"github.com/orderflow/orderflow/write/domain"
	"github.com/orderflow/orderflow/write/payment"
)

// TestErrorCodes checks that every error Decide can return has a stable
// snake_case code of its own, a message, and a kind.
func TestErrorCodes(t *testing.T) {
	all := []*domain.Error{
		payment.ErrInvalidOrderID, payment.ErrInvalidAmount, payment.ErrInvalidChargeID, payment.ErrInvalidRefundID,
		payment.ErrInvalidFailureCode, payment.ErrInvalidReason, payment.ErrUnknownCommand, payment.ErrPaymentNotFound,
		payment.ErrAlreadyRequested, payment.ErrAmountMismatch, payment.ErrNotCapturable, payment.ErrAlreadyCaptured,
		payment.ErrNotFailable, payment.ErrNotRefundable, payment.ErrAlreadyRefunded,
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
