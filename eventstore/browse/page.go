package browse

import (
	"encoding/json"
	"strconv"
	"strings"
	"time"

	"github.com/orderflow/orderflow/eventstore"
)

// Page is one answer of the browser: the events, and where the pages
// beside it start.
type Page struct {
	// Stream is the stream read, empty for the global log or a
	// correlation.
	Stream string `json:"stream,omitempty"`
	// Correlation is the correlation id searched for, if any.
	Correlation string `json:"correlation,omitempty"`
	// Direction is the order of Events: "forwards" (oldest first) or
	// "backwards".
	Direction string  `json:"direction"`
	Events    []Event `json:"events"`
	// Next continues in Direction after the last event; nil when the page
	// reached the end of what there is.
	Next *Cursor `json:"next"`
	// Previous goes the other way from the first event; nil at the start
	// (or end) of the stream or log.
	Previous *Cursor `json:"previous"`
}

// Cursor is where a page starts: pass Direction and From back as the
// query parameters of the same name.
type Cursor struct {
	Direction string `json:"direction"`
	From      string `json:"from"`
}

// Event is a stored event as the browser shows it.
type Event struct {
	ID       string          `json:"id"`
	Stream   string          `json:"stream"`
	Revision uint64          `json:"revision"`
	Position string          `json:"position"`
	Type     string          `json:"type"`
	Recorded time.Time       `json:"recorded"`
	Data     json.RawMessage `json:"data"`
	Metadata Metadata        `json:"metadata"`
	// OrderID is the order the event's stream belongs to, when it is an
	// order's stream (order-, fulfillment-, payment- or shipment-).
	OrderID string `json:"orderId,omitempty"`
}

// Metadata is an event's metadata under plain names.
type Metadata struct {
	CorrelationID string `json:"correlationId,omitempty"`
	CausationID   string `json:"causationId,omitempty"`
	UserID        string `json:"userId,omitempty"`
	TraceParent   string `json:"traceparent,omitempty"`
	TraceState    string `json:"tracestate,omitempty"`
}

// orderCategories are the categories of streams named after an order id.
var orderCategories = map[string]bool{"order": true, "fulfillment": true, "payment": true, "shipment": true}

// toEvent turns a stored event into what the browser shows. Data that is
// not JSON (another tool wrote it) is shown as a JSON string.
func toEvent(e eventstore.RecordedEvent) Event {
	data := json.RawMessage(e.Data)
	if !json.Valid(data) {
		quoted, _ := json.Marshal(string(e.Data))
		data = quoted
	}
	out := Event{
		ID: e.ID.String(), Stream: e.Stream, Revision: e.Revision, Position: e.Position.String(),
		Type: e.Type, Recorded: e.Recorded.UTC(), Data: data,
		Metadata: Metadata{CorrelationID: e.Metadata.CorrelationID, CausationID: e.Metadata.CausationID,
			UserID: e.Metadata.UserID, TraceParent: e.Metadata.TraceParent, TraceState: e.Metadata.TraceState},
	}
	if cat, id, ok := strings.Cut(e.Stream, "-"); ok && orderCategories[cat] {
		out.OrderID = id
	}
	return out
}

// revision formats a stream revision as a cursor's From.
func revision(r uint64) string { return strconv.FormatUint(r, 10) }
