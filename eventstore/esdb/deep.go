package esdb

import (
	"container/list"
	"context"
	"fmt"
	"sync"

	"github.com/EventStore/EventStore-Client-Go/v4/esdb"
	"github.com/google/uuid"

	"github.com/orderflow/orderflow/eventstore"
)

const (
	// deepPage is how many events a read of a stream's older events asks
	// for at a time.
	deepPage = 512
	// maxIndexedIDs bounds the event ids the Store keeps in its index of
	// streams appended to with Any or StreamExists, all streams together
	// (about 50 bytes each, some 13 MB when full).
	maxIndexedIDs = 1 << 18
)

// lookDeeper looks for the batch's ids in stream below revision below
// (exclusive) and compares like compare: all of the batch at consecutive
// revisions is overlapAll, none overlapNone, anything else overlapSome.
//
// Append calls it for Any and StreamExists when the tail it read holds
// none of the batch, so that a retry of any age is recognised. The ids of
// a stream's events are kept in a bounded index (stored events never
// change), so that each event is read once per process rather than once
// per append: the first look reads the stream up to below, later ones only
// what was appended since. A stream too long for the index is read whole
// each time.
func (s *Store) lookDeeper(ctx context.Context, stream string, batch []eventstore.EncodedEvent, below uint64) (overlap, error) {
	revs, err := s.ids.lookUp(ctx, stream, batch, below, func(from, to uint64, add func(uuid.UUID, uint64)) error {
		return s.readIDs(ctx, stream, from, to, add)
	})
	if err != nil {
		return overlap{}, err
	}
	n := 0
	for _, r := range revs {
		if r >= 0 {
			n++
		}
	}
	switch {
	case n == 0:
		return overlap{kind: overlapNone}, nil
	case n < len(batch):
		return overlap{kind: overlapSome}, nil
	}
	for i, r := range revs {
		if r != revs[0]+int64(i) {
			return overlap{kind: overlapSome}, nil
		}
	}
	// All of it, in place: read it back for the original result.
	return s.settle(ctx, stream, batch, uint64(revs[0]))
}

// readIDs reads the events of stream with revisions in [from, to) and
// passes their ids to add.
func (s *Store) readIDs(ctx context.Context, stream string, from, to uint64, add func(uuid.UUID, uint64)) error {
	for from < to {
		raw, err := s.readStreamRaw(ctx, stream, esdb.ReadStreamOptions{Direction: esdb.Forwards, From: esdb.Revision(from)}, min(deepPage, to-from))
		if isNotFound(err) {
			return nil
		}
		if err != nil {
			return streamError(ctx, fmt.Sprintf("read %s from revision %d", stream, from), err)
		}
		for _, e := range raw {
			if e.EventNumber < to {
				add(e.EventID, e.EventNumber)
			}
		}
		if uint64(len(raw)) < min(deepPage, to-from) || len(raw) == 0 {
			return nil // nothing more below to
		}
		from = raw[len(raw)-1].EventNumber + 1
	}
	return nil
}

// idIndex maps the event ids of streams to their revisions, for the
// streams most recently looked into, within maxIndexedIDs ids in all. It
// is safe for concurrent use.
type idIndex struct {
	mu      sync.Mutex
	streams map[string]*list.Element // of *streamIDs, most recent first
	lru     list.List
	size    int
	max     int
}

// streamIDs are the ids of a stream's events with revisions below upTo.
type streamIDs struct {
	stream string
	ids    map[uuid.UUID]uint64
	upTo   uint64
}

func newIDIndex(max int) *idIndex {
	return &idIndex{streams: map[string]*list.Element{}, max: max}
}

// lookUp returns, for each event of batch, the revision of the stream's
// event with its id below revision below, or -1. read passes the ids of
// the stream's events in [from, to) to add; lookUp calls it, without its
// lock held, for what the index lacks.
func (x *idIndex) lookUp(ctx context.Context, stream string, batch []eventstore.EncodedEvent, below uint64,
	read func(from, to uint64, add func(uuid.UUID, uint64)) error) ([]int64, error) {
	x.mu.Lock()
	var from uint64
	if el, ok := x.streams[stream]; ok {
		from = el.Value.(*streamIDs).upTo
	}
	x.mu.Unlock()

	fresh := map[uuid.UUID]uint64{}
	if from < below {
		if err := read(from, below, func(id uuid.UUID, rev uint64) { fresh[id] = rev }); err != nil {
			return nil, err
		}
	}

	x.mu.Lock()
	defer x.mu.Unlock()
	var known *streamIDs
	if el, ok := x.streams[stream]; ok {
		known = el.Value.(*streamIDs)
		x.lru.MoveToFront(el)
	}
	revs := make([]int64, len(batch))
	for i, e := range batch {
		revs[i] = -1
		if rev, ok := fresh[e.ID]; ok {
			revs[i] = int64(rev)
		} else if known != nil {
			if rev, ok := known.ids[e.ID]; ok && rev < below {
				revs[i] = int64(rev)
			}
		}
	}
	x.keep(stream, known, from, below, fresh)
	return revs, nil
}

// keep adds fresh, the ids of revisions [from, to), to the index of
// stream, when they extend what it holds and the index has room for
// them. The caller holds x.mu.
func (x *idIndex) keep(stream string, known *streamIDs, from, to uint64, fresh map[uuid.UUID]uint64) {
	if from >= to {
		return
	}
	if known == nil {
		if from != 0 {
			return // evicted meanwhile: what was read does not start at 0
		}
		known = &streamIDs{stream: stream, ids: map[uuid.UUID]uint64{}}
		x.streams[stream] = x.lru.PushFront(known)
	}
	if from > known.upTo || to <= known.upTo {
		return // a gap, or another look got there first
	}
	for id, rev := range fresh {
		if _, ok := known.ids[id]; !ok {
			known.ids[id] = rev
			x.size++
		}
	}
	known.upTo = to
	for x.size > x.max && x.lru.Len() > 0 {
		old := x.lru.Remove(x.lru.Back()).(*streamIDs)
		delete(x.streams, old.stream)
		x.size -= len(old.ids)
	}
}
