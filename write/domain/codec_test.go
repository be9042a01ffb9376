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
