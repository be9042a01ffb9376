package read

import (
	"context"
	"errors"
	"fmt"
	"sort"

	"github.com/orderflow/orderflow/eventstore"
	"github.com/orderflow/orderflow/sagas/fulfillment"
	"github.com/orderflow/orderflow/write/domain"
	"github.com/orderflow/orderflow/write/order"
)

// Bounds of an order's history.
const (
	// maxHistoryEvents is the most events read of each of an order's
	// streams (the order's and its saga's) for its history; an order's
	// streams are short, a saga's grows only with retried steps. Past it
	// the history is truncated, and says so.
	maxHistoryEvents = 500
	// maxHistoriesPerRequest is the most orders whose history one request
	// may fold: each reads two streams of the event store.
	maxHistoriesPerRequest = 5
)

// errHistoryLimit refuses the history of more orders in one request than
// maxHistoriesPerRequest.
var errHistoryLimit = &fieldError{code: codeHistoryLimit,
	message: fmt.Sprintf("a request may ask for the history of at most %d orders", maxHistoriesPerRequest)}

// codeHistoryLimit is the code of errHistoryLimit.
const codeHistoryLimit = "HISTORY_LIMIT_EXCEEDED"

// StreamReader reads a stream of the event store: the part of
// eventstore.Store an order's history needs.
type StreamReader interface {
	ReadStream(ctx context.Context, stream string, opts eventstore.ReadOptions) ([]eventstore.RecordedEvent, error)
}

// historyArgs are the arguments of Order.history.
type historyArgs struct{ AsOf *string }

// History folds the order's past from its event streams, with the write
// side's own Evolve functions: the order's state and its saga's after
// each event, in log order, up to asOf when given.
func (o *orderResolver) History(ctx context.Context, args historyArgs) (*orderHistory, error) {
	rs := stateFrom(ctx)
	asOf := eventstore.LogEnd
	if args.AsOf != nil {
		p, err := eventstore.ParsePosition(*args.AsOf)
		if err != nil {
			return nil, &fieldError{code: codeInvalidArgument, message: "asOf: " + "not a position of the log (commit.prepare): " + clip(*args.AsOf)}
		}
		asOf = p
	}
	if rs.h.events == nil {
		return nil, errors.New("read: no event store to read histories from")
	}
	if rs.histories.Add(1) > maxHistoriesPerRequest {
		return nil, errHistoryLimit
	}
	h, err := foldHistory(ctx, rs.h.events, string(o.ID), asOf)
	if err != nil {
		return nil, err
	}
	if !rs.canSee(h.customerID) {
		return nil, errForbidden
	}
	if h.Truncated {
		rs.h.logger.WarnContext(ctx, "order history truncated: a stream holds more events than a history reads",
			"order_id", string(o.ID), "correlation_id", h.correlationID, "max_events", maxHistoryEvents)
		rs.h.observer.Refused(codeHistoryTruncated)
	}
	return h, nil
}

// codeHistoryTruncated is what the Observer is told when a history left
// events out.
const codeHistoryTruncated = "HISTORY_TRUNCATED"

// orderHistory is the GraphQL type OrderHistory.
type orderHistory struct {
	Steps     []*pastStep
	Truncated bool

	customerID, correlationID string
}

// foldHistory reads the order's stream and its saga's and folds them, in
// log order, into one step per event up to asOf.
func foldHistory(ctx context.Context, store StreamReader, orderID string, asOf eventstore.Position) (*orderHistory, error) {
	h := &orderHistory{Steps: []*pastStep{}}
	orderEvents, cut1, err := readHistoryStream(ctx, store, order.StreamID(orderID))
	if err != nil {
		return nil, err
	}
	sagaEvents, cut2, err := readHistoryStream(ctx, store, fulfillment.StreamID(orderID))
	if err != nil {
		return nil, err
	}
	h.Truncated = cut1 || cut2
	events := append(orderEvents, sagaEvents...)
	sort.SliceStable(events, func(i, j int) bool { return events[i].Position.Less(events[j].Position) })
	var (
		os   order.State
		ss   fulfillment.State
		saga bool
	)
	for _, e := range events {
		if asOf.Less(e.Position) {
			break
		}
		var (
			decoded domain.Event
			err     error
		)
		if e.Category() == order.Category {
			if decoded, err = order.Decode(e.Type, e.Data); err == nil {
				os = order.Evolve(os, decoded)
			}
		} else {
			if decoded, err = fulfillment.Decode(e.Type, e.Data); err == nil {
				ss, saga = fulfillment.Evolve(ss, decoded), true
			}
		}
		if err != nil {
			return nil, fmt.Errorf("history of order %s: %s@%d: %w", orderID, e.Stream, e.Revision, err)
		}
		if h.correlationID == "" {
			h.correlationID = e.Metadata.CorrelationID
		}
		step := &pastStep{event: e, order: newPastOrder(os)}
		if saga {
			step.saga = newPastSaga(ss, e.Recorded)
		}
		h.Steps = append(h.Steps, step)
	}
	h.customerID = os.CustomerID
	return h, nil
}

// readHistoryStream reads up to maxHistoryEvents events of stream, none
// when it does not exist, and reports whether it holds more.
func readHistoryStream(ctx context.Context, store StreamReader, stream string) ([]eventstore.RecordedEvent, bool, error) {
	events, err := store.ReadStream(ctx, stream, eventstore.ReadOptions{Count: maxHistoryEvents + 1})
	if errors.Is(err, eventstore.ErrStreamNotFound) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("read %s: %w", stream, err)
	}
	if len(events) > maxHistoryEvents {
		return events[:maxHistoryEvents], true, nil
	}
	return events, false, nil
}
