// Package eventschema knows every stored event of orderflow: which
// context's codec reads the streams of each category (Contexts, Decode);
// Verify, which reads a whole log through them (orderflow events verify);
// and the corpus of stored events the system itself wrote, one log per
// generation of the schemas (ReadCorpus, WriteLog), that the tests decode
// on every run so that no change can leave stored history unreadable.
package eventschema

import (
	"errors"
	"fmt"

	"github.com/orderflow/orderflow/eventstore"
	"github.com/orderflow/orderflow/sagas/fulfillment"
	"github.com/orderflow/orderflow/write/command"
	"github.com/orderflow/orderflow/write/domain"
	"github.com/orderflow/orderflow/write/inventory"
	"github.com/orderflow/orderflow/write/order"
	"github.com/orderflow/orderflow/write/payment"
	"github.com/orderflow/orderflow/write/shipping"
)

// ErrUnknownCategory is wrapped by Decode for an event of a stream
// category no context owns.
var ErrUnknownCategory = errors.New("no context owns the stream category")

// Context is one owner of stored events: the category of its streams and
// the codec that reads their events.
type Context struct {
	// Category is the category of the context's streams ("order").
	Category string
	// Codec reads the context's events, older schema versions included.
	Codec domain.Codec
}

// Contexts returns every context that stores events, by category: the
// four write-side contexts and the fulfillment saga.
func Contexts() []Context {
	return []Context{
		{Category: order.Category, Codec: order.Codec()},
		{Category: inventory.Category, Codec: inventory.Codec()},
		{Category: payment.Category, Codec: payment.Codec()},
		{Category: shipping.Category, Codec: shipping.Codec()},
		{Category: fulfillment.Category, Codec: fulfillment.Codec()},
	}
}

// SnapshotCategory is the category of the streams of persisted snapshots
// (write/command). A snapshot is a cache, not history: the loader ignores
// one of another schema version and folds the stream instead, so it needs
// no upcaster and has no place in the corpus.
const SnapshotCategory = "snapshot"

// IdentityCategory is the category of the event store's identity stream
// (eventstore.IdentityStream): its one event belongs to the event store's
// contract, not to a context, and carries no schema version.
const IdentityCategory = eventstore.IdentityStream

// contexts is Contexts by category.
var contexts = func() map[string]domain.Codec {
	m := make(map[string]domain.Codec)
	for _, c := range Contexts() {
		m[c.Category] = c.Codec
	}
	return m
}()

// Decode decodes the stored event e with the codec of its stream's
// category, into its current schema version. A snapshot decodes when it
// is a JSON object with a schema version (its state is checked when it is
// loaded, and one that does not fit is ignored); the event store's
// identity decodes when eventstore.IdentityOf reads it. Decode returns an error
// wrapping ErrUnknownCategory for a category no context owns, and
// otherwise the codec's error (domain.ErrUnknownEventType,
// domain.ErrUnsupportedVersion or domain.ErrMalformedEvent). It is safe
// for concurrent use and never panics.
func Decode(e eventstore.RecordedEvent) (domain.Event, error) {
	category := e.Category()
	if category == SnapshotCategory {
		if e.Type != command.SnapshotEventType {
			return nil, fmt.Errorf("decode %q: not a snapshot: %w", e.Type, domain.ErrUnknownEventType)
		}
		if _, ok := domain.SchemaVersion(e.Data); !ok {
			return nil, fmt.Errorf("decode %s: no schema version: %w", e.Type, domain.ErrUnsupportedVersion)
		}
		return nil, nil
	}
	if category == IdentityCategory {
		if _, err := eventstore.IdentityOf(e); err != nil {
			return nil, fmt.Errorf("decode %s of stream %s: %w: %w", e.Type, e.Stream, domain.ErrMalformedEvent, err)
		}
		return nil, nil
	}
	codec, ok := contexts[category]
	if !ok {
		return nil, fmt.Errorf("decode %s of stream %s: %w %q", e.Type, e.Stream, ErrUnknownCategory, category)
	}
	return codec.Decode(e.Type, e.Data)
}
