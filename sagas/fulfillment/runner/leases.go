package runner

import (
	"context"
	"errors"
	"strconv"

	"github.com/jackc/pgx/v5"

	"github.com/orderflow/orderflow/platform/lease"
)

var (
	// ErrNotOwner: the runner does not own the partition of the saga it was
	// asked to drive; the partition's owner drives it.
	ErrNotOwner = errors.New("partition owned by another runner")
	// ErrLeaseLost: the runner's lease ended (or was about to, by its own
	// clock) while it worked; it stopped before its next effect or record.
	// It is lease.ErrLost.
	ErrLeaseLost = lease.ErrLost
)

// leaseName is the name, in package lease, of a partition's lease. The
// intake's lease is the projections runtime's (projection/<IntakeName>).
func leaseName(partition int) string {
	return "saga/" + sagaName + "/" + strconv.Itoa(partition)
}

// The statements of the runner heartbeats (sagas.runners), by which the
// runners know how many of them share the partitions. Expiry is by the
// database's clock; durations are in milliseconds.
const (
	// beatSQL counts the other live runners and finds one whose partition
	// count differs, if any; only when there is none does it say that
	// this runner is alive for another TTL, so that a runner misconfigured
	// with another count never disturbs the others.
	beatSQL = `WITH others AS (
	SELECT count(*) AS live, coalesce(max(partitions) FILTER (WHERE partitions <> $3), 0) AS other
	FROM sagas.runners WHERE saga = $1 AND owner <> $2 AND expires_at > clock_timestamp()
), beat AS (
	INSERT INTO sagas.runners (saga, owner, partitions, expires_at)
	SELECT $1, $2, $3, clock_timestamp() + $4 * interval '1 millisecond' FROM others WHERE other = 0
	ON CONFLICT (saga, owner) DO UPDATE SET partitions = excluded.partitions, expires_at = excluded.expires_at
), swept AS (
	DELETE FROM sagas.runners
	WHERE saga = $1 AND owner <> $2 AND expires_at < clock_timestamp() - $4 * interval '1 millisecond'
)
SELECT live, other FROM others`
	leaveSQL = `DELETE FROM sagas.runners WHERE saga = $1 AND owner = $2`
)

// beat says this runner is alive for another TTL. It returns how many
// other runners are alive, and the partition count of one of them whose
// count differs from this one's (0 when they all agree; otherwise nothing
// was written).
func (k *keeper) beat(ctx context.Context, conn *pgx.Conn) (others, mismatch int, err error) {
	err = conn.QueryRow(ctx, beatSQL, sagaName, k.leases.Owner(), k.n, k.leases.TTL().Milliseconds()).Scan(&others, &mismatch)
	return others, mismatch, wrapIf(err, "saga runner heartbeat")
}

// tenures lists the tenures of terms.
func tenures(terms []*lease.Term) []lease.Tenure {
	out := make([]lease.Tenure, len(terms))
	for i, t := range terms {
		out[i] = t.Tenure()
	}
	return out
}
