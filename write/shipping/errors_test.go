package shipping_test

import (
	"errors"
	"regexp"
	"testing"

	"github.com/orderflow/orderflow/write/domain"
	"github.com/orderflow/orderflow/write/shipping"
)

func TestErrors(t *testing.T) {
	tests := []struct {
		err  error
		kind error
	}{
		{shipping.ErrInvalidOrderID, domain.ErrInvalid},
		{shipping.ErrInvalidAddress, domain.ErrInvalid},
		{shipping.ErrInvalidCarrier, domain.ErrInvalid},
		{shipping.ErrInvalidServedCountries, domain.ErrInvalid},
		{shipping.ErrInvalidReason, domain.ErrInvalid},
		{shipping.ErrInvalidTrackingNumber, domain.ErrInvalid},
		{shipping.ErrUnknownCommand, domain.ErrInvalid},
		{shipping.ErrShipmentNotFound, domain.ErrNotFound},
		{shipping.ErrScheduleConflict, domain.ErrRule},
		{shipping.ErrShipmentRejected, domain.ErrRule},
		{shipping.ErrShipmentCancelled, domain.ErrRule},
		{shipping.ErrAlreadyDispatched, domain.ErrRule},
		{shipping.ErrAlreadyDelivered, domain.ErrRule},
		{shipping.ErrNotDispatched, domain.ErrRule},
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
