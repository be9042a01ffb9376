package fulfillment_test

import (
	"encoding/json"
	"reflect"
	"testing"
	"time"

	"github.com/orderflow/orderflow/sagas/fulfillment"
)

// TestStoredStepRecordsDecode: step records as they are stored decode to
// typed steps, and encode back to the very same bytes.
func TestStoredStepRecordsDecode(t *testing.T) {
	retry := time.Date(2026, 11, 25, 12, 0, 2, 0, time.UTC)
	for _, tc := range []struct {
		stored string
		want   fulfillment.StepRecorded
	}{
		{`{"v":1,"step":"reserve:SKU-1","outcome":"done","at":"2026-11-25T12:00:00Z"}`,
			fulfillment.StepRecorded{V: 1, Step: fulfillment.Step{Kind: fulfillment.StepReserve, SKU: "SKU-1"}, Outcome: fulfillment.Done, At: t0}},
		{`{"v":1,"step":"reserve:a:b","outcome":"rejected","detail":"a:b: 1 requested, 0 available: rejected","at":"2026-11-25T12:00:00Z"}`,
			fulfillment.StepRecorded{V: 1, Step: fulfillment.Step{Kind: fulfillment.StepReserve, SKU: "a:b"}, Outcome: fulfillment.Rejected, Detail: "a:b: 1 requested, 0 available: rejected", At: t0}},
		{`{"v":1,"step":"release:SKU-1","outcome":"done","at":"2026-11-25T12:00:00Z"}`,
			fulfillment.StepRecorded{V: 1, Step: fulfillment.Step{Kind: fulfillment.StepRelease, SKU: "SKU-1"}, Outcome: fulfillment.Done, At: t0}},
		{`{"v":1,"step":"charge","outcome":"parked","cause":"provider","detail":"payment provider unavailable","retryAt":"2026-11-25T12:00:02Z","at":"2026-11-25T12:00:00Z"}`,
			fulfillment.StepRecorded{V: 1, Step: fulfillment.Step{Kind: fulfillment.StepCharge}, Outcome: fulfillment.Parked, Cause: fulfillment.CauseProvider, Detail: "payment provider unavailable", RetryAt: &retry, At: t0}},
		{`{"v":1,"step":"charge","outcome":"done","chargeId":"ch_1","at":"2026-11-25T12:00:00Z"}`,
			fulfillment.StepRecorded{V: 1, Step: fulfillment.Step{Kind: fulfillment.StepCharge}, Outcome: fulfillment.Done, ChargeID: "ch_1", At: t0}},
		{`{"v":1,"step":"refund","outcome":"done","detail":"nothing was charged","at":"2026-11-25T12:00:00Z"}`,
			fulfillment.StepRecorded{V: 1, Step: fulfillment.Step{Kind: fulfillment.StepRefund}, Outcome: fulfillment.Done, Detail: "nothing was charged", At: t0}},
	} {
		got, err := fulfillment.Decode(fulfillment.TypeStepRecorded, []byte(tc.stored))
		if err != nil || !reflect.DeepEqual(got, tc.want) {
			t.Fatalf("%s: decoded %+v, %v; want %+v", tc.stored, got, err, tc.want)
		}
		again, err := json.Marshal(got)
		if err != nil || string(again) != tc.stored {
			t.Fatalf("%s: encoded back as %s, %v", tc.stored, again, err)
		}
	}
}

// TestStepStoredForms: every kind of step has the stored form it always
// had, and reads back from it.
func TestStepStoredForms(t *testing.T) {
	for _, tc := range []struct {
		step fulfillment.Step
		form string
	}{
		{fulfillment.ReserveStep("A"), "reserve:A"},
		{fulfillment.Step{Kind: fulfillment.StepConfirm}, "confirm_order"},
		{fulfillment.Step{Kind: fulfillment.StepRequestPayment}, "request_payment"},
		{fulfillment.Step{Kind: fulfillment.StepCharge}, "charge"},
		{fulfillment.Step{Kind: fulfillment.StepRecordCapture}, "record_capture"},
		{fulfillment.Step{Kind: fulfillment.StepMarkPaid}, "mark_paid"},
		{fulfillment.Step{Kind: fulfillment.StepScheduleShipment}, "schedule_shipment"},
		{fulfillment.Step{Kind: fulfillment.StepCancelShipment}, "cancel_shipment"},
		{fulfillment.Step{Kind: fulfillment.StepRefund}, "refund"},
		{fulfillment.ReleaseStep("A"), "release:A"},
		{fulfillment.Step{Kind: fulfillment.StepCancelOrder}, "cancel_order"},
	} {
		if got := tc.step.String(); got != tc.form {
			t.Errorf("%+v is stored as %q, want %q", tc.step, got, tc.form)
		}
		if got, err := fulfillment.ParseStep(tc.form); err != nil || got != tc.step {
			t.Errorf("ParseStep(%q) = %+v, %v; want %+v", tc.form, got, err, tc.step)
		}
		if id := fulfillment.StepCommandID("o-1", tc.step); id != "fulfillment/o-1/"+tc.form {
			t.Errorf("the command id of %q is %q", tc.form, id)
		}
	}
}

// TestParseStepRefuses: a stored form that names no step of the saga is
// an error, and a record holding one does not decode.
func TestParseStepRefuses(t *testing.T) {
	for _, form := range []string{"", "ship", "reserve", "reserve:", "release:", "charge:A", "confirm_order:"} {
		if got, err := fulfillment.ParseStep(form); err == nil {
			t.Errorf("ParseStep(%q) = %+v, want an error", form, got)
		}
	}
	if got, err := fulfillment.Decode(fulfillment.TypeStepRecorded, []byte(`{"v":1,"step":"ship","outcome":"done","at":"2026-11-25T12:00:00Z"}`)); err == nil {
		t.Fatalf("a record of an unknown step decoded as %+v", got)
	}
}
