package read

import (
	"sort"
	"strings"
	"time"

	graphql "github.com/graph-gophers/graphql-go"

	"github.com/orderflow/orderflow/eventstore"
	"github.com/orderflow/orderflow/sagas/fulfillment"
	"github.com/orderflow/orderflow/write/order"
)

// pastStep is the GraphQL type OrderHistoryStep: one event of an order's
// streams and the states after it.
type pastStep struct {
	event eventstore.RecordedEvent
	order *pastOrder
	saga  *pastSaga
}

// Position is the event's position in the global log.
func (s *pastStep) Position() string { return s.event.Position.String() }

// Stream is the event's stream.
func (s *pastStep) Stream() string { return s.event.Stream }

// Revision is the event's revision in its stream.
func (s *pastStep) Revision() int64Scalar { return int64Scalar(s.event.Revision) }

// At is when the event was recorded.
func (s *pastStep) At() timeScalar { return timeScalar(s.event.Recorded) }

// Event is the event itself.
func (s *pastStep) Event() pastEvent { return pastEvent{s.event} }

// State is the order after the event.
func (s *pastStep) State() *pastOrder { return s.order }

// Saga is the saga after the event, nil before it started.
func (s *pastStep) Saga() *pastSaga { return s.saga }

// pastEvent is the GraphQL type HistoryEvent.
type pastEvent struct{ e eventstore.RecordedEvent }

// ID is the event's id.
func (p pastEvent) ID() graphql.ID { return graphql.ID(p.e.ID.String()) }

// Type is the stored event type.
func (p pastEvent) Type() string { return p.e.Type }

// Data is the stored payload.
func (p pastEvent) Data() string { return string(p.e.Data) }

// CorrelationID is the event's correlation id.
func (p pastEvent) CorrelationID() string { return p.e.Metadata.CorrelationID }

// CausationID is the event's causation id.
func (p pastEvent) CausationID() string { return p.e.Metadata.CausationID }

// pastOrder is the GraphQL type OrderState: an order.State.
type pastOrder struct {
	Status              *string
	Revision            int64Scalar
	Lines               []orderLine
	Total               *money
	PlacedAt            *timeScalar
	ConfirmedAt         *timeScalar
	PaidAt              *timeScalar
	ShippedAt           *timeScalar
	DeliveredAt         *timeScalar
	CancelledAt         *timeScalar
	CancelReason        *string
	CancelledByCustomer bool
	ChargeID            *string
	PaidAmount          *money
	TrackingNumber      *string
}

func newPastOrder(s order.State) *pastOrder {
	p := &pastOrder{Revision: int64Scalar(s.Version - 1), Lines: make([]orderLine, len(s.Lines)),
		CancelledByCustomer: s.CancelledByCustomer}
	if !s.Exists() {
		return p
	}
	status := s.Status.String()
	p.Status = &status
	for i, l := range s.Lines {
		p.Lines[i] = orderLine{SKU: l.SKU, Quantity: int32(l.Quantity),
			UnitPrice: money{Amount: int64Scalar(l.UnitPrice.Amount), Currency: l.UnitPrice.Currency}}
	}
	p.Total = &money{Amount: int64Scalar(s.Total.Amount), Currency: s.Total.Currency}
	p.PlacedAt, p.ConfirmedAt, p.PaidAt = whenSet(s.PlacedAt), whenSet(s.ConfirmedAt), whenSet(s.PaidAt)
	p.ShippedAt, p.DeliveredAt, p.CancelledAt = whenSet(s.ShippedAt), whenSet(s.DeliveredAt), whenSet(s.CancelledAt)
	p.CancelReason, p.ChargeID, p.TrackingNumber = textSet(s.CancelReason), textSet(s.ChargeID), textSet(s.TrackingNumber)
	if s.Status == order.StatusPaid || !s.PaidAt.IsZero() {
		p.PaidAmount = &money{Amount: int64Scalar(s.PaidAmount.Amount), Currency: s.PaidAmount.Currency}
	}
	return p
}

// pastSaga is the GraphQL type SagaState: a fulfillment.State.
type pastSaga struct {
	State           string
	Step            string
	Done            []string
	LastRecord      pastRecord
	ChargeAttempted bool
	ChargeID        *string
	Attempts        int32
	LastError       *string
	Reason          *string
	RetryAt         *timeScalar
	PaymentDeadline timeScalar
	ProviderFailing bool
	Revision        int64Scalar
}

// pastRecord is the GraphQL type SagaRecord.
type pastRecord struct {
	Step    string
	Outcome string
	Detail  string
	At      timeScalar
}

// newPastSaga presents s as it was at time at: its next step is the one
// fulfillment.Next would have chosen then.
func newPastSaga(s fulfillment.State, at time.Time) *pastSaga {
	p := &pastSaga{Step: s.Step(at), Done: make([]string, 0, len(s.Done)), ChargeAttempted: s.ChargeAttempted,
		ChargeID: textSet(s.ChargeID), Attempts: int32(s.Attempts), LastError: textSet(s.LastError),
		RetryAt: whenSet(s.RetryAt), PaymentDeadline: timeScalar(s.PaymentDeadline), ProviderFailing: s.ProviderFailing,
		Revision: int64Scalar(s.Version - 1)}
	switch {
	case s.Completed:
		p.State = "COMPLETED"
	case s.Compensated:
		p.State = "COMPENSATED"
	case s.Compensating:
		p.State = "COMPENSATING"
	default:
		p.State = "RUNNING"
	}
	if s.Compensating {
		p.Reason = textSet(s.Reason)
	}
	for step, done := range s.Done {
		if done {
			p.Done = append(p.Done, step.String())
		}
	}
	sort.Strings(p.Done)
	if n := len(s.History); n > 0 {
		r := s.History[n-1]
		p.LastRecord = pastRecord{Step: r.Step, Outcome: strings.ToLower(string(r.Outcome)), Detail: r.Detail, At: timeScalar(r.At)}
	}
	return p
}

// whenSet returns t, or nil when it is zero.
func whenSet(t time.Time) *timeScalar {
	if t.IsZero() {
		return nil
	}
	v := timeScalar(t)
	return &v
}

// textSet returns s, or nil when it is empty.
func textSet(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}
