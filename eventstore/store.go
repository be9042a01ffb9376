package eventstore

import "context"

// Store is the event-store port. See the package documentation for the
// contract every implementation meets.
type Store interface {
	// Append stores events at the end of stream if the stream is in the
	// expected state. It returns the revision of the last event and its global
	// position. See the package documentation for conflicts, idempotency and
	// validation.
	Append(ctx context.Context, stream string, expected ExpectedRevision, events ...EventData) (AppendResult, error)

	// ReadStream returns up to opts.Count events of stream, starting at
	// opts.From and going in opts.Direction. A stream without events returns
	// an error wrapping ErrStreamNotFound. Reading past either end returns the
	// events that exist, possibly none.
	ReadStream(ctx context.Context, stream string, opts ReadOptions) ([]RecordedEvent, error)

	// ReadAll returns up to count events of the global log after from
	// (exclusive), in global order.
	ReadAll(ctx context.Context, from Position, count int) ([]RecordedEvent, error)

	// Head returns the position of the last event of the global log, or the
	// zero Position when the log is empty.
	Head(ctx context.Context) (Position, error)

	// Subscribe starts a catch-up subscription. The subscription lives until
	// ctx ends or Close is called.
	Subscribe(ctx context.Context, opts SubscribeOptions) (Subscription, error)

	// Close releases the store's resources. The store is unusable afterwards.
	Close() error
}

// AppendResult is the outcome of a successful Append.
type AppendResult struct {
	// Revision is the stream revision of the last event appended.
	Revision uint64
	// Position is the global position of the last event appended.
	Position Position
}

// Direction is the order in which ReadStream walks a stream.
type Direction int

const (
	// Forwards reads from lower to higher revisions.
	Forwards Direction = iota
	// Backwards reads from higher to lower revisions.
	Backwards
)

// End stands for "the last revision of the stream" in ReadOptions.From.
const End uint64 = 1<<64 - 1

// ReadOptions says which part of a stream ReadStream returns.
type ReadOptions struct {
	// Direction to read in; Forwards when zero.
	Direction Direction
	// From is the first revision returned (inclusive). Use 0 for the start
	// and End for the end of the stream.
	From uint64
	// Count is the maximum number of events returned; it must be positive.
	Count int
}

// SubscribeOptions configures a catch-up subscription.
type SubscribeOptions struct {
	// From is the checkpoint to resume after (exclusive). The zero Position
	// starts at the beginning of the log.
	From Position
	// Category restricts the subscription to streams of one category
	// ("order" receives "order-1", "order-2"...). Empty means every stream.
	Category string
	// BatchSize caps the number of events Next returns at once; zero means
	// DefaultBatchSize.
	BatchSize int
	// Checkpoints lets Next also return with no event when the
	// subscription has moved past events it skips (other categories, the
	// store's own events) without finding one to deliver, so that the
	// consumer can save Checkpoint and not scan them again after a
	// restart. Without it Next returns only with events.
	Checkpoints bool
}

// DefaultBatchSize is the batch size of a subscription that names none.
const DefaultBatchSize = 512

// Subscription is a catch-up subscription: it delivers stored events after
// its checkpoint, then new ones as they are committed.
type Subscription interface {
	// Next blocks until at least one event is available and returns between
	// one and BatchSize events, in global order, each after the last one
	// returned. With SubscribeOptions.Checkpoints it may also return no
	// event and a nil error, when Checkpoint has moved past skipped events
	// only. It returns ctx.Err() when ctx ends first, and an error
	// wrapping ErrSubscriptionClosed once the subscription is over (its
	// context ended or Close was called). Any other error is fatal to the
	// subscription; start a new one from the last position processed.
	Next(ctx context.Context) ([]RecordedEvent, error)

	// Checkpoint returns how far the subscription has read the log as of
	// the last Next: a position at or after the last event Next returned
	// (SubscribeOptions.From before the first Next) and before every event
	// it has yet to return. Resuming from it delivers exactly the events
	// the subscription would still have delivered. Call it from the
	// goroutine that calls Next.
	Checkpoint() Position

	// Close ends the subscription and releases its resources. It is safe to
	// call more than once.
	Close() error
}
