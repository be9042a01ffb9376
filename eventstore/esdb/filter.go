package esdb

import (
	"regexp"

	"github.com/EventStore/EventStore-Client-Go/v4/esdb"
)

// userStreams matches every stream the port can write: none of them starts
// with "$". Filtering by stream rather than by event type (the client's
// ExcludeSystemEventsFilter) also leaves out stream metadata and system
// streams whose event types do not start with "$".
const userStreams = `^[^$]`

// categoryRegex matches the names of the streams of category: the category
// itself, or the category followed by "-" and anything. Category names are
// letters, digits and "_.:@"; QuoteMeta escapes the ".", and .NET, which
// evaluates the expression on the server, reads the result the same way.
func categoryRegex(category string) string {
	return "^" + regexp.QuoteMeta(category) + "(-|$)"
}

// subscriptionFilter is the server-side filter of a subscription to
// category, or to every user stream when category is empty. A filter also
// makes the server send checkpoints while it scans past events that do not
// match.
func subscriptionFilter(category string) *esdb.SubscriptionFilter {
	regex := userStreams
	if category != "" {
		regex = categoryRegex(category)
	}
	return &esdb.SubscriptionFilter{Type: esdb.StreamFilterType, Regex: regex}
}
