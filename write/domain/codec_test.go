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
