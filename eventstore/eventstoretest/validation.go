package eventstoretest

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/uuid"

	"github.com/orderflow/orderflow/eventstore"
)

func testValidation(t *testing.T, s eventstore.Store) {
	cat := NewCategory()
	ctx := testContext(t)
	good := cat + "-ok"
	dup := Event("e", 1)

	cases := []struct {
		name   string
		stream string
		events []eventstore.EventData
	}{
		{"empty stream name", "", Events("e", 0, 1)},
		{"stream name with a space", cat + "-a b", Events("e", 0, 1)},
		{"stream name with a slash", cat + "-a/b", Events("e", 0, 1)},
		{"system stream name", "$" + cat, Events("e", 0, 1)},
		{"stream name starting with a dash", "-" + cat, Events("e", 0, 1)},
		{"stream name too long", cat + "-" + strings.Repeat("x", 300), Events("e", 0, 1)},
		{"empty batch", good, nil},
		{"empty event type", good, []eventstore.EventData{{ID: uuid.New(), Type: "", Data: []byte(`{}`)}}},
		{"reserved event type", good, []eventstore.EventData{{ID: uuid.New(), Type: "$metadata", Data: []byte(`{}`)}}},
		{"blank event type", good, []eventstore.EventData{{ID: uuid.New(), Type: "  ", Data: []byte(`{}`)}}},
		{"data not JSON", good, []eventstore.EventData{{ID: uuid.New(), Type: "e", Data: []byte(`{"a":`)}}},
		{"empty data", good, []eventstore.EventData{{ID: uuid.New(), Type: "e", Data: nil}}},
		{"data with invalid UTF-8", good, []eventstore.EventData{{ID: uuid.New(), Type: "e", Data: []byte("\"\xff\"")}}},
		{"event over 1 MiB", good, []eventstore.EventData{{ID: uuid.New(), Type: "e", Data: []byte(`"` + strings.Repeat("x", eventstore.MaxEventSize) + `"`)}}},
		{"nil event id", good, []eventstore.EventData{{Type: "e", Data: []byte(`{}`)}}},
		{"id twice in a batch", good, []eventstore.EventData{dup, dup}},
		{"one bad event spoils the batch", good, []eventstore.EventData{Event("e", 1), {ID: uuid.New(), Type: "e", Data: []byte(`nope`)}}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := s.Append(ctx, tc.stream, eventstore.Any, tc.events...)
			if !errors.Is(err, eventstore.ErrInvalid) {
				t.Fatalf("got %v, want an error wrapping ErrInvalid", err)
			}
			if err.Error() == eventstore.ErrInvalid.Error() {
				t.Fatalf("error %q does not say what is wrong", err)
			}
		})
	}
	if _, err := s.ReadStream(ctx, good, eventstore.ReadOptions{Count: 10}); !errors.Is(err, eventstore.ErrStreamNotFound) {
		t.Fatalf("rejected appends wrote to %s: read returns %v", good, err)
	}

	t.Run("largest event accepted", func(t *testing.T) {
		meta := len(eventstore.MarshalMetadata(eventstore.Metadata{}))
		data := []byte(`"` + strings.Repeat("x", eventstore.MaxEventSize-meta-2) + `"`)
		e := eventstore.EventData{ID: uuid.New(), Type: "big", Data: data}
		mustAppend(t, s, cat+"-big", eventstore.NoStream, e)
		got := readStream(t, s, cat+"-big")
		if len(got) != 1 || string(got[0].Data) != string(data) {
			t.Fatalf("a %d-byte event did not round-trip", len(data))
		}
	})

	t.Run("bad reads", func(t *testing.T) {
		if _, err := s.ReadStream(ctx, "a b", eventstore.ReadOptions{Count: 1}); !errors.Is(err, eventstore.ErrInvalid) {
			t.Fatalf("read of a malformed stream name: got %v, want ErrInvalid", err)
		}
		if _, err := s.ReadStream(ctx, good, eventstore.ReadOptions{Count: 0}); !errors.Is(err, eventstore.ErrInvalid) {
			t.Fatalf("read of zero events: got %v, want ErrInvalid", err)
		}
		if _, err := s.ReadAll(ctx, eventstore.Start, 0); !errors.Is(err, eventstore.ErrInvalid) {
			t.Fatalf("read all of zero events: got %v, want ErrInvalid", err)
		}
		if _, err := s.Subscribe(ctx, eventstore.SubscribeOptions{Category: "a-b"}); !errors.Is(err, eventstore.ErrInvalid) {
			t.Fatalf("subscribe to category a-b: got %v, want ErrInvalid", err)
		}
	})
}
