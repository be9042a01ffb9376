package browse_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/orderflow/orderflow/eventstore"
	"github.com/orderflow/orderflow/eventstore/browse"
	"github.com/orderflow/orderflow/eventstore/pg"
	"github.com/orderflow/orderflow/platform/dbtest"
)

// env is the browser over a real socket on a fresh database, with a log
// of ten events: order-o1 holds events 0, 2, 4, 6 and 8 of the log,
// payment-o1 events 1 and 5, inventory-SKU-1 the others. Events 0, 1, 5
// and 8 carry correlation "corr-a", the others "corr-b".
type env struct {
	t      *testing.T
	url    string
	events []eventstore.RecordedEvent // the log, oldest first
}

func newEnv(t *testing.T) *env {
	t.Helper()
	store, err := pg.New(context.Background(), pg.Config{DatabaseURL: dbtest.New(t), PollInterval: 20 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	ctx := context.Background()
	for i := range 10 {
		stream := "inventory-SKU-1"
		switch {
		case i%2 == 0:
			stream = "order-o1"
		case i == 1 || i == 5:
			stream = "payment-o1"
		}
		corr := "corr-b"
		if i == 0 || i == 1 || i == 5 || i == 8 {
			corr = "corr-a"
		}
		ev := eventstore.EventData{ID: uuid.New(), Type: "test.happened", Data: fmt.Appendf(nil, `{"n":%d}`, i),
			Metadata: eventstore.Metadata{CorrelationID: corr, CausationID: fmt.Sprintf("cause-%d", i), UserID: "u-1"}}
		if _, err := store.Append(ctx, stream, eventstore.Any, ev); err != nil {
			t.Fatal(err)
		}
	}
	e := &env{t: t}
	deadline := time.Now().Add(10 * time.Second)
	for len(e.events) < 10 {
		if time.Now().After(deadline) {
			t.Fatalf("the log shows %d of 10 events", len(e.events))
		}
		if e.events, err = store.ReadAll(ctx, eventstore.Start, 100); err != nil {
			t.Fatal(err)
		}
	}
	srv := httptest.NewServer(browse.New(store, nil))
	t.Cleanup(srv.Close)
	e.url = srv.URL
	return e
}

// get asks for a page and returns its status and body.
func (e *env) get(params url.Values) (int, []byte) {
	e.t.Helper()
	resp, err := http.Get(e.url + "?" + params.Encode())
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		e.t.Fatal(err)
	}
	return resp.StatusCode, body
}

// page asks for a page that must be there.
func (e *env) page(params url.Values) browse.Page {
	e.t.Helper()
	status, body := e.get(params)
	if status != http.StatusOK {
		e.t.Fatalf("%v: %d %s", params, status, body)
	}
	var p browse.Page
	if err := json.Unmarshal(body, &p); err != nil {
		e.t.Fatal(err)
	}
	return p
}

// ns returns the payloads' numbers, that is the events' places in the log.
func ns(t *testing.T, p browse.Page) []int {
	t.Helper()
	out := []int{}
	for _, ev := range p.Events {
		var d struct{ N int }
		if err := json.Unmarshal(ev.Data, &d); err != nil {
			t.Fatal(err)
		}
		out = append(out, d.N)
	}
	return out
}

// follow turns a cursor into the parameters of its page.
func follow(c *browse.Cursor, more url.Values) url.Values {
	v := url.Values{"direction": {c.Direction}}
	if c.From != "" {
		v.Set("from", c.From)
	}
	for k, vs := range more {
		v[k] = vs
	}
	return v
}

func TestStreamPages(t *testing.T) {
	e := newEnv(t)
	first := e.page(url.Values{"stream": {"order-o1"}, "count": {"2"}})
	if got := ns(t, first); !slices.Equal(got, []int{0, 2}) || first.Previous != nil || first.Next == nil {
		t.Fatalf("first page: %v, previous %v, next %v", got, first.Previous, first.Next)
	}
	ev := first.Events[1]
	if ev.Stream != "order-o1" || ev.Revision != 1 || ev.Position != e.events[2].Position.String() || ev.Type != "test.happened" ||
		ev.OrderID != "o1" || ev.Metadata != (browse.Metadata{CorrelationID: "corr-b", CausationID: "cause-2", UserID: "u-1"}) ||
		ev.ID != e.events[2].ID.String() || !ev.Recorded.Equal(e.events[2].Recorded) {
		t.Fatalf("event %+v, stored %+v", ev, e.events[2])
	}
	stream := url.Values{"stream": {"order-o1"}, "count": {"2"}}
	second := e.page(follow(first.Next, stream))
	third := e.page(follow(second.Next, stream))
	if got := ns(t, second); !slices.Equal(got, []int{4, 6}) {
		t.Fatalf("second page %v", got)
	}
	if got := ns(t, third); !slices.Equal(got, []int{8}) || third.Next != nil {
		t.Fatalf("third page %v, next %v", got, third.Next)
	}
	back := e.page(follow(third.Previous, stream))
	if got := ns(t, back); !slices.Equal(got, []int{6, 4}) || back.Direction != "backwards" {
		t.Fatalf("back from the third page: %v %s", got, back.Direction)
	}
	last := e.page(url.Values{"stream": {"order-o1"}, "direction": {"backwards"}, "count": {"3"}})
	if got := ns(t, last); !slices.Equal(got, []int{8, 6, 4}) || last.Previous != nil {
		t.Fatalf("from the end: %v, previous %v", got, last.Previous)
	}
	if got := ns(t, e.page(follow(last.Next, stream))); !slices.Equal(got, []int{2, 0}) {
		t.Fatalf("before the last three: %v", got)
	}
}

func TestLogPages(t *testing.T) {
	e := newEnv(t)
	newest := e.page(url.Values{"count": {"4"}})
	if got := ns(t, newest); !slices.Equal(got, []int{9, 8, 7, 6}) || newest.Direction != "backwards" || newest.Previous != nil {
		t.Fatalf("newest: %v %s, previous %v", got, newest.Direction, newest.Previous)
	}
	older := e.page(follow(newest.Next, url.Values{"count": {"4"}}))
	if got := ns(t, older); !slices.Equal(got, []int{5, 4, 3, 2}) {
		t.Fatalf("older: %v", got)
	}
	newer := e.page(follow(older.Previous, url.Values{"count": {"4"}}))
	if got := ns(t, newer); !slices.Equal(got, []int{6, 7, 8, 9}) || newer.Next == nil {
		t.Fatalf("newer again: %v, next %v", got, newer.Next)
	}
	// A full page may be the last: the one after it is empty.
	if end := e.page(follow(newer.Next, url.Values{"count": {"4"}})); len(end.Events) != 0 || end.Next != nil {
		t.Fatalf("after the head: %v, next %v", ns(t, end), end.Next)
	}
	oldest := e.page(url.Values{"direction": {"forwards"}, "count": {"3"}})
	if got := ns(t, oldest); !slices.Equal(got, []int{0, 1, 2}) || oldest.Previous != nil {
		t.Fatalf("oldest: %v", got)
	}
}

func TestCorrelation(t *testing.T) {
	e := newEnv(t)
	for _, around := range []string{"", e.events[0].Position.String(), e.events[5].Position.String()} {
		p := e.page(url.Values{"correlation": {"corr-a"}, "around": {around}})
		if got := ns(t, p); !slices.Equal(got, []int{0, 1, 5, 8}) || p.Correlation != "corr-a" {
			t.Fatalf("around %q: %v", around, got)
		}
	}
	if got := ns(t, e.page(url.Values{"correlation": {"corr-z"}})); len(got) != 0 {
		t.Fatalf("an unknown correlation: %v", got)
	}
}

func TestRefusals(t *testing.T) {
	e := newEnv(t)
	for _, tc := range []struct {
		name   string
		params url.Values
		status int
	}{
		{"unknown parameter", url.Values{"limit": {"3"}}, http.StatusBadRequest},
		{"count too large", url.Values{"count": {"101"}}, http.StatusBadRequest},
		{"count zero", url.Values{"count": {"0"}}, http.StatusBadRequest},
		{"bad direction", url.Values{"direction": {"up"}}, http.StatusBadRequest},
		{"bad position", url.Values{"from": {"7"}}, http.StatusBadRequest},
		{"bad revision", url.Values{"stream": {"order-o1"}, "from": {"-1"}}, http.StatusBadRequest},
		{"bad stream", url.Values{"stream": {"$all"}}, http.StatusBadRequest},
		{"correlation with a stream", url.Values{"correlation": {"x"}, "stream": {"order-o1"}}, http.StatusBadRequest},
		{"around alone", url.Values{"around": {"1.1"}}, http.StatusBadRequest},
		{"twice", url.Values{"count": {"1", "2"}}, http.StatusBadRequest},
		{"unknown stream", url.Values{"stream": {"order-nope"}}, http.StatusNotFound},
	} {
		t.Run(tc.name, func(t *testing.T) {
			status, body := e.get(tc.params)
			var p struct {
				Status int
				Detail string
			}
			if err := json.Unmarshal(body, &p); err != nil || status != tc.status || p.Status != tc.status || p.Detail == "" {
				t.Fatalf("%d %s, want %d with a detail", status, body, tc.status)
			}
		})
	}
	resp, err := http.Post(e.url, "application/json", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusMethodNotAllowed {
		t.Fatalf("POST: %d", resp.StatusCode)
	}
}
