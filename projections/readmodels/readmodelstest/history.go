package readmodelstest

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/orderflow/orderflow/eventstore"
	"github.com/orderflow/orderflow/paymentprovider/sandbox"
	"github.com/orderflow/orderflow/sagas/fulfillment"
	"github.com/orderflow/orderflow/write/command"
	"github.com/orderflow/orderflow/write/inventory"
	"github.com/orderflow/orderflow/write/order"
	"github.com/orderflow/orderflow/write/payment"
	"github.com/orderflow/orderflow/write/shipping"
)

// HistoryPaymentTimeout is the payment timeout of the saga History needs:
// one of its orders waits for it to pass.
const HistoryPaymentTimeout = 1500 * time.Millisecond

// History writes rounds of orders through the write side and the
// fulfillment saga (started with HistoryPaymentTimeout) that between them
// cause every kind of event: products registered (in the first round),
// stock added and prices changed; per round one order delivered, one
// whose scheduled shipment is cancelled, one whose payment is declined,
// one whose shipment is rejected and whose charge is refunded, one out
// of stock, one cancelled by its customer while the provider is down,
// and one whose payment deadline passes during that outage. Customers
// c-0 to c-2 take turns, and so do the sales channels.
//
// It waits for each saga to end and notes every event for Visible and
// CaughtUp. It returns the first error; since it does not fail the test
// itself, it may run on any goroutine.
func (e *Env) History(ctx context.Context, saga *Saga, rounds int) error {
	h := history{e: e, saga: saga, ctx: ctx}
	for round := range rounds {
		if err := h.round(round); err != nil {
			return fmt.Errorf("history round %d: %w", round, err)
		}
	}
	return nil
}

// history is one run of Env.History.
type history struct {
	e    *Env
	saga *Saga
	ctx  context.Context
}

func (h *history) round(round int) error {
	if round == 0 {
		for _, p := range []struct {
			sku   string
			price int64
			stock int64
		}{{"A", 1999, 50}, {"B", 500, 50}, {"C", 750, 2}, {"D", 1002, 50}} {
			if err := h.inventory(p.sku, inventory.RegisterProduct{SKU: p.sku, Name: "Product " + p.sku, Price: EUR(p.price)}); err != nil {
				return err
			}
			if err := h.inventory(p.sku, inventory.AddStock{Quantity: p.stock}); err != nil {
				return err
			}
		}
	} else {
		if err := h.inventory("A", inventory.AddStock{Quantity: 10}); err != nil {
			return err
		}
	}
	if err := h.inventory("B", inventory.ChangePrice{Price: EUR(500 + int64(round%2)*50)}); err != nil {
		return err
	}
	for _, step := range []func() error{h.delivered, h.shipmentCancelled, h.declined, h.rejected, h.outOfStock, h.cancelledByCustomer, h.pastDeadline} {
		if err := step(); err != nil {
			return err
		}
	}
	return nil
}

// delivered places an order that completes, then is dispatched and
// delivered.
func (h *history) delivered() error {
	id, err := h.finished("DE", order.LineRequest{SKU: "A", Quantity: 1}, order.LineRequest{SKU: "B", Quantity: 2})
	if err != nil {
		return err
	}
	if err := h.note(h.saga.Service.Dispatched(h.ctx, Meta(), id, "TRK-"+id)); err != nil {
		return err
	}
	if err := h.note(h.saga.Service.Shipment(h.ctx, Meta(), id, shipping.Deliver{})); err != nil {
		return err
	}
	return h.note(h.saga.Service.Order(h.ctx, Meta(), id, order.MarkDelivered{}, nil))
}

// shipmentCancelled places an order that completes, and cancels its
// scheduled shipment.
func (h *history) shipmentCancelled() error {
	id, err := h.finished("FR", order.LineRequest{SKU: "A", Quantity: 1})
	if err != nil {
		return err
	}
	return h.note(h.saga.Service.Shipment(h.ctx, Meta(), id, shipping.Cancel{Reason: "lost at the depot"}))
}

// declined places an order whose payment the provider declines.
func (h *history) declined() error {
	_, err := h.finished("DE", order.LineRequest{SKU: "D", Quantity: 1})
	return err
}

// rejected places an order to a country the carrier does not serve: its
// charge is refunded.
func (h *history) rejected() error {
	_, err := h.finished("US", order.LineRequest{SKU: "B", Quantity: 1})
	return err
}

// outOfStock places an order for more C than there is.
func (h *history) outOfStock() error {
	_, err := h.finished("DE", order.LineRequest{SKU: "A", Quantity: 1}, order.LineRequest{SKU: "C", Quantity: 5})
	return err
}

// cancelledByCustomer places an order while the provider is down and has
// the customer cancel it once the saga waits for the provider. On a loaded
// machine the saga may pass its payment deadline and end before the
// cancellation reaches it, which it then ignores: another order tries
// again, so that the log holds a cancellation request.
func (h *history) cancelledByCustomer() error {
	for attempt := 1; ; attempt++ {
		id, err := h.cancelOnce()
		if err != nil {
			return err
		}
		events, err := h.e.Store.ReadStream(h.ctx, fulfillment.StreamID(id), eventstore.ReadOptions{Count: 1000})
		if err != nil {
			return err
		}
		for _, e := range events {
			if e.Type == fulfillment.TypeCancelRequested {
				return nil
			}
		}
		if attempt == 5 {
			return fmt.Errorf("the saga of order %s ended before the customer's cancellation reached it, five times over", id)
		}
	}
}

// cancelOnce places an order while the provider is down, has the customer
// cancel it once the saga waits for the provider, and returns its id once
// the saga has ended.
func (h *history) cancelOnce() (string, error) {
	if err := h.saga.Sandbox.SetControls(sandbox.Controls{Outage: true}); err != nil {
		return "", err
	}
	id, err := h.place("DE", order.LineRequest{SKU: "A", Quantity: 1})
	if err != nil {
		return "", err
	}
	if _, err := h.until(id, "wait for the provider", func(s fulfillment.State) bool {
		return s.Done[fulfillment.Step{Kind: fulfillment.StepConfirm}] && !s.RetryAt.IsZero() || s.Finished()
	}); err != nil {
		return "", err
	}
	if err := h.note(h.saga.Service.Order(h.ctx, Meta(), id, order.Cancel{Reason: "changed my mind", ByCustomer: true}, nil)); err != nil {
		return "", err
	}
	if err := h.saga.Sandbox.SetControls(sandbox.Controls{}); err != nil {
		return "", err
	}
	_, err = h.until(id, "end", fulfillment.State.Finished)
	return id, err
}

// pastDeadline places an order while the provider is down until its
// payment deadline has passed.
func (h *history) pastDeadline() error {
	if err := h.saga.Sandbox.SetControls(sandbox.Controls{Outage: true}); err != nil {
		return err
	}
	id, err := h.place("FR", order.LineRequest{SKU: "B", Quantity: 1})
	if err != nil {
		return err
	}
	if _, err := h.until(id, "compensate", func(s fulfillment.State) bool { return s.Compensating || s.Finished() }); err != nil {
		return err
	}
	if err := h.saga.Sandbox.SetControls(sandbox.Controls{}); err != nil {
		return err
	}
	_, err = h.until(id, "end", fulfillment.State.Finished)
	return err
}

// place places an order through the saga's write side, through each
// sales channel in turn.
func (h *history) place(country string, lines ...order.LineRequest) (string, error) {
	n := h.e.written.orders.Add(1)
	id := fmt.Sprintf("h-%03d", n)
	customer := fmt.Sprintf("c-%d", n%3)
	channel := order.Channels()[int(n)%len(order.Channels())]
	_, err := h.saga.Service.PlaceOrder(h.ctx, Meta(), order.Place{OrderID: id, CustomerID: customer, Lines: lines, ShippingAddress: Address(country), Channel: channel})
	if err != nil {
		return "", fmt.Errorf("place %s: %w", id, err)
	}
	return id, nil
}

// finished places an order and waits for its saga to end.
//
// On a loaded machine a saga may take longer than its payment deadline
// (HistoryPaymentTimeout) and compensate for that instead of taking the
// path the order was meant for: another order of the same lines tries
// again.
func (h *history) finished(country string, lines ...order.LineRequest) (string, error) {
	for attempt := 1; ; attempt++ {
		id, err := h.place(country, lines...)
		if err != nil {
			return "", err
		}
		s, err := h.until(id, "end", fulfillment.State.Finished)
		if err != nil || !s.Compensated || !strings.HasPrefix(s.Reason, "payment not captured by") {
			return id, err
		}
		if attempt == 5 {
			return "", fmt.Errorf("the saga of order %s passed its payment deadline, five times over", id)
		}
	}
}

// until waits for the saga of order id to reach a state for which cond
// holds, and notes its stream.
func (h *history) until(id, what string, cond func(fulfillment.State) bool) (fulfillment.State, error) {
	agg := command.Aggregate[fulfillment.State]{Category: fulfillment.Category, Evolve: fulfillment.Evolve, Decode: fulfillment.Decode}
	deadline := time.Now().Add(30 * time.Second)
	for {
		s, err := command.Load(h.ctx, h.saga.handler, agg, id)
		if err != nil {
			return s, err
		}
		if cond(s) {
			events, err := h.e.Store.ReadStream(h.ctx, fulfillment.StreamID(id),
				eventstore.ReadOptions{Direction: eventstore.Backwards, From: eventstore.End, Count: 1})
			if err != nil {
				return s, err
			}
			h.e.Wrote(events[0].Position)
			return s, nil
		}
		if time.Now().After(deadline) {
			return s, fmt.Errorf("the saga of order %s did not %s within 30s: at %s, history %+v", id, what, s.Step(time.Now()), s.History)
		}
		select {
		case <-h.ctx.Done():
			return s, h.ctx.Err()
		case <-time.After(10 * time.Millisecond):
		}
	}
}

// inventory runs cmd against product sku.
func (h *history) inventory(sku string, cmd inventory.Command) error {
	return h.note(h.saga.Service.Inventory(h.ctx, Meta(), sku, cmd))
}

// note notes the events of a command that succeeded.
func (h *history) note(res command.Result, err error) error {
	if err != nil {
		return err
	}
	h.e.Wrote(res.Position)
	return nil
}

// AllKinds checks that events hold at least one event of every type the
// write side and the fulfillment saga write, and returns an error naming
// those missing.
func AllKinds(events []eventstore.RecordedEvent) error {
	seen := make(map[string]bool)
	for _, e := range events {
		seen[e.Type] = true
	}
	var missing []string
	for _, typ := range EventTypes() {
		if !seen[typ] {
			missing = append(missing, typ)
		}
	}
	if len(missing) > 0 {
		return fmt.Errorf("the log lacks events of the types %v", missing)
	}
	return nil
}

// EventTypes lists every event type of the write side and the saga.
func EventTypes() []string {
	types := []string{
		order.TypePlaced, order.TypeConfirmed, order.TypePaid, order.TypeShipped, order.TypeDelivered, order.TypeCancelled,
		payment.TypeRequested, payment.TypeCaptured, payment.TypeFailed, payment.TypeRefunded,
		fulfillment.TypeStarted, fulfillment.TypeStepRecorded, fulfillment.TypeCancelRequested,
		fulfillment.TypeCompensationStarted, fulfillment.TypeCompleted, fulfillment.TypeCompensated,
	}
	types = append(types, inventory.EventTypes()...)
	return append(types, shipping.EventTypes()...)
}
