package payment_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/orderflow/orderflow/write/domain"
	"github.com/orderflow/orderflow/write/money"
	"github.com/orderflow/orderflow/write/payment"
)

// now is the time every test decides at; it is not in UTC, so that tests
// see Decide stamp events in UTC.
var now = time.Date(2026, 11, 25, 13, 30, 0, 0, time.FixedZone("CET", 3600))

func eur(amount int64) money.Money { return money.Money{Amount: amount, Currency: "EUR"} }

var amount = eur(4498)

// Events of the payment of order "o-1" through its life, as stored.
var (
	t0 = time.Date(2026, 11, 1, 9, 0, 0, 0, time.UTC)

	requested = payment.Requested{V: payment.RequestedVersion, OrderID: "o-1", Amount: amount, RequestedAt: t0}
	captured  = payment.Captured{V: payment.CapturedVersion, ChargeID: "ch_1", Amount: amount, CapturedAt: t0.Add(time.Second)}
	failed    = payment.Failed{V: payment.FailedVersion, Reason: "The card was declined.", Code: "card_declined", FailedAt: t0.Add(time.Second)}
	refunded  = payment.Refunded{V: payment.RefundedVersion, RefundID: "re_1", Amount: amount, Reason: "order cancelled", RefundedAt: t0.Add(time.Minute)}
)

// fold returns the state the events leave, starting from no payment.
func fold(events ...domain.Event) payment.State {
	var s payment.State
	for _, e := range events {
		s = payment.Evolve(s, e)
	}
	return s
}

// histories holds one history per status a payment can be in.
var histories = []struct {
	name    string
	history []domain.Event
}{
	{"none", nil},
	{"requested", []domain.Event{requested}},
	{"captured", []domain.Event{requested, captured}},
	{"failed", []domain.Event{requested, failed}},
	{"refunded", []domain.Event{requested, captured, refunded}},
}

// checkErr fails t unless err is want (nil for none) and, when want is a
// domain error, of want's kind.
func checkErr(t testing.TB, err, want error) {
	t.Helper()
	if want == nil {
		if err != nil {
			t.Fatalf("error %v, want none", err)
		}
		return
	}
	if !errors.Is(err, want) {
		t.Fatalf("error %v, want %v", err, want)
	}
	var de, wantDE *domain.Error
	if errors.As(want, &wantDE) {
		if !errors.As(err, &de) || de.Code != wantDE.Code || !errors.Is(err, wantDE.Kind) {
			t.Fatalf("error %v is not a %q domain error of kind %v", err, wantDE.Code, wantDE.Kind)
		}
	}
}

// longString returns n copies of r.
func longString(r rune, n int) string { return strings.Repeat(string(r), n) }
