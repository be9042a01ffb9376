package fulfillment

import (
	"fmt"
	"strings"
)

// StepKind is what a step of the saga does.
type StepKind string

// Kinds of steps, forwards and compensating. Reserving and releasing are
// per line: one step per SKU (ReserveStep, ReleaseStep); every other kind
// is one step of the saga.
const (
	StepReserve          StepKind = "reserve"
	StepConfirm          StepKind = "confirm_order"
	StepRequestPayment   StepKind = "request_payment"
	StepCharge           StepKind = "charge"
	StepRecordCapture    StepKind = "record_capture"
	StepMarkPaid         StepKind = "mark_paid"
	StepScheduleShipment StepKind = "schedule_shipment"
	StepCancelShipment   StepKind = "cancel_shipment"
	StepRefund           StepKind = "refund"
	StepRelease          StepKind = "release"
	StepCancelOrder      StepKind = "cancel_order"
)

// PerLine reports whether steps of kind k are about one line of the
// order, named by its SKU.
func (k StepKind) PerLine() bool { return k == StepReserve || k == StepRelease }

// known reports whether k is one of the saga's kinds of steps.
func (k StepKind) known() bool {
	switch k {
	case StepReserve, StepConfirm, StepRequestPayment, StepCharge, StepRecordCapture, StepMarkPaid,
		StepScheduleShipment, StepCancelShipment, StepRefund, StepRelease, StepCancelOrder:
		return true
	}
	return false
}

// Step is one step of the saga: its kind and, for the per-line kinds
// (StepReserve, StepRelease), the SKU of its line. Steps are comparable:
// State.Done is keyed by them.
//
// Its stored form (String, and JSON through MarshalText) is the kind, or
// "kind:SKU" for a per-line step: "confirm_order", "reserve:SKU-1". It
// names the step in step records, in its commands' ids and idempotency
// keys (StepCommandID) and in read models.
type Step struct {
	Kind StepKind
	SKU  string
}

// ReserveStep is the step that reserves sku.
func ReserveStep(sku string) Step { return Step{Kind: StepReserve, SKU: sku} }

// ReleaseStep is the step that releases the reservation of sku.
func ReleaseStep(sku string) Step { return Step{Kind: StepRelease, SKU: sku} }

// String returns the stored form of s.
func (s Step) String() string {
	if s.Kind.PerLine() {
		return string(s.Kind) + ":" + s.SKU
	}
	return string(s.Kind)
}

// ParseStep reads a step from its stored form. It fails on an unknown
// kind, on a per-line step without a SKU and on any other step with one.
func ParseStep(text string) (Step, error) {
	kind, sku, perLine := strings.Cut(text, ":")
	s := Step{Kind: StepKind(kind), SKU: sku}
	switch {
	case !s.Kind.known():
		return Step{}, fmt.Errorf("saga step %q: unknown kind %q", text, kind)
	case s.Kind.PerLine() && (!perLine || sku == ""):
		return Step{}, fmt.Errorf("saga step %q: %s needs a SKU", text, kind)
	case !s.Kind.PerLine() && perLine:
		return Step{}, fmt.Errorf("saga step %q: %s takes no SKU", text, kind)
	}
	return s, nil
}

// MarshalText returns the stored form of s.
func (s Step) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// UnmarshalText reads s from its stored form (ParseStep).
func (s *Step) UnmarshalText(text []byte) error {
	parsed, err := ParseStep(string(text))
	if err != nil {
		return err
	}
	*s = parsed
	return nil
}
