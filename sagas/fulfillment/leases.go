package fulfillment

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
)

// The statements of the lease rows (sagas.leases) and runner heartbeats
// (sagas.runners). Expiry is by the database's clock, so the runners'
// clocks need not agree; durations are passed in milliseconds. A lease is
// acquired when it is free (expired, released, or never taken) or already
// this owner's, and every acquisition increases its epoch; renewals and
// releases name the epoch they hold, so none of them touches a later
// tenure.
const (
	// beatSQL is a round of the keeper in one round trip. It counts the
	// other live runners and finds one whose partition count differs, if
	// any; only when there is none does it say that this runner is alive
	// for another TTL, so that a runner misconfigured with another count
	// never disturbs the others, and renew the leases held ($5, $6), of
	// which it returns those renewed.
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
), renewed AS (
	UPDATE sagas.leases AS l SET expires_at = clock_timestamp() + $4 * interval '1 millisecond'
	FROM unnest($5::int[], $6::bigint[]) AS h(partition, epoch), others
	WHERE others.other = 0 AND l.saga = $1 AND l.owner = $2 AND l.partition = h.partition AND l.epoch = h.epoch
	RETURNING l.partition
)
SELECT live, other, coalesce((SELECT array_agg(partition) FROM renewed), '{}') FROM others`
	leaveSQL = `DELETE FROM sagas.runners WHERE saga = $1 AND owner = $2`
	freeSQL  = `SELECT p FROM generate_series(0, $3::int - 1) AS p
WHERE NOT EXISTS (SELECT FROM sagas.leases l
	WHERE l.saga = $1 AND l.partition = p AND l.owner <> $2 AND l.expires_at >= clock_timestamp())`
	acquireSQL = `INSERT INTO sagas.leases AS l (saga, partition, owner, expires_at)
SELECT $1, p, $2, clock_timestamp() + $4 * interval '1 millisecond' FROM unnest($3::int[]) AS p ORDER BY p
ON CONFLICT (saga, partition) DO UPDATE
SET owner = excluded.owner, expires_at = excluded.expires_at, epoch = l.epoch + 1, acquired_at = now()
WHERE l.owner = excluded.owner OR l.expires_at < clock_timestamp()
RETURNING l.partition, l.epoch`
	releaseSQL = `UPDATE sagas.leases AS l SET expires_at = '-infinity'
FROM unnest($3::int[], $4::bigint[]) AS h(partition, epoch)
WHERE l.saga = $1 AND l.owner = $2 AND l.partition = h.partition AND l.epoch = h.epoch`
	// ownsSQL is the condition, on parameters saga $1, partition, owner
	// and epoch, that a write fenced in the database adds: the tenure is
	// still current and has not expired.
	ownsSQL = `EXISTS (SELECT FROM sagas.leases l
	WHERE l.saga = $1 AND l.partition = $%d AND l.owner = $%d AND l.epoch = $%d AND l.expires_at > clock_timestamp())`
)

// owns returns ownsSQL with its partition, owner and epoch at parameters
// first, first+1 and first+2.
func owns(first int) string { return fmt.Sprintf(ownsSQL, first, first+1, first+2) }

// beat says this runner is alive for another TTL and renews the leases of
// held. It returns how many other runners are alive, the partition count
// of one of them whose count differs from this one's (0 when they all
// agree; then nothing was written), and the leases renewed: a term missing
// from them has been taken over.
func (k *keeper) beat(ctx context.Context, conn *pgx.Conn, held []*term) (others, mismatch int, renewed map[int]bool, err error) {
	leases, epochs := tenures(held)
	var got []int
	err = conn.QueryRow(ctx, beatSQL, k.saga, k.owner, k.n, k.ttl.Milliseconds(), leases, epochs).Scan(&others, &mismatch, &got)
	if err != nil {
		return 0, 0, nil, wrapf(err, "saga runner heartbeat")
	}
	renewed = make(map[int]bool, len(got))
	for _, l := range got {
		renewed[l] = true
	}
	return others, mismatch, renewed, nil
}

// free returns the partitions no other runner holds a live lease of.
func (k *keeper) free(ctx context.Context, conn *pgx.Conn) ([]int, error) {
	rows, err := conn.Query(ctx, freeSQL, k.saga, k.owner, k.n)
	if err != nil {
		return nil, wrapf(err, "find free saga partitions")
	}
	ps, err := pgx.CollectRows(rows, pgx.RowTo[int])
	return ps, wrapIf(err, "find free saga partitions")
}

// grant is a lease acquired: which, and its new epoch.
type grant struct {
	lease int
	epoch int64
}

// take acquires those of leases that are free or already this owner's.
func (k *keeper) take(ctx context.Context, conn *pgx.Conn, leases []int) ([]grant, error) {
	rows, err := conn.Query(ctx, acquireSQL, k.saga, k.owner, leases, k.ttl.Milliseconds())
	if err != nil {
		return nil, wrapf(err, "acquire saga leases %v", leases)
	}
	gs, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (grant, error) {
		var g grant
		return g, row.Scan(&g.lease, &g.epoch)
	})
	return gs, wrapIf(err, "acquire saga leases %v", leases)
}

// releaseTerms gives up the leases of terms, where they are still these
// tenures, so that another runner can take them at once.
func (k *keeper) releaseTerms(ctx context.Context, conn *pgx.Conn, terms []*term) error {
	leases, epochs := tenures(terms)
	_, err := conn.Exec(ctx, releaseSQL, k.saga, k.owner, leases, epochs)
	return wrapIf(err, "release saga leases")
}

// tenures lists the leases and epochs of terms.
func tenures(terms []*term) ([]int, []int64) {
	leases, epochs := make([]int, len(terms)), make([]int64, len(terms))
	for i, t := range terms {
		leases[i], epochs[i] = t.lease, t.epoch
	}
	return leases, epochs
}
