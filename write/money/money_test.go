package money_test

import (
	"errors"
	"math"
	"testing"

	"github.com/orderflow/orderflow/write/money"
)

func TestAdd(t *testing.T) {
	eur := func(a int64) money.Money { return money.Money{Amount: a, Currency: "EUR"} }
	tests := []struct {
		name string
		a, b money.Money
		want money.Money
		err  error
	}{
		{"same currency", eur(1999), eur(1), eur(2000), nil},
		{"currencies differ", eur(1), money.Money{Amount: 1, Currency: "USD"}, money.Money{}, money.ErrCurrencyMismatch},
		{"overflow", eur(math.MaxInt64), eur(1), money.Money{}, money.ErrOverflow},
		{"negative overflow", eur(math.MinInt64), eur(-1), money.Money{}, money.ErrOverflow},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := tc.a.Add(tc.b)
			if !errors.Is(err, tc.err) || got != tc.want {
				t.Fatalf("%v + %v = %v, %v; want %v, %v", tc.a, tc.b, got, err, tc.want, tc.err)
			}
		})
	}
}

func TestTimes(t *testing.T) {
	m := money.Money{Amount: 1999, Currency: "EUR"}
	if got, err := m.Times(3); err != nil || got.Amount != 5997 {
		t.Fatalf("1999 x 3 = %v, %v", got, err)
	}
	if _, err := m.Times(math.MaxInt64 / 1000); !errors.Is(err, money.ErrOverflow) {
		t.Fatalf("huge product: %v, want ErrOverflow", err)
	}
	if _, err := m.Times(-1); err == nil {
		t.Fatal("negative quantity accepted")
	}
}

func TestCurrency(t *testing.T) {
	for code, ok := range map[string]bool{"EUR": true, "USD": true, "eur": false, "EU": false, "EURO": false, "E1R": false, "": false} {
		if err := money.ValidateCurrency(code); (err == nil) != ok {
			t.Errorf("ValidateCurrency(%q) = %v", code, err)
		}
	}
}

func TestString(t *testing.T) {
	for m, want := range map[money.Money]string{
		{Amount: 1999, Currency: "EUR"}:        "19.99 EUR",
		{Amount: -5, Currency: "EUR"}:          "-0.05 EUR",
		{Amount: math.MinInt64, Currency: "X"}: "-92233720368547758.08 X",
		{Amount: 0, Currency: "USD"}:           "0.00 USD",
	} {
		if got := m.String(); got != want {
			t.Errorf("%#v.String() = %q, want %q", m, got, want)
		}
	}
}
