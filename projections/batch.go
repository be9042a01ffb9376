package projections

import (
	"context"
	"fmt"

	"github.com/orderflow/orderflow/eventstore"
)

// BatchApplier is a Projection that can apply many events with fewer
// statements than one per event: folding the events of one row together,
// writing many rows in one statement. The runtime calls ApplyBatch
// instead of Apply for a batch of events when the projection has it
// (except where it traces each event). ApplyBatch must leave the tables
// exactly as Apply applied to each event in turn would.
//
// An error (or a panic) refuses the whole batch, as does a statement that
// fails when the batch is sent: the runtime then applies the events again
// one by one with Apply, which parks the culprits. So ApplyBatch may
// refuse a batch for an event whose fault only Apply can pin down.
type BatchApplier interface {
	ApplyBatch(ctx context.Context, w *Writer, events []eventstore.RecordedEvent) error
}

// applyBatch calls the projection's ApplyBatch, turning a panic into an
// error.
func (t target) applyBatch(ctx context.Context, b BatchApplier, w *Writer, events []eventstore.RecordedEvent) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("apply batch panicked: %v", r)
		}
	}()
	return b.ApplyBatch(ctx, w, events)
}
