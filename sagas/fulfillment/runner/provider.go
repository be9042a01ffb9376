package runner

import (
	"context"
	"errors"
	"fmt"

	"github.com/orderflow/orderflow/paymentprovider"
	"github.com/orderflow/orderflow/sagas/fulfillment"
	"github.com/orderflow/orderflow/write/money"
)

// ProviderPayments adapts the payment provider client to what the saga
// needs: declines become *DeclinedError, and a provider that cannot be
// reached now (open circuit, retries exhausted) becomes
// ErrPaymentUnavailable, and our own full bulkhead ErrPaymentBusy; both
// park the step.
func ProviderPayments(c *paymentprovider.Client) fulfillment.Payments { return providerPayments{c} }

type providerPayments struct{ c *paymentprovider.Client }

func (p providerPayments) Charge(ctx context.Context, key, reference string, amount money.Money) (string, error) {
	ch, err := p.c.Charge(ctx, key, reference, amount)
	if err != nil {
		return "", classify(err)
	}
	return ch.ID, nil
}

func (p providerPayments) Refund(ctx context.Context, key, chargeID string) (string, error) {
	re, err := p.c.Refund(ctx, key, chargeID)
	if err != nil {
		return "", classify(err)
	}
	return re.ID, nil
}

func (p providerPayments) LookupCharge(ctx context.Context, key string) (string, bool, error) {
	ch, found, err := p.c.LookupCharge(ctx, key)
	if err != nil {
		return "", false, classify(err)
	}
	if !found || ch.Status != paymentprovider.ChargeSucceeded {
		return "", false, nil
	}
	return ch.ID, true, nil
}

func classify(err error) error {
	var declined *paymentprovider.DeclineError
	switch {
	case errors.As(err, &declined):
		return &fulfillment.DeclinedError{Code: declined.Code}
	case errors.Is(err, paymentprovider.ErrBulkheadFull):
		return fmt.Errorf("%w: %w", fulfillment.ErrPaymentBusy, err)
	case errors.Is(err, paymentprovider.ErrCircuitOpen), errors.Is(err, paymentprovider.ErrUnavailable):
		return fmt.Errorf("%w: %w", fulfillment.ErrPaymentUnavailable, err)
	default:
		return err
	}
}
