package projections

import (
	"fmt"
	"math"

	"github.com/orderflow/orderflow/eventstore"
)

// Positions are stored as two bigint columns. Both adapters' positions stay
// far below 2^63 (a transaction id, a byte offset in the log); a larger one
// is refused rather than stored wrongly.

func dbPosition(p eventstore.Position) (commit, prepare int64, err error) {
	if p.Commit > math.MaxInt64 || p.Prepare > math.MaxInt64 {
		return 0, 0, fmt.Errorf("position %s does not fit in bigint", p)
	}
	return int64(p.Commit), int64(p.Prepare), nil
}

func fromDB(commit, prepare int64) eventstore.Position {
	return eventstore.Position{Commit: uint64(commit), Prepare: uint64(prepare)}
}
