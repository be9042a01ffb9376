package order

import (
	"fmt"

	"github.com/orderflow/orderflow/write/domain"
	"github.com/orderflow/orderflow/write/money"
)

// Limits on what a command may carry.
const (
	maxCustomerID     = 100
	maxLines          = 100
	maxQuantity       = 1000
	maxAddressField   = 200
	maxPostalCode     = 20
	maxChargeID       = 200
	maxTrackingNumber = 100
	maxReason         = 500
)

// isID reports whether s can be an order id or a SKU (domain.CheckID).
func isID(s string) bool { return domain.CheckID(s) == "" }

// textProblem says what is wrong with a text field (domain.CheckText).
func textProblem(s string, required bool, max int, multiline bool) string {
	return domain.CheckText(s, max, required, multiline)
}

// isPositive reports whether m is a positive amount of a valid currency.
func isPositive(m money.Money) bool {
	return m.Amount > 0 && money.ValidateCurrency(m.Currency) == nil
}

// validatePlace checks what the client sent in c: everything but the
// prices, which come from the catalog.
func validatePlace(c Place) error {
	if !isID(c.OrderID) {
		return ErrInvalidOrderID
	}
	if p := textProblem(c.CustomerID, true, maxCustomerID, false); p != "" {
		return fmt.Errorf("customer id %s: %w", p, ErrInvalidCustomerID)
	}
	switch {
	case len(c.Lines) == 0:
		return ErrNoLines
	case len(c.Lines) > maxLines:
		return fmt.Errorf("%d lines: %w", len(c.Lines), ErrTooManyLines)
	}
	seen := make(map[string]int, len(c.Lines))
	for i, l := range c.Lines {
		n := i + 1
		if !isID(l.SKU) {
			return fmt.Errorf("line %d: %w", n, ErrInvalidSKU)
		}
		if first, dup := seen[l.SKU]; dup {
			return fmt.Errorf("lines %d and %d: sku %q: %w", first, n, l.SKU, ErrDuplicateSKU)
		}
		seen[l.SKU] = n
		if l.Quantity < 1 || l.Quantity > maxQuantity {
			return fmt.Errorf("line %d: quantity %d: %w", n, l.Quantity, ErrInvalidQuantity)
		}
	}
	if c.Channel != "" && !c.Channel.Valid() {
		return fmt.Errorf("field \"channel\" is %q: %w", string(c.Channel), ErrInvalidChannel)
	}
	return validateAddress(c.ShippingAddress)
}

// validateAddress checks every field of a shipping address.
func validateAddress(a Address) error {
	fields := []struct {
		name     string
		value    string
		required bool
		max      int
	}{
		{"name", a.Name, true, maxAddressField},
		{"line1", a.Line1, true, maxAddressField},
		{"line2", a.Line2, false, maxAddressField},
		{"city", a.City, true, maxAddressField},
		{"postalCode", a.PostalCode, true, maxPostalCode},
	}
	for _, f := range fields {
		if p := textProblem(f.value, f.required, f.max, false); p != "" {
			return fmt.Errorf("shipping address %s %s: %w", f.name, p, ErrInvalidAddress)
		}
	}
	if !isCountryCode(a.Country) {
		return fmt.Errorf("shipping address country must be two upper-case letters such as DE: %w", ErrInvalidAddress)
	}
	return nil
}

// isCountryCode reports whether s looks like an ISO 3166-1 alpha-2 code.
func isCountryCode(s string) bool {
	return len(s) == 2 && 'A' <= s[0] && s[0] <= 'Z' && 'A' <= s[1] && s[1] <= 'Z'
}

// priceLines prices the requested lines from the catalog's prices and sums
// the total, checking that every product has a usable price, that all
// share one currency, and that nothing overflows.
func priceLines(reqs []LineRequest, prices map[string]money.Money) ([]Line, money.Money, error) {
	lines := make([]Line, len(reqs))
	var total money.Money
	for i, r := range reqs {
		n := i + 1
		price, ok := prices[r.SKU]
		switch {
		case !ok:
			return nil, money.Money{}, fmt.Errorf("line %d: sku %q: %w", n, r.SKU, ErrUnknownSKU)
		case !isPositive(price):
			return nil, money.Money{}, fmt.Errorf("line %d: sku %q: %w", n, r.SKU, ErrInvalidPrice)
		case i == 0:
			total.Currency = price.Currency
		case price.Currency != total.Currency:
			return nil, money.Money{}, fmt.Errorf("line %d: sku %q is priced in %s, line 1 in %s: %w", n, r.SKU, price.Currency, total.Currency, ErrMixedCurrencies)
		}
		sum, err := price.Times(int64(r.Quantity))
		if err == nil {
			total, err = total.Add(sum)
		}
		if err != nil {
			return nil, money.Money{}, fmt.Errorf("line %d: %w", n, ErrTotalTooLarge)
		}
		lines[i] = Line{SKU: r.SKU, Quantity: r.Quantity, UnitPrice: price}
	}
	return lines, total, nil
}
