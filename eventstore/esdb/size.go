package esdb

import (
	"fmt"
	"regexp"
	"strconv"

	"github.com/EventStore/EventStore-Client-Go/v4/esdb"
	"google.golang.org/grpc/status"

	"github.com/orderflow/orderflow/eventstore"
)

// appendSize is the size the server counts against its maximum append
// size for events: each event's data and metadata, and its type twice
// (Event.SizeOnDisk).
func appendSize(events []esdb.EventData) int {
	n := 0
	for _, e := range events {
		n += len(e.Data) + len(e.Metadata) + 2*len(e.EventType)
	}
	return n
}

// checkSize refuses a batch the server would count over its maximum append
// size, without sending it. The server refuses such a batch as soon as
// its running count passes the limit, which races the client's sends of
// the rest: the client then reports io.EOF and drops the server's answer,
// and the caller could not tell the refusal from an outage (see
// endedWhileSending). Checked here, the answer is always ErrTooLarge.
func (s *Store) checkSize(stream string, events []esdb.EventData) error {
	limit := s.maxAppend.Load()
	if size := int64(appendSize(events)); size > limit {
		return fmt.Errorf("append to %s: %d bytes of events, the server takes %d at most: %w", stream, size, limit, eventstore.ErrTooLarge)
	}
	return nil
}

// appendLimit matches the limit in the server's refusal of a batch over
// its maximum append size: "Maximum Append Size of 1048576 Exceeded."
var appendLimit = regexp.MustCompile(`Maximum Append Size of (\d+)`)

// learnLimit takes the maximum append size the server names in err when
// err is its refusal of a batch over it, as the one checkSize holds
// batches to from now on: the server's own setting overrides
// Config.MaxAppendSize, and a difference is logged at warn level once per
// new value, as the configuration is then wrong. A limit learned this way
// stays until the Store is built again, even if the server's is raised.
// Any other error leaves the limit as it is.
func (s *Store) learnLimit(err error) {
	st, ok := status.FromError(err)
	if !ok {
		return
	}
	m := appendLimit.FindStringSubmatch(st.Message())
	if m == nil {
		return
	}
	n, perr := strconv.ParseInt(m[1], 10, 64)
	if perr != nil || n <= 0 {
		return
	}
	if old := s.maxAppend.Swap(n); old != n {
		s.log.Warn("the server's maximum append size differs from the one configured (or named by it before); appends are held to the server's from now on",
			"server_bytes", n, "previous_bytes", old)
	}
}
