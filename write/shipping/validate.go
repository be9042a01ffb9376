package shipping

import (
	"fmt"

	"github.com/orderflow/orderflow/write/domain"
)

func validateAddress(a Address) error {
	fields := []struct {
		name, value string
		max         int
		optional    bool
	}{
		{"name", a.Name, MaxAddressFieldLength, false},
		{"line1", a.Line1, MaxAddressFieldLength, false},
		{"line2", a.Line2, MaxAddressFieldLength, true},
		{"city", a.City, MaxAddressFieldLength, false},
		{"postalCode", a.PostalCode, MaxPostalCodeLength, true},
	}
	for _, f := range fields {
		if f.optional && f.value == "" {
			continue
		}
		if err := checkText(f.value, f.max); err != "" {
			return fmt.Errorf("%w: %s: %s", ErrInvalidAddress, f.name, err)
		}
	}
	if !isCountryCode(a.Country) {
		return fmt.Errorf("%w: country: it must be two upper-case letters such as DE", ErrInvalidAddress)
	}
	return nil
}

func validateServedCountries(countries []string) error {
	if len(countries) == 0 {
		return fmt.Errorf("%w: the list is empty", ErrInvalidServedCountries)
	}
	for _, c := range countries {
		if !isCountryCode(c) {
			return fmt.Errorf("%w: %q is not a two-letter code", ErrInvalidServedCountries, c)
		}
	}
	return nil
}

func validateCarrier(carrier string) error {
	if err := checkText(carrier, MaxCarrierLength); err != "" {
		return fmt.Errorf("%w: %s", ErrInvalidCarrier, err)
	}
	return nil
}

func validateTrackingNumber(n string) error {
	if err := checkText(n, MaxTrackingNumberLength); err != "" {
		return fmt.Errorf("%w: %s", ErrInvalidTrackingNumber, err)
	}
	return nil
}

func validateReason(reason string) error {
	if err := checkText(reason, MaxReasonLength); err != "" {
		return fmt.Errorf("%w: %s", ErrInvalidReason, err)
	}
	return nil
}

// isCountryCode reports whether c looks like an ISO 3166-1 alpha-2 code.
func isCountryCode(c string) bool {
	return len(c) == 2 && c[0] >= 'A' && c[0] <= 'Z' && c[1] >= 'A' && c[1] <= 'Z'
}

// checkText says what is wrong with a required single-line text field
// (domain.CheckText), as the end of a sentence about "it".
func checkText(s string, max int) string {
	if p := domain.CheckText(s, max, true, false); p != "" {
		return "it " + p
	}
	return ""
}
