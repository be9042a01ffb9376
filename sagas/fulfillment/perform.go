package fulfillment

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/orderflow/orderflow/platform/tracing"
	"github.com/orderflow/orderflow/write/command"
	"github.com/orderflow/orderflow/write/domain"
	"github.com/orderflow/orderflow/write/inventory"
	"github.com/orderflow/orderflow/write/order"
	"github.com/orderflow/orderflow/write/payment"
	"github.com/orderflow/orderflow/write/shipping"
)

// Steps performs the saga's steps. Every command it sends carries an
// idempotency key made of the order and the step, so performing a step
// again (after a crash, or a duplicate delivery) changes nothing more.
// It is safe for concurrent use when its dependencies are.
type Steps struct {
	// Orders, Inventory, PaymentRecords and Shipments are the write side.
	Orders         Orders
	Inventory      Inventory
	PaymentRecords PaymentRecords
	Shipments      Shipments
	// Payments is the payment provider.
	Payments Payments
	// Carrier and ServedCountries describe the shipping carrier.
	Carrier         string
	ServedCountries []string
	// RetryAfter is how long a parked or failed step waits at first.
	RetryAfter time.Duration
}

// key is the idempotency key of what the saga of order orderID does under
// name: a step's stored form, or another of its commands.
func key(orderID, name string) string { return "fulfillment/" + orderID + "/" + name }

// chargeKey is the idempotency key of the saga's charge at the provider.
func chargeKey(orderID string) string { return StepCommandID(orderID, Step{Kind: StepCharge}) }

// Perform runs a.Step for the saga in s at time now and returns its
// outcome, to be recorded: done, rejected, or parked or failed with the
// time to try again.
func (p Steps) Perform(ctx context.Context, s State, a Action, now time.Time) StepRecorded {
	rec := StepRecorded{V: stepRecordedV, Step: a.Step, At: now}
	detail, chargeID, err := p.run(ctx, s, a)
	rec.Detail, rec.ChargeID = detail, chargeID
	switch {
	case err == nil:
		rec.Outcome = Done
	case errors.Is(err, ErrPaymentDeclined), errors.Is(err, domain.ErrRule), errors.Is(err, domain.ErrInvalid), errors.Is(err, domain.ErrNotFound), errors.Is(err, errRejected):
		rec.Outcome, rec.Detail = Rejected, err.Error()
	case errors.Is(err, ErrPaymentBusy):
		// The call already waited its turn as long as it may: try again
		// soon, without backing off further.
		retry := now.Add(p.RetryAfter)
		rec.Outcome, rec.Cause, rec.Detail, rec.RetryAt = Parked, CauseQueue, err.Error(), &retry
	case errors.Is(err, ErrPaymentUnavailable):
		retry := now.Add(backoff(p.RetryAfter, s.Attempts))
		rec.Outcome, rec.Cause, rec.Detail, rec.RetryAt = Parked, CauseProvider, err.Error(), &retry
	default:
		retry := now.Add(backoff(p.RetryAfter, s.Attempts))
		rec.Outcome, rec.Detail, rec.RetryAt = Failed, err.Error(), &retry
	}
	return rec
}

// backoff is how long a step waits after attempts runs that did not end
// it: base, doubling each time, at most 32 times base.
func backoff(base time.Duration, attempts int) time.Duration {
	return base << min(attempts, 5)
}

// errRejected marks a refusal that arrives as an event rather than an
// error (stock reservation rejected, shipment rejected).
var errRejected = errors.New("rejected")

func (p Steps) run(ctx context.Context, s State, a Action) (detail, chargeID string, err error) {
	id := s.OrderID
	meta := command.Meta{CommandID: StepCommandID(id, a.Step), CorrelationID: s.CorrelationID(), UserID: "fulfillment", IdempotencyKey: StepCommandID(id, a.Step)}
	meta.TraceParent, meta.TraceState = tracing.TraceParent(ctx)
	sku := a.Step.SKU
	switch a.Step.Kind {
	case StepReserve:
		res, err := p.Inventory.Inventory(ctx, meta, sku, inventory.Reserve{OrderID: id, Quantity: int64(a.Quantity)})
		if err != nil {
			return "", "", err
		}
		for _, e := range res.Events {
			if r, ok := e.(inventory.StockReservationRejected); ok {
				return "", "", fmt.Errorf("%s: %d requested, %d available: %w", sku, r.Requested, r.Available, errRejected)
			}
		}
		return "", "", nil
	case StepRelease:
		_, err := p.Inventory.Inventory(ctx, meta, sku, inventory.Release{OrderID: id, Reason: s.Reason})
		return "", "", err
	case StepConfirm:
		_, err = p.Orders.Order(ctx, meta, id, order.Confirm{}, nil)
	case StepRequestPayment:
		_, err = p.PaymentRecords.Payment(ctx, meta, id, payment.Request{OrderID: id, Amount: s.Total})
	case StepCharge:
		chargeID, err = p.Payments.Charge(ctx, chargeKey(id), id, s.Total)
		var declined *DeclinedError
		if errors.As(err, &declined) {
			meta.IdempotencyKey = key(id, "record_decline")
			if _, ferr := p.PaymentRecords.Payment(ctx, meta, id, payment.Fail{Reason: "declined by the provider", Code: declined.Code}); ferr != nil {
				return "", "", ferr
			}
		}
		return "", chargeID, err
	case StepRecordCapture:
		_, err = p.PaymentRecords.Payment(ctx, meta, id, payment.Capture{ChargeID: s.ChargeID, Amount: s.Total})
	case StepMarkPaid:
		_, err = p.Orders.Order(ctx, meta, id, order.MarkPaid{Amount: s.Total, ChargeID: s.ChargeID}, nil)
	case StepScheduleShipment:
		var res command.Result
		res, err = p.Shipments.Shipment(ctx, meta, id, shipping.Schedule{OrderID: id, Address: shipping.Address(s.Address), Carrier: p.Carrier, ServedCountries: p.ServedCountries})
		for _, e := range res.Events {
			if r, ok := e.(shipping.ShipmentRejected); ok {
				return "", "", fmt.Errorf("%s: %w", r.Reason, errRejected)
			}
		}
	case StepCancelShipment:
		_, err = p.Shipments.Shipment(ctx, meta, id, shipping.Cancel{Reason: s.Reason})
	case StepRefund:
		return p.refund(ctx, s, meta)
	case StepCancelOrder:
		_, err = p.Orders.Order(ctx, meta, id, order.Cancel{Reason: s.Reason, ByCustomer: false}, nil)
		if errors.Is(err, order.ErrOrderNotCancellable) {
			return "", "", nil // already cancelled (by the customer), or beyond reach: nothing to undo
		}
	default:
		return "", "", fmt.Errorf("unknown step %q", a.Step)
	}
	return "", "", err
}

// refund gives back whatever the provider charged under the saga's charge
// key, even a charge the saga never heard back about (an ambiguous
// timeout), and records it on the payment.
func (p Steps) refund(ctx context.Context, s State, meta command.Meta) (string, string, error) {
	id := s.OrderID
	chargeID, found, err := p.Payments.LookupCharge(ctx, chargeKey(id))
	if err != nil {
		return "", "", err
	}
	if !found {
		return "nothing was charged", "", nil
	}
	refundID, err := p.Payments.Refund(ctx, StepCommandID(id, Step{Kind: StepRefund}), chargeID)
	if err != nil {
		return "", "", err
	}
	if !s.Done[Step{Kind: StepRecordCapture}] {
		// The saga never recorded this charge: record it now, so that the
		// payment's history shows what is being refunded.
		request, capture := meta, meta
		request.IdempotencyKey, capture.IdempotencyKey = key(id, "refund/request"), key(id, "refund/capture")
		if _, err := p.PaymentRecords.Payment(ctx, request, id, payment.Request{OrderID: id, Amount: s.Total}); err != nil {
			return "", "", err
		}
		if _, err := p.PaymentRecords.Payment(ctx, capture, id, payment.Capture{ChargeID: chargeID, Amount: s.Total}); err != nil {
			return "", "", err
		}
	}
	_, err = p.PaymentRecords.Payment(ctx, meta, id, payment.Refund{RefundID: refundID, Reason: s.Reason})
	return "refunded " + chargeID, chargeID, err
}
