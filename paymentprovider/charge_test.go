package paymentprovider_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/orderflow/orderflow/paymentprovider"
	"github.com/orderflow/orderflow/paymentprovider/sandbox"
	"github.com/orderflow/orderflow/write/money"
)

func TestChargeIsIdempotent(t *testing.T) {
	sb, base := startSandbox(t, sandbox.Controls{})
	c := newClient(t, base, paymentprovider.Config{})
	ctx := context.Background()

	first, err := c.Charge(ctx, "order-1/payment", "order-1", eur(1999))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(first.ID, "ch_") || first.Status != paymentprovider.ChargeSucceeded ||
		first.Amount != eur(1999) || first.Reference != "order-1" || first.Created.IsZero() {
		t.Fatalf("charge %+v", first)
	}
	second, err := c.Charge(ctx, "order-1/payment", "order-1", eur(1999))
	if err != nil {
		t.Fatal(err)
	}
	if second != first {
		t.Fatalf("the same key charged again: %+v then %+v", first, second)
	}
	st := sb.Stats()
	if st.ChargesMade != 1 || st.ChargesByReference["order-1"] != 1 || st.ChargeAttempts != 2 || st.Replays != 1 {
		t.Fatalf("sandbox stats %+v", st)
	}

	_, err = c.Charge(ctx, "order-1/payment", "order-1", eur(2999))
	var pe *paymentprovider.ProviderError
	if !errors.Is(err, paymentprovider.ErrIdempotencyKeyReused) || !errors.Is(err, paymentprovider.ErrRejected) ||
		!errors.As(err, &pe) || pe.Status != 422 {
		t.Fatalf("the key with another amount: %v", err)
	}
}

func TestDeclineIsNotRetried(t *testing.T) {
	sb, base := startSandbox(t, sandbox.Controls{})
	c := newClient(t, base, paymentprovider.Config{BreakerFailureThreshold: 2})
	for i := range 5 {
		_, err := c.Charge(context.Background(), "decline-"+string(rune('a'+i)), "order-2", eur(1002))
		var de *paymentprovider.DeclineError
		if !errors.Is(err, paymentprovider.ErrDeclined) || !errors.As(err, &de) ||
			de.Code != sandbox.DeclineCardDeclined || !strings.HasPrefix(de.ChargeID, "ch_") {
			t.Fatalf("charge of 10.02: %v", err)
		}
	}
	if st := sb.Stats(); st.ChargeAttempts != 5 || st.Declines != 5 || st.ChargesMade != 0 || st.Requests != 5 {
		t.Fatalf("sandbox stats %+v: a decline was retried", st)
	}
	if s := c.State(); s.Retries != 0 || s.Breaker != paymentprovider.BreakerClosed {
		t.Fatalf("client state %+v: declines count as failures", s)
	}
}

func TestLookupCharge(t *testing.T) {
	_, base := startSandbox(t, sandbox.Controls{})
	c := newClient(t, base, paymentprovider.Config{})
	ctx := context.Background()
	if _, found, err := c.LookupCharge(ctx, "k"); err != nil || found {
		t.Fatalf("lookup before the charge: found %v, %v", found, err)
	}
	made, err := c.Charge(ctx, "k", "order-3", eur(500))
	if err != nil {
		t.Fatal(err)
	}
	got, found, err := c.LookupCharge(ctx, "k")
	if err != nil || !found || got != made {
		t.Fatalf("lookup: %+v %v %v, want %+v", got, found, err, made)
	}
	_, _ = c.Charge(ctx, "d", "order-4", eur(702))
	got, found, err = c.LookupCharge(ctx, "d")
	if err != nil || !found || got.Status != paymentprovider.ChargeDeclined || got.DeclineCode != sandbox.DeclineCardDeclined {
		t.Fatalf("lookup of a declined charge: %+v %v %v", got, found, err)
	}
}

func TestInvalidArgumentsAreNotSent(t *testing.T) {
	sb, base := startSandbox(t, sandbox.Controls{})
	c := newClient(t, base, paymentprovider.Config{})
	ctx := context.Background()
	tests := []struct {
		name string
		call func() error
	}{
		{"empty key", func() error { _, err := c.Charge(ctx, "", "r", eur(1)); return err }},
		{"key with a space", func() error { _, err := c.Charge(ctx, "a b", "r", eur(1)); return err }},
		{"key too long", func() error { _, err := c.Charge(ctx, strings.Repeat("k", 256), "r", eur(1)); return err }},
		{"no reference", func() error { _, err := c.Charge(ctx, "k", "", eur(1)); return err }},
		{"zero amount", func() error { _, err := c.Charge(ctx, "k", "r", eur(0)); return err }},
		{"bad currency", func() error { _, err := c.Charge(ctx, "k", "r", money.Money{Amount: 1, Currency: "euro"}); return err }},
		{"refund without a charge", func() error { _, err := c.Refund(ctx, "k", ""); return err }},
		{"lookup without a key", func() error { _, _, err := c.LookupCharge(ctx, ""); return err }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := tt.call(); !errors.Is(err, paymentprovider.ErrInvalidRequest) {
				t.Fatalf("err = %v, want ErrInvalidRequest", err)
			}
		})
	}
	if st := sb.Stats(); st.Requests != 0 {
		t.Fatalf("%d requests reached the provider", st.Requests)
	}
}

func TestNewRefusesBadURLs(t *testing.T) {
	for _, u := range []string{"", "127.0.0.1:8081", "ftp://host", "http://", "http://host/?q=1", "://x"} {
		if _, err := paymentprovider.New(paymentprovider.Config{BaseURL: u}); err == nil {
			t.Errorf("New took base URL %q", u)
		}
	}
	if _, err := paymentprovider.New(paymentprovider.Config{BaseURL: "http://127.0.0.1:8081", Timeout: -1}); err == nil {
		t.Error("New took a negative timeout")
	}
}
