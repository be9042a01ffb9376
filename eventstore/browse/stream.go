package browse

import (
	"context"
	"fmt"
	"strconv"

	"github.com/orderflow/orderflow/eventstore"
)

// streamPage reads count events of stream from revision from (empty: the
// start going forwards, the end going backwards).
func (h *Handler) streamPage(ctx context.Context, stream string, dir eventstore.Direction, from string, count int) (Page, error) {
	page := Page{Stream: stream, Direction: directionName(dir), Events: []Event{}}
	start := uint64(0)
	if dir == eventstore.Backwards {
		start = eventstore.End
	}
	if from != "" {
		r, err := strconv.ParseUint(from, 10, 63)
		if err != nil {
			return page, invalid("from must be a stream revision, not %q", clip(from))
		}
		start = r
	}
	events, err := h.store.ReadStream(ctx, stream, eventstore.ReadOptions{Direction: dir, From: start, Count: count})
	if err != nil {
		return page, fmt.Errorf("browse %s: %w", stream, err)
	}
	for _, e := range events {
		page.Events = append(page.Events, toEvent(e))
	}
	if len(events) == 0 {
		page.Previous = &Cursor{Direction: directionName(1 - dir)}
		return page, nil
	}
	first, last := events[0].Revision, events[len(events)-1].Revision
	switch dir {
	case eventstore.Forwards:
		if len(events) == count {
			page.Next = &Cursor{Direction: "forwards", From: revision(last + 1)}
		}
		if first > 0 {
			page.Previous = &Cursor{Direction: "backwards", From: revision(first - 1)}
		}
	case eventstore.Backwards:
		if len(events) == count && last > 0 {
			page.Next = &Cursor{Direction: "backwards", From: revision(last - 1)}
		}
		if from != "" {
			page.Previous = &Cursor{Direction: "forwards", From: revision(first + 1)}
		}
	}
	return page, nil
}
