package paymentprovider

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"time"

	"github.com/orderflow/orderflow/write/money"
)

// Charge statuses.
const (
	ChargeSucceeded = "succeeded"
	ChargeDeclined  = "declined"
)

// Charge is a charge the provider made.
type Charge struct {
	// ID is the provider's id of the charge, e.g. "ch_...".
	ID string
	// Status is ChargeSucceeded or ChargeDeclined.
	Status string
	// Amount is what was charged.
	Amount money.Money
	// Reference is the caller's reference, e.g. the order id.
	Reference string
	// DeclineCode says why a declined charge was declined.
	DeclineCode string
	// Created is when the provider made the charge.
	Created time.Time
}

// chargeBody is a charge on the wire.
type chargeBody struct {
	ID          string    `json:"id"`
	Status      string    `json:"status"`
	Amount      int64     `json:"amount"`
	Currency    string    `json:"currency"`
	Reference   string    `json:"reference"`
	DeclineCode string    `json:"declineCode"`
	Created     time.Time `json:"created"`
}

type chargeRequest struct {
	Amount    int64  `json:"amount"`
	Currency  string `json:"currency"`
	Reference string `json:"reference"`
}

// Charge charges amount under idempotencyKey, with reference (e.g. the
// order id) recorded with the charge. Three things might happen:
//
//   - the charge is made, or was made earlier under the same key with the
//     same reference and amount: Charge returns it, Status
//     ChargeSucceeded, and a nil error;
//   - the provider declines it, now or earlier under the same key: the
//     error is a *DeclineError (errors.Is ErrDeclined);
//   - the provider cannot be reached or keeps failing: the error is
//     ErrCircuitOpen, ErrBulkheadFull or ErrUnavailable, or the context's
//     error. Whether money was taken may then be unknown; calling Charge
//     again with the same key never charges twice.
//
// Other errors: ErrInvalidRequest for a bad key, reference or amount
// (nothing sent), a *ProviderError for another refusal, such as
// ErrIdempotencyKeyReused when the key was used for another charge.
//
// Retries reuse the key. After an ambiguous failure Charge first looks the
// charge up by its key, and only charges again when the provider has none.
func (c *Client) Charge(ctx context.Context, idempotencyKey, reference string, amount money.Money) (Charge, error) {
	if err := checkKey(idempotencyKey); err != nil {
		return Charge{}, err
	}
	if reference == "" || len(reference) > 255 {
		return Charge{}, fmt.Errorf("%w: the reference must be 1 to 255 bytes", ErrInvalidRequest)
	}
	if err := money.ValidateCurrency(amount.Currency); err != nil || amount.Amount <= 0 {
		return Charge{}, fmt.Errorf("%w: charge %s: a positive amount of a currency such as EUR", ErrInvalidRequest, amount)
	}
	want := chargeRequest{Amount: amount.Amount, Currency: amount.Currency, Reference: reference}
	body, err := json.Marshal(want)
	if err != nil {
		return Charge{}, fmt.Errorf("encode charge: %w", err)
	}
	create := request{method: http.MethodPost, path: "/v1/charges", key: idempotencyKey, body: body}
	lookup := lookupRequest(idempotencyKey)

	unsure := false // an earlier attempt may have charged
	resp, err := c.execute(ctx, func(ctx context.Context) (*http.Response, error) {
		if unsure {
			resp, err := c.send(ctx, lookup)
			if err != nil || resp.StatusCode != http.StatusNotFound {
				return resp, err
			}
			c.logger.InfoContext(ctx, "payment provider has no charge for the key; charging", "key", idempotencyKey)
		}
		resp, err := c.send(ctx, create)
		if ambiguous(resp, err) {
			unsure = true
		}
		return resp, err
	})
	if err != nil {
		return Charge{}, fmt.Errorf("charge %s: %w", idempotencyKey, err)
	}
	ch, err := readCharge(resp)
	if err != nil {
		return Charge{}, fmt.Errorf("charge %s: %w", idempotencyKey, err)
	}
	if ch.Amount.Amount != want.Amount || ch.Amount.Currency != want.Currency || ch.Reference != want.Reference {
		return Charge{}, fmt.Errorf("charge %s: the provider's charge under this key is %s for %q: %w",
			idempotencyKey, ch.Amount, ch.Reference, ErrIdempotencyKeyReused)
	}
	if ch.Status == ChargeDeclined {
		return Charge{}, &DeclineError{Code: ch.DeclineCode, ChargeID: ch.ID}
	}
	return ch, nil
}

// LookupCharge returns the charge made under idempotencyKey: the charge
// and true when there is one (declined charges included: see its Status),
// false when the provider has none. The errors are those of Charge but
// the decline.
func (c *Client) LookupCharge(ctx context.Context, idempotencyKey string) (Charge, bool, error) {
	if err := checkKey(idempotencyKey); err != nil {
		return Charge{}, false, err
	}
	req := lookupRequest(idempotencyKey)
	resp, err := c.execute(ctx, func(ctx context.Context) (*http.Response, error) {
		return c.send(ctx, req)
	})
	if err != nil {
		return Charge{}, false, fmt.Errorf("look up charge %s: %w", idempotencyKey, err)
	}
	if resp.StatusCode == http.StatusNotFound {
		if p := readProblem(resp); p.Code == "charge_not_found" {
			return Charge{}, false, nil
		}
	}
	ch, err := readCharge(resp)
	if err != nil {
		return Charge{}, false, fmt.Errorf("look up charge %s: %w", idempotencyKey, err)
	}
	return ch, true, nil
}

func lookupRequest(idempotencyKey string) request {
	return request{method: http.MethodGet, path: "/v1/charges", query: url.Values{"idempotency_key": {idempotencyKey}}}
}

// readCharge reads an answer carrying a charge: 200 or 201 with the
// charge, or a 402 decline, which it returns as a declined charge with no
// amount. Any other answer is a *ProviderError.
func readCharge(resp *http.Response) (Charge, error) {
	switch resp.StatusCode {
	case http.StatusOK, http.StatusCreated:
		var b chargeBody
		if err := decodeAnswer(resp, &b); err != nil {
			return Charge{}, err
		}
		if b.ID == "" || (b.Status != ChargeSucceeded && b.Status != ChargeDeclined) {
			return Charge{}, fmt.Errorf("%w: a charge without an id or with status %q", errMalformedAnswer, b.Status)
		}
		return Charge{
			ID: b.ID, Status: b.Status, Amount: money.Money{Amount: b.Amount, Currency: b.Currency},
			Reference: b.Reference, DeclineCode: b.DeclineCode, Created: b.Created,
		}, nil
	case http.StatusPaymentRequired:
		if p := readProblem(resp); p.Code == "charge_declined" {
			return Charge{}, &DeclineError{Code: p.DeclineCode, ChargeID: p.Charge}
		}
	}
	return Charge{}, rejection(resp)
}

// rejection is the *ProviderError of a 4xx answer.
func rejection(resp *http.Response) error {
	p := readProblem(resp)
	if resp.StatusCode < 400 || resp.StatusCode >= 500 || p.Code == "" {
		return fmt.Errorf("%w: unexpected %s", errMalformedAnswer, resp.Status)
	}
	return &ProviderError{Status: resp.StatusCode, Code: p.Code, Detail: p.Detail}
}

// checkKey checks an idempotency key: 1 to 255 printable ASCII characters.
func checkKey(key string) error {
	if key == "" || len(key) > 255 {
		return fmt.Errorf("%w: the idempotency key must be 1 to 255 printable ASCII characters", ErrInvalidRequest)
	}
	for i := 0; i < len(key); i++ {
		if key[i] < 0x21 || key[i] > 0x7e {
			return fmt.Errorf("%w: the idempotency key must be 1 to 255 printable ASCII characters", ErrInvalidRequest)
		}
	}
	return nil
}
