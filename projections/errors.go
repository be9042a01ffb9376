package projections

import (
	"errors"

	"github.com/orderflow/orderflow/platform/lease"
)

var (
	// ErrUnknownProjection means no registered projection has the name.
	ErrUnknownProjection = errors.New("unknown projection")
	// ErrInvalidProjection means a projection breaks the rules of the
	// Projection contract (its name, version or views).
	ErrInvalidProjection = errors.New("invalid projection")
	// ErrLeaseLost means another owner took the projection's lease: the
	// transaction that found out was rolled back. It is lease.ErrLost.
	ErrLeaseLost = lease.ErrLost
	// ErrFenced means the projection's checkpoint is no longer where the
	// writer started from (another writer or a rebuild moved it): the
	// transaction that found out was rolled back.
	ErrFenced = errors.New("projection checkpoint moved under the writer")
	// ErrRebuildRunning means another rebuild of the projection holds its
	// rebuild lock.
	ErrRebuildRunning = errors.New("a rebuild of the projection is already running")
	// ErrNewerVersionLive means the live generation was built by a newer
	// version of the projection than this process has: it neither writes
	// to it nor rebuilds it.
	ErrNewerVersionLive = errors.New("a newer version of the projection is live")
	// ErrDeadLetterNotFound means no parked event of the projection's live
	// generation has the id.
	ErrDeadLetterNotFound = errors.New("dead letter not found")
)
