package esdb

import (
	"context"
	"fmt"

	"github.com/EventStore/EventStore-Client-Go/v4/esdb"
	"github.com/google/uuid"

	"github.com/orderflow/orderflow/eventstore"
)

// deepPage is how many events a deep look for a batch reads at a time.
const deepPage = 256

// lookDeeper looks for the batch's ids in stream below revision below
// (exclusive), reading backwards in pages down to the stream's first event,
// or until the answer is settled: every id found, or some found and the
// read gone past where the rest of the batch would have to be. It compares
// like compare: all of the batch at consecutive revisions is overlapAll,
// none overlapNone, anything else overlapSome.
//
// Append calls it for Any and StreamExists when the tail it read holds none
// of the batch, so that a retry of any age is recognised; its cost grows
// with the stream (a new batch reads the whole stream once).
func (s *Store) lookDeeper(ctx context.Context, stream string, batch []eventstore.EncodedEvent, below uint64) (overlap, error) {
	index := make(map[uuid.UUID]int, len(batch))
	for i, e := range batch {
		index[e.ID] = i
	}
	found := make([]*esdb.RecordedEvent, len(batch))
	n := 0
	lowest := uint64(0) // the revision of the lowest event found
	for below > 0 {
		raw, err := s.readStreamRaw(ctx, stream, esdb.ReadStreamOptions{Direction: esdb.Backwards, From: esdb.Revision(below - 1)}, deepPage)
		if isNotFound(err) {
			break
		}
		if err != nil {
			return overlap{}, streamError(ctx, fmt.Sprintf("read %s below revision %d", stream, below), err)
		}
		if len(raw) == 0 {
			break
		}
		for _, e := range raw {
			i, ok := index[e.EventID]
			if !ok || found[i] != nil { // backwards: the first copy met is the latest
				continue
			}
			found[i], n, lowest = e, n+1, e.EventNumber
		}
		below = raw[len(raw)-1].EventNumber
		if n == len(batch) || n > 0 && below+uint64(len(batch)) < lowest {
			break
		}
		if len(raw) < deepPage {
			break
		}
	}
	switch {
	case n == 0:
		return overlap{kind: overlapNone}, nil
	case n == len(batch) && consecutive(found):
		return overlap{kind: overlapAll, last: found[len(found)-1]}, nil
	}
	return overlap{kind: overlapSome}, nil
}
