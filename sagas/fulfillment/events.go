package fulfillment

import (
	"time"

	"github.com/orderflow/orderflow/write/domain"
	"github.com/orderflow/orderflow/write/money"
)

// Category is the stream category of sagas: fulfillment-{orderId}.
const Category = "fulfillment"

// StreamID returns the stream of the saga of order orderID.
func StreamID(orderID string) string { return Category + "-" + orderID }

// StepCommandID returns the id of the commands that step of the saga of
// order orderID sends, "fulfillment/{orderId}/{step}": the causation id of
// the events they write, and also the step's idempotency key, so every
// run of a step is the same command. The step's records
// (fulfillment.step_recorded) stand for it.
func StepCommandID(orderID string, step Step) string { return key(orderID, step.String()) }

// Stored event type names.
const (
	TypeStarted             = "fulfillment.started"
	TypeStepRecorded        = "fulfillment.step_recorded"
	TypeCancelRequested     = "fulfillment.cancel_requested"
	TypeCompensationStarted = "fulfillment.compensation_started"
	TypeCompleted           = "fulfillment.completed"
	TypeCompensated         = "fulfillment.compensated"
)

// Current schema versions of the payloads.
const (
	startedV             = 1
	stepRecordedV        = 1
	cancelRequestedV     = 1
	compensationStartedV = 1
	completedV           = 1
	compensatedV         = 1
)

// Line is one product of the order and how many.
type Line struct {
	SKU      string `json:"sku"`
	Quantity int    `json:"quantity"`
}

// Address is where the order goes.
type Address struct {
	Name       string `json:"name"`
	Line1      string `json:"line1"`
	Line2      string `json:"line2,omitempty"`
	City       string `json:"city"`
	PostalCode string `json:"postalCode"`
	Country    string `json:"country"`
}

// Started opens a saga for a placed order, with everything the steps need
// and the deadline by which the payment must be captured.
type Started struct {
	V               int         `json:"v"`
	OrderID         string      `json:"orderId"`
	CustomerID      string      `json:"customerId"`
	Lines           []Line      `json:"lines"`
	Total           money.Money `json:"total"`
	Address         Address     `json:"address"`
	PaymentDeadline time.Time   `json:"paymentDeadline"`
	StartedAt       time.Time   `json:"startedAt"`
}

// StepRecorded is the outcome of one step: done, rejected (a business
// refusal: the saga compensates), parked (try again at RetryAt) or failed
// (an error; try again at RetryAt). Cause says who a parked step waits
// for: CauseProvider or CauseQueue (empty in records older than it).
type StepRecorded struct {
	V        int        `json:"v"`
	Step     Step       `json:"step"`
	Outcome  Outcome    `json:"outcome"`
	Cause    Cause      `json:"cause,omitempty"`
	Detail   string     `json:"detail,omitempty"`
	ChargeID string     `json:"chargeId,omitempty"`
	RetryAt  *time.Time `json:"retryAt,omitempty"`
	At       time.Time  `json:"at"`
}

// CancelRequested records that the customer cancelled the order while the
// saga ran.
type CancelRequested struct {
	V      int       `json:"v"`
	Reason string    `json:"reason"`
	At     time.Time `json:"at"`
}

// CompensationStarted records why the saga began undoing its steps.
type CompensationStarted struct {
	V      int       `json:"v"`
	Reason string    `json:"reason"`
	At     time.Time `json:"at"`
}

// Completed ends a saga whose order is paid and whose shipment is scheduled.
type Completed struct {
	V  int       `json:"v"`
	At time.Time `json:"at"`
}

// Compensated ends a saga whose steps have all been undone.
type Compensated struct {
	V      int       `json:"v"`
	Reason string    `json:"reason"`
	At     time.Time `json:"at"`
}

// EventType implementations.
func (Started) EventType() string             { return TypeStarted }
func (StepRecorded) EventType() string        { return TypeStepRecorded }
func (CancelRequested) EventType() string     { return TypeCancelRequested }
func (CompensationStarted) EventType() string { return TypeCompensationStarted }
func (Completed) EventType() string           { return TypeCompleted }
func (Compensated) EventType() string         { return TypeCompensated }

var codec = domain.NewCodec(Category, []domain.EventSpec{
	{Type: TypeStarted, Version: startedV, Decode: domain.Strict[Started]},
	{Type: TypeStepRecorded, Version: stepRecordedV, Decode: domain.Strict[StepRecorded]},
	{Type: TypeCancelRequested, Version: cancelRequestedV, Decode: domain.Strict[CancelRequested]},
	{Type: TypeCompensationStarted, Version: compensationStartedV, Decode: domain.Strict[CompensationStarted]},
	{Type: TypeCompleted, Version: completedV, Decode: domain.Strict[Completed]},
	{Type: TypeCompensated, Version: compensatedV, Decode: domain.Strict[Compensated]},
})

// Decode turns a stored saga event back into its value.
func Decode(typ string, data []byte) (domain.Event, error) { return codec.Decode(typ, data) }

// Codec returns the codec Decode uses: the saga's event types, their
// current schema versions and the older versions it upcasts.
func Codec() domain.Codec { return codec }
