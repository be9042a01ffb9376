package eventstore_test

import (
	"encoding/json"
	"testing"

	"github.com/orderflow/orderflow/eventstore"
)

func TestMetadataRoundTrip(t *testing.T) {
	m := eventstore.Metadata{CorrelationID: "c", CausationID: "k", UserID: "u", TraceParent: "00-a-b-01", TraceState: "x=y"}
	got, err := eventstore.UnmarshalMetadata(eventstore.MarshalMetadata(m))
	if err != nil || got != m {
		t.Fatalf("round trip: %+v, %v; want %+v", got, err, m)
	}
	if got, err := eventstore.UnmarshalMetadata(nil); err != nil || got != (eventstore.Metadata{}) {
		t.Fatalf("empty metadata: %+v, %v", got, err)
	}
	if got := string(eventstore.MarshalMetadata(eventstore.Metadata{CorrelationID: "c"})); got != `{"$correlationId":"c"}` {
		t.Fatalf("encoded metadata %s, want only the fields that are set", got)
	}
}

func FuzzUnmarshalMetadata(f *testing.F) {
	f.Add([]byte(`{"$correlationId":"c","userId":"u"}`))
	f.Add([]byte(`{"$causationId":1}`))
	f.Add([]byte(`[]`))
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := eventstore.UnmarshalMetadata(b)
		if err != nil {
			return
		}
		again, err := eventstore.UnmarshalMetadata(eventstore.MarshalMetadata(m))
		if err != nil || again != m {
			t.Fatalf("metadata %+v does not survive a round trip: %+v, %v", m, again, err)
		}
	})
}

// MarshalMetadata writes what encoding/json writes, escapes and all.
func FuzzMarshalMetadata(f *testing.F) {
	f.Add("6a1f0c3e-2b7d-4e9a-8c5f-1d3b7e9a2c4f", "", "customer-42", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", "")
	f.Add("a\"b\\c", "<&>", "\x00\x1f\x7f", "\u2028\u2029", "\xff\xfe é")
	f.Add("", "", "", "", "")
	f.Fuzz(func(t *testing.T, correlation, causation, user, parent, state string) {
		m := eventstore.Metadata{CorrelationID: correlation, CausationID: causation, UserID: user, TraceParent: parent, TraceState: state}
		want, err := json.Marshal(m)
		if err != nil {
			t.Fatal(err)
		}
		if got := eventstore.MarshalMetadata(m); string(got) != string(want) {
			t.Fatalf("MarshalMetadata(%+v) = %s, want %s", m, got, want)
		}
	})
}

func FuzzValidateAppend(f *testing.F) {
	f.Add("order-1", "order.placed", []byte(`{"a":1}`))
	f.Add("", "", []byte(`x`))
	f.Add("a b", "t", []byte("\"\xff\""))
	f.Fuzz(func(t *testing.T, stream, typ string, data []byte) {
		e := eventstore.EventData{ID: [16]byte{1}, Type: typ, Data: data}
		enc, err := eventstore.ValidateAppend(stream, []eventstore.EventData{e})
		if err != nil {
			return
		}
		if eventstore.ValidateStreamName(stream) != nil || len(enc) != 1 || len(enc[0].Data)+len(enc[0].RawMetadata) > eventstore.MaxEventSize {
			t.Fatalf("accepted an invalid append to %q", stream)
		}
	})
}
