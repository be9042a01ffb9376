package browse

import (
	"context"
	"fmt"

	"github.com/orderflow/orderflow/eventstore"
)

// logPage reads count events of the global log after from (forwards) or
// before it (backwards); empty from is the start or the end of the log.
func (h *Handler) logPage(ctx context.Context, dir eventstore.Direction, from string, count int) (Page, error) {
	page := Page{Direction: directionName(dir), Events: []Event{}}
	pos := eventstore.Start
	if dir == eventstore.Backwards {
		pos = eventstore.LogEnd
	}
	if from != "" {
		p, err := eventstore.ParsePosition(from)
		if err != nil {
			return page, invalid("from must be a position of the log (commit.prepare), not %q", clip(from))
		}
		pos = p
	}
	var (
		events []eventstore.RecordedEvent
		err    error
	)
	if dir == eventstore.Forwards {
		events, err = h.store.ReadAll(ctx, pos, count)
	} else {
		events, err = h.store.ReadAllBackwards(ctx, pos, count)
	}
	if err != nil {
		return page, fmt.Errorf("browse the log from %s: %w", pos, err)
	}
	for _, e := range events {
		page.Events = append(page.Events, toEvent(e))
	}
	if len(events) == 0 {
		page.Previous = &Cursor{Direction: directionName(1 - dir)}
		return page, nil
	}
	if len(events) == count {
		page.Next = &Cursor{Direction: page.Direction, From: events[len(events)-1].Position.String()}
	}
	if from != "" {
		page.Previous = &Cursor{Direction: directionName(1 - dir), From: events[0].Position.String()}
	}
	return page, nil
}
