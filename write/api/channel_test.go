package api_test

import (
	"strings"
	"testing"

	"github.com/orderflow/orderflow/write/order"
)

// TestPlaceOrderChannel places orders naming a sales channel or none: the
// order.placed event and the answer carry it, "api" when none is named.
// A channel that is not one of them, or not a string, is a 400 problem
// naming the field (as any value that does not fit the request's schema),
// and writes nothing.
func TestPlaceOrderChannel(t *testing.T) {
	e := newEnv(t)
	e.catalog()
	withChannel := func(v string) string {
		return strings.Replace(validOrder, `"customerId"`, `"channel":`+v+`,"customerId"`, 1)
	}
	for _, tc := range []struct {
		name, body string
		want       order.Channel
	}{
		{"none named", validOrder, order.ChannelAPI},
		{"web", withChannel(`"web"`), order.ChannelWeb},
		{"marketplace", withChannel(`"marketplace"`), order.ChannelMarketplace},
	} {
		t.Run(tc.name, func(t *testing.T) {
			body := e.mustPost(202, "/orders", tc.body).json(t)
			if body["channel"] != string(tc.want) {
				t.Fatalf("answer %v, want channel %q", body, tc.want)
			}
			events := e.stream(order.StreamID(body["orderId"].(string)))
			placed, err := order.Decode(events[0].Type, events[0].Data)
			if err != nil || placed.(order.Placed).Channel != tc.want || !strings.Contains(string(events[0].Data), `"channel":"`+string(tc.want)+`"`) {
				t.Fatalf("stored %s (%v), want channel %q", events[0].Data, err, tc.want)
			}
		})
	}

	before := e.eventCount()
	for _, tc := range []struct {
		name, body   string
		status       int
		code, detail string
	}{
		{"unknown channel", withChannel(`"fax"`), 400, "field_wrong_type",
			`field "channel" must be one of web, mobile, marketplace, phone, store, api, not "fax"`},
		{"upper case", withChannel(`"WEB"`), 400, "field_wrong_type",
			`field "channel" must be one of web, mobile, marketplace, phone, store, api, not "WEB"`},
		{"empty", withChannel(`""`), 400, "field_wrong_type",
			`field "channel" must be one of web, mobile, marketplace, phone, store, api, not ""`},
		{"a number", withChannel(`7`), 400, "field_wrong_type", `field "channel" must be a string, not number`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := e.post("/orders", tc.body)
			if ct := r.header.Get("Content-Type"); r.status != tc.status || ct != "application/problem+json" {
				t.Fatalf("status %d, Content-Type %q, want %d application/problem+json; body %s", r.status, ct, tc.status, r.body)
			}
			p := r.json(t)
			if p["code"] != tc.code || p["detail"] != tc.detail {
				t.Fatalf("problem %s, want code %s, detail %q", r.body, tc.code, tc.detail)
			}
		})
	}
	if n := e.eventCount(); n != before {
		t.Fatalf("refused requests wrote %d events", n-before)
	}
}
