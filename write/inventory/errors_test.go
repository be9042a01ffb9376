package inventory_test

import (
	"errors"
	"regexp"
	"testing"

	"github.com/orderflow/orderflow/write/domain"
	"github.com/orderflow/orderflow/write/inventory"
)

func TestErrors(t *testing.T) {
	tests := []struct {
		err  error
		kind error
	}{
		{inventory.ErrInvalidSKU, domain.ErrInvalid},
		{inventory.ErrInvalidName, domain.ErrInvalid},
		{inventory.ErrInvalidPrice, domain.ErrInvalid},
		{inventory.ErrInvalidQuantity, domain.ErrInvalid},
		{inventory.ErrInvalidOrderID, domain.ErrInvalid},
		{inventory.ErrInvalidReason, domain.ErrInvalid},
		{inventory.ErrUnknownCommand, domain.ErrInvalid},
		{inventory.ErrProductNotFound, domain.ErrNotFound},
		{inventory.ErrProductAlreadyRegistered, domain.ErrRule},
		{inventory.ErrCurrencyChange, domain.ErrRule},
		{inventory.ErrStockOverflow, domain.ErrRule},
		{inventory.ErrReservationConflict, domain.ErrRule},
		{inventory.ErrReservationReleased, domain.ErrRule},
		{inventory.ErrReservationShipped, domain.ErrRule},
		{inventory.ErrNotReserved, domain.ErrRule},
		{inventory.ErrInsufficientStock, domain.ErrRule},
	}
	snake := regexp.MustCompile(`^[a-z]+(_[a-z]+)*$`)
	codes := map[string]bool{}
	for _, tc := range tests {
		var de *domain.Error
		if !errors.As(tc.err, &de) {
			t.Fatalf("%v is not a *domain.Error", tc.err)
		}
		t.Run(de.Code, func(t *testing.T) {
			if !snake.MatchString(de.Code) {
				t.Errorf("code %q is not snake_case", de.Code)
			}
			if codes[de.Code] {
				t.Errorf("code %q used twice", de.Code)
			}
			codes[de.Code] = true
			if de.Message == "" {
				t.Error("no message")
			}
			for _, kind := range []error{domain.ErrInvalid, domain.ErrRule, domain.ErrNotFound} {
				if got, want := errors.Is(tc.err, kind), kind == tc.kind; got != want {
					t.Errorf("errors.Is(err, %v) = %v, want %v", kind, got, want)
				}
			}
		})
	}
}
