// Package money is an amount of a currency in integer minor units (cents),
// with arithmetic that refuses to mix currencies or overflow.
package money

import (
	"errors"
	"fmt"
	"math"
)

// Money is an amount in minor units of an ISO 4217 currency.
type Money struct {
	Amount   int64  `json:"amount"`
	Currency string `json:"currency"`
}

var (
	// ErrCurrencyMismatch is returned when amounts of two currencies meet.
	ErrCurrencyMismatch = errors.New("currencies differ")
	// ErrOverflow is returned when a result does not fit in 64 bits.
	ErrOverflow = errors.New("amount overflows")
	// ErrBadCurrency is returned for a currency that is not three
	// upper-case letters.
	ErrBadCurrency = errors.New("currency must be three upper-case letters, e.g. EUR")
)

// New returns amount minor units of currency, checking the currency code.
func New(amount int64, currency string) (Money, error) {
	if err := ValidateCurrency(currency); err != nil {
		return Money{}, err
	}
	return Money{Amount: amount, Currency: currency}, nil
}

// ValidateCurrency checks that code looks like an ISO 4217 code.
func ValidateCurrency(code string) error {
	if len(code) != 3 {
		return ErrBadCurrency
	}
	for i := 0; i < 3; i++ {
		if code[i] < 'A' || code[i] > 'Z' {
			return ErrBadCurrency
		}
	}
	return nil
}

// Add returns m + o.
func (m Money) Add(o Money) (Money, error) {
	if m.Currency != o.Currency {
		return Money{}, fmt.Errorf("add %s to %s: %w", o.Currency, m.Currency, ErrCurrencyMismatch)
	}
	if (o.Amount > 0 && m.Amount > math.MaxInt64-o.Amount) || (o.Amount < 0 && m.Amount < math.MinInt64-o.Amount) {
		return Money{}, ErrOverflow
	}
	return Money{Amount: m.Amount + o.Amount, Currency: m.Currency}, nil
}

// Times returns m multiplied by a non-negative quantity.
func (m Money) Times(n int64) (Money, error) {
	if n < 0 {
		return Money{}, fmt.Errorf("multiply by %d: negative quantity", n)
	}
	if n != 0 && (m.Amount > math.MaxInt64/n || m.Amount < math.MinInt64/n) {
		return Money{}, ErrOverflow
	}
	return Money{Amount: m.Amount * n, Currency: m.Currency}, nil
}

// String formats m as "19.99 EUR" (two minor digits).
func (m Money) String() string {
	sign, a := "", m.Amount
	if a < 0 {
		sign = "-"
	}
	u := uint64(a)
	if a < 0 {
		u = uint64(-(a + 1)) + 1
	}
	return fmt.Sprintf("%s%d.%02d %s", sign, u/100, u%100, m.Currency)
}
