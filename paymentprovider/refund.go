package paymentprovider

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"time"

	"github.com/orderflow/orderflow/write/money"
)

// RefundSucceeded is the status of a refund made.
const RefundSucceeded = "succeeded"

// Refund is a refund the provider made: always of a whole charge.
type Refund struct {
	// ID is the provider's id of the refund, e.g. "re_...".
	ID string
	// ChargeID is the refunded charge.
	ChargeID string
	// Amount is what was given back.
	Amount money.Money
	// Status is RefundSucceeded.
	Status string
	// Created is when the provider made the refund.
	Created time.Time
}

type refundBody struct {
	ID       string    `json:"id"`
	Charge   string    `json:"charge"`
	Amount   int64     `json:"amount"`
	Currency string    `json:"currency"`
	Status   string    `json:"status"`
	Created  time.Time `json:"created"`
}

// Refund refunds the whole of charge chargeID under idempotencyKey. It
// returns the refund when it is made, or was made earlier under the same
// key for the same charge; calling it again with the same key never
// refunds twice. Errors: ErrAlreadyRefunded (refunded under another key),
// ErrNotRefundable (a declined charge), ErrChargeNotFound,
// ErrIdempotencyKeyReused, all *ProviderError; ErrCircuitOpen,
// ErrBulkheadFull, ErrUnavailable or the context's error when the
// provider cannot be reached (try again later with the same key);
// ErrInvalidRequest for a bad key or charge id (nothing sent).
func (c *Client) Refund(ctx context.Context, idempotencyKey, chargeID string) (Refund, error) {
	if err := checkKey(idempotencyKey); err != nil {
		return Refund{}, err
	}
	if chargeID == "" || len(chargeID) > 255 {
		return Refund{}, fmt.Errorf("%w: the charge id must be 1 to 255 bytes", ErrInvalidRequest)
	}
	body, err := json.Marshal(map[string]string{"charge": chargeID})
	if err != nil {
		return Refund{}, fmt.Errorf("encode refund: %w", err)
	}
	req := request{method: http.MethodPost, path: "/v1/refunds", key: idempotencyKey, body: body}
	resp, err := c.execute(ctx, func(ctx context.Context) (*http.Response, error) {
		return c.send(ctx, req)
	})
	if err != nil {
		return Refund{}, fmt.Errorf("refund %s: %w", idempotencyKey, err)
	}
	if resp.StatusCode != http.StatusCreated {
		return Refund{}, fmt.Errorf("refund %s: %w", idempotencyKey, rejection(resp))
	}
	var b refundBody
	if err := decodeAnswer(resp, &b); err != nil {
		return Refund{}, fmt.Errorf("refund %s: %w", idempotencyKey, err)
	}
	if b.ID == "" || b.Charge != chargeID {
		return Refund{}, fmt.Errorf("refund %s: %w: refund %q of charge %q", idempotencyKey, errMalformedAnswer, b.ID, b.Charge)
	}
	return Refund{
		ID: b.ID, ChargeID: b.Charge, Amount: money.Money{Amount: b.Amount, Currency: b.Currency},
		Status: b.Status, Created: b.Created,
	}, nil
}
