package domain_test

import (
	"encoding/json"
	"errors"
	"testing"

	"github.com/orderflow/orderflow/write/domain"
)

type renamed struct {
	V    int    `json:"v"`
	Name string `json:"name"`
}

func (renamed) EventType() string { return "thing.renamed" }

// renamedV1 spelled the name "title".
func upcastRenamedV1(data []byte) (domain.Event, error) {
	var old struct {
		Title string `json:"title"`
	}
	if err := json.Unmarshal(data, &old); err != nil {
		return nil, err
	}
	return renamed{V: 2, Name: old.Title}, nil
}

var codec = domain.NewCodec("thing",
	[]domain.EventSpec{{Type: "thing.renamed", Version: 2, Decode: domain.Strict[renamed]}},
	domain.EventSpec{Type: "thing.renamed", Version: 1, Decode: upcastRenamedV1})

func TestCodecDecode(t *testing.T) {
	tests := []struct {
		name string
		typ  string
		data string
		want domain.Event
		err  error
	}{
		{"current version", "thing.renamed", `{"v":2,"name":"a"}`, renamed{V: 2, Name: "a"}, nil},
		{"older version upcast", "thing.renamed", `{"v":1,"title":"b"}`, renamed{V: 2, Name: "b"}, nil},
		{"unknown type", "thing.painted", `{"v":1}`, nil, domain.ErrUnknownEventType},
		{"no version", "thing.renamed", `{"name":"a"}`, nil, domain.ErrUnsupportedVersion},
		{"newer version", "thing.renamed", `{"v":3,"name":"a"}`, nil, domain.ErrUnsupportedVersion},
		{"version zero", "thing.renamed", `{"v":0}`, nil, domain.ErrUnsupportedVersion},
		{"not JSON", "thing.renamed", `{"v":`, nil, domain.ErrMalformedEvent},
		{"unknown field", "thing.renamed", `{"v":2,"name":"a","extra":1}`, nil, domain.ErrMalformedEvent},
		{"wrong type", "thing.renamed", `{"v":2,"name":7}`, nil, domain.ErrMalformedEvent},
		{"version not first", "thing.renamed", `{"name":"a","v":2}`, renamed{V: 2, Name: "a"}, nil},
		{"spaced", "thing.renamed", ` { "v" : 2, "name": "a" }`, renamed{V: 2, Name: "a"}, nil},
		{"version with a leading zero", "thing.renamed", `{"v":02,"name":"a"}`, nil, domain.ErrMalformedEvent},
		{"version as a string", "thing.renamed", `{"v":"2","name":"a"}`, nil, domain.ErrMalformedEvent},
		{"version followed by garbage", "thing.renamed", `{"v":2x}`, nil, domain.ErrMalformedEvent},
		{"trailing data", "thing.renamed", `{"v":2,"name":"a"} {}`, nil, domain.ErrMalformedEvent},
		{"fractional version", "thing.renamed", `{"v":2.5,"name":"a"}`, nil, domain.ErrMalformedEvent},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := codec.Decode(tc.typ, []byte(tc.data))
			if !errors.Is(err, tc.err) || (tc.err == nil && err != nil) || got != tc.want {
				t.Fatalf("Decode(%s, %s) = %v, %v; want %v, %v", tc.typ, tc.data, got, err, tc.want, tc.err)
			}
		})
	}
	if types := codec.Types(); len(types) != 1 || types[0] != "thing.renamed" {
		t.Fatalf("Types() = %v", types)
	}
}

// TestCodecVersions: Current is the version written, Reads each version
// Decode reads (the current one and those with an upcaster), and
// SchemaVersion the "v" of a payload, wherever it stands.
func TestCodecVersions(t *testing.T) {
	gappy := domain.NewCodec("gap", []domain.EventSpec{{Type: "gap.made", Version: 3, Decode: domain.Strict[renamed]}},
		domain.EventSpec{Type: "gap.made", Version: 1, Decode: upcastRenamedV1})
	for _, tc := range []struct {
		codec   domain.Codec
		typ     string
		current int
		known   bool
		reads   []bool // versions 0 to 4
	}{
		{codec, "thing.renamed", 2, true, []bool{false, true, true, false, false}},
		{gappy, "gap.made", 3, true, []bool{false, true, false, true, false}},
		{codec, "thing.painted", 0, false, []bool{false, false, false, false, false}},
	} {
		if current, known := tc.codec.Current(tc.typ); current != tc.current || known != tc.known {
			t.Errorf("Current(%s) = %d, %v; want %d, %v", tc.typ, current, known, tc.current, tc.known)
		}
		for v, want := range tc.reads {
			if got := tc.codec.Reads(tc.typ, v); got != want {
				t.Errorf("Reads(%s, %d) = %v, want %v", tc.typ, v, got, want)
			}
		}
	}
	for _, tc := range []struct {
		data string
		v    int
		ok   bool
	}{
		{`{"v":2,"name":"a"}`, 2, true},
		{`{"name":"a","v":12}`, 12, true},
		{`{"name":"a"}`, 0, false},
		{`{"v":"2"}`, 0, false},
		{`[1]`, 0, false},
		{`{"v":`, 0, false},
	} {
		if v, ok := domain.SchemaVersion([]byte(tc.data)); v != tc.v || ok != tc.ok {
			t.Errorf("SchemaVersion(%s) = %d, %v; want %d, %v", tc.data, v, ok, tc.v, tc.ok)
		}
	}
}

func FuzzCodecDecode(f *testing.F) {
	for _, seed := range []string{`{"v":2,"name":"a"}`, `{"v":1,"title":"b"}`, `{"v":2}`, `{"v":02}`, `{"v":2,`, `{"name":"a","v":2}`} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, data string) {
		e, err := codec.Decode("thing.renamed", []byte(data))
		if err != nil {
			return
		}
		// Whatever decodes was valid JSON with a known version.
		var probe struct {
			V *int `json:"v"`
		}
		if jerr := json.Unmarshal([]byte(data), &probe); jerr != nil || probe.V == nil || (*probe.V != 1 && *probe.V != 2) {
			t.Fatalf("decoded %q into %v though it is not a version 1 or 2 payload", data, e)
		}
	})
}
