package browse

import (
	"context"
	"fmt"
	"slices"

	"github.com/orderflow/orderflow/eventstore"
)

// correlated finds the events of correlation id among the
// CorrelationWindow events of the log on either side of around (empty:
// the end of the log), oldest first.
func (h *Handler) correlated(ctx context.Context, id, around string) (Page, error) {
	page := Page{Correlation: id, Direction: "forwards", Events: []Event{}}
	if len(id) > 256 {
		return page, invalid("correlation is longer than 256 bytes")
	}
	pos := eventstore.LogEnd
	if around != "" {
		p, err := eventstore.ParsePosition(around)
		if err != nil {
			return page, invalid("around must be a position of the log (commit.prepare), not %q", clip(around))
		}
		pos = p
	}
	before, err := h.store.ReadAllBackwards(ctx, pos, CorrelationWindow)
	if err != nil {
		return page, fmt.Errorf("browse correlation %s before %s: %w", id, pos, err)
	}
	after := eventstore.Start
	if len(before) > 0 {
		after = before[0].Position
	}
	// From the event just before around: around itself and what follows.
	rest, err := h.store.ReadAll(ctx, after, CorrelationWindow+1)
	if err != nil {
		return page, fmt.Errorf("browse correlation %s from %s: %w", id, after, err)
	}
	slices.Reverse(before)
	for _, e := range append(before, rest...) {
		if e.Metadata.CorrelationID == id {
			page.Events = append(page.Events, toEvent(e))
		}
	}
	return page, nil
}
