package payment

import (
	"time"

	"github.com/orderflow/orderflow/write/money"
)

// Stored event type names. They are part of the stored data: never rename
// one, add a new type instead.
const (
	TypeRequested = "payment.requested"
	TypeCaptured  = "payment.captured"
	TypeFailed    = "payment.failed"
	TypeRefunded  = "payment.refunded"
)

// Current schema versions of the event payloads. Decide writes events with
// these versions in V; Decode accepts them, upcasts older ones and rejects
// newer ones. Bump one when its payload changes shape, and teach Decode to
// upcast the old shape.
const (
	RequestedVersion = 1
	CapturedVersion  = 1
	FailedVersion    = 1
	RefundedVersion  = 1
)

// Requested records that an order's payment was requested. It is the first
// event of every payment stream.
type Requested struct {
	V           int         `json:"v"`
	OrderID     string      `json:"orderId"`
	Amount      money.Money `json:"amount"`
	RequestedAt time.Time   `json:"requestedAt"`
}

// Captured records that the payment provider captured the requested amount
// with charge ChargeID.
type Captured struct {
	V          int         `json:"v"`
	ChargeID   string      `json:"chargeId"`
	Amount     money.Money `json:"amount"`
	CapturedAt time.Time   `json:"capturedAt"`
}

// Failed records that the payment could not be captured: Code is a
// machine-readable cause ("card_declined"), Reason the explanation.
type Failed struct {
	V        int       `json:"v"`
	Reason   string    `json:"reason"`
	Code     string    `json:"code"`
	FailedAt time.Time `json:"failedAt"`
}

// Refunded records that the captured amount was refunded, under the
// provider's refund RefundID.
type Refunded struct {
	V          int         `json:"v"`
	RefundID   string      `json:"refundId"`
	Amount     money.Money `json:"amount"`
	Reason     string      `json:"reason"`
	RefundedAt time.Time   `json:"refundedAt"`
}

// EventType returns TypeRequested.
func (Requested) EventType() string { return TypeRequested }

// EventType returns TypeCaptured.
func (Captured) EventType() string { return TypeCaptured }

// EventType returns TypeFailed.
func (Failed) EventType() string { return TypeFailed }

// EventType returns TypeRefunded.
func (Refunded) EventType() string { return TypeRefunded }
