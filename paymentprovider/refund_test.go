package paymentprovider_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/orderflow/orderflow/paymentprovider"
	"github.com/orderflow/orderflow/paymentprovider/sandbox"
)

func TestRefundIsIdempotent(t *testing.T) {
	sb, base := startSandbox(t, sandbox.Controls{})
	c := newClient(t, base, paymentprovider.Config{})
	ctx := context.Background()
	ch, err := c.Charge(ctx, "order-1/payment", "order-1", eur(1999))
	if err != nil {
		t.Fatal(err)
	}
	first, err := c.Refund(ctx, "order-1/refund", ch.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(first.ID, "re_") || first.ChargeID != ch.ID || first.Amount != eur(1999) || first.Status != paymentprovider.RefundSucceeded {
		t.Fatalf("refund %+v", first)
	}
	second, err := c.Refund(ctx, "order-1/refund", ch.ID)
	if err != nil || second != first {
		t.Fatalf("the same key refunded again: %+v then %+v, %v", first, second, err)
	}
	if st := sb.Stats(); st.Refunds != 1 {
		t.Fatalf("sandbox stats %+v", st)
	}

	_, err = c.Charge(ctx, "order-2/payment", "order-2", eur(1002))
	var de *paymentprovider.DeclineError
	if !errors.As(err, &de) {
		t.Fatalf("charge of 10.02: %v", err)
	}
	other, err := c.Charge(ctx, "order-3/payment", "order-3", eur(300))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, key, charge string
		want              error
		status            int
	}{
		{"refunded under another key", "order-1/refund-again", ch.ID, paymentprovider.ErrAlreadyRefunded, 409},
		{"a declined charge", "order-2/refund", de.ChargeID, paymentprovider.ErrNotRefundable, 409},
		{"an unknown charge", "order-9/refund", "ch_unknown", paymentprovider.ErrChargeNotFound, 404},
		{"a key used for another charge", "order-1/refund", other.ID, paymentprovider.ErrIdempotencyKeyReused, 422},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := c.Refund(ctx, tt.key, tt.charge)
			var pe *paymentprovider.ProviderError
			if !errors.Is(err, tt.want) || !errors.Is(err, paymentprovider.ErrRejected) || !errors.As(err, &pe) || pe.Status != tt.status {
				t.Fatalf("err = %v, want %v (%d)", err, tt.want, tt.status)
			}
		})
	}
	if st := sb.Stats(); st.Refunds != 1 || c.State().Retries != 0 {
		t.Fatalf("sandbox stats %+v, client %+v", st, c.State())
	}
}
