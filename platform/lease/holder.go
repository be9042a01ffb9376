package lease

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/orderflow/orderflow/platform/instance"
)

// Querier runs statements: a *pgxpool.Pool, a *pgx.Conn or a pgx.Tx, so
// that lease statements can run in the caller's own transaction.
type Querier interface {
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

// Tenure identifies one owner's tenure of a lease: it ends when the lease
// is released, or acquired by anybody again.
type Tenure struct {
	Name  string
	Owner string
	Epoch int64
}

// Grant is a lease acquired or renewed: its tenure, and the deadline of
// the holder's term, TTL minus Margin after the statement was sent.
type Grant struct {
	Tenure
	Deadline time.Time
}

// Config configures a Holder.
type Config struct {
	// Owner names the holder in the leases; empty means instance.Name().
	// Two live holders must never share one.
	Owner string
	// TTL is how long a lease lasts without renewal. Required.
	TTL time.Duration
	// Margin is how much sooner than the database a term ends; zero means
	// a quarter of TTL. It must be less than TTL.
	Margin time.Duration
	// Logger receives Await's warnings; nil discards them.
	Logger *slog.Logger
	// Waker, when set, makes Await try again as soon as the lease it
	// waits for is released, rather than at its next poll. Its owner runs
	// it.
	Waker *Waker
}

// Holder takes, renews and releases leases under one owner name. It keeps
// no state of its own and is safe for concurrent use.
type Holder struct {
	owner  string
	ttl    time.Duration
	margin time.Duration
	logger *slog.Logger
	waker  *Waker
	// refused, a test hook, runs after each of Await's attempts that did
	// not get the lease.
	refused func(name string)
}

// New returns a Holder of cfg, or an error when TTL is not positive or
// Margin not less than it.
func New(cfg Config) (*Holder, error) {
	if cfg.TTL <= 0 {
		return nil, fmt.Errorf("lease: TTL must be positive, got %s", cfg.TTL)
	}
	if cfg.Margin == 0 {
		cfg.Margin = cfg.TTL / 4
	}
	if cfg.Margin < 0 || cfg.Margin >= cfg.TTL {
		return nil, fmt.Errorf("lease: Margin must be in [0, TTL %s), got %s", cfg.TTL, cfg.Margin)
	}
	return &Holder{
		owner: cmp.Or(cfg.Owner, instance.Name()), ttl: cfg.TTL, margin: cfg.Margin,
		logger: cmp.Or(cfg.Logger, slog.New(slog.DiscardHandler)), waker: cfg.Waker,
	}, nil
}

// Owner returns the name the holder holds its leases under.
func (h *Holder) Owner() string { return h.owner }

// TTL returns how long a lease lasts without renewal.
func (h *Holder) TTL() time.Duration { return h.ttl }

// deadline is the end of a term whose statement was sent at sent.
func (h *Holder) deadline(sent time.Time) time.Time { return sent.Add(h.ttl - h.margin) }

// The statements of leases.leases. Durations are in milliseconds.
const (
	acquireSQL = `INSERT INTO leases.leases AS l (name, owner, expires_at)
SELECT n, $1, clock_timestamp() + $2 * interval '1 millisecond' FROM unnest($3::text[]) AS n ORDER BY n
ON CONFLICT (name) DO UPDATE
SET owner = excluded.owner, expires_at = excluded.expires_at, epoch = l.epoch + 1, acquired_at = now()
WHERE l.owner = excluded.owner OR l.expires_at < clock_timestamp()
RETURNING l.name, l.epoch`
	renewSQL = `UPDATE leases.leases AS l SET expires_at = clock_timestamp() + $2 * interval '1 millisecond'
FROM unnest($3::text[], $4::bigint[]) AS h(name, epoch)
WHERE l.name = h.name AND l.owner = $1 AND l.epoch = h.epoch
RETURNING l.name`
	releaseSQL = `WITH released AS (
	UPDATE leases.leases AS l SET expires_at = '-infinity'
	FROM unnest($2::text[], $3::bigint[]) AS h(name, epoch)
	WHERE l.name = h.name AND l.owner = $1 AND l.epoch = h.epoch
	RETURNING l.name
)
SELECT pg_notify('` + ReleasedChannel + `', name) FROM released`
	releaseOwnedSQL = `WITH released AS (
	UPDATE leases.leases AS l SET expires_at = '-infinity'
	WHERE l.name = ANY($2::text[]) AND l.owner = $1 AND l.expires_at >= clock_timestamp()
	RETURNING l.name
)
SELECT pg_notify('` + ReleasedChannel + `', name) FROM released`
	freeSQL = `SELECT n FROM unnest($2::text[]) AS n
WHERE NOT EXISTS (SELECT FROM leases.leases l WHERE l.name = n AND l.owner <> $1 AND l.expires_at >= clock_timestamp())`
	seizeSQL = `INSERT INTO leases.leases AS l (name, owner, expires_at) VALUES ($1, $2, '-infinity')
ON CONFLICT (name) DO UPDATE SET owner = excluded.owner, expires_at = excluded.expires_at, epoch = l.epoch + 1, acquired_at = now()
RETURNING l.epoch`
)

// Acquire takes those of names that are free or already the holder's, in
// one statement, and returns their grants, each with a new epoch. A name
// missing from the result is another owner's.
func (h *Holder) Acquire(ctx context.Context, q Querier, names ...string) ([]Grant, error) {
	sent := time.Now()
	rows, err := q.Query(ctx, acquireSQL, h.owner, h.ttl.Milliseconds(), names)
	if err != nil {
		return nil, fmt.Errorf("acquire leases %v: %w", names, err)
	}
	gs, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (Grant, error) {
		g := Grant{Tenure: Tenure{Owner: h.owner}, Deadline: h.deadline(sent)}
		return g, row.Scan(&g.Name, &g.Epoch)
	})
	if err != nil {
		return nil, fmt.Errorf("acquire leases %v: %w", names, err)
	}
	return gs, nil
}

// Renew extends, in one statement, those of tenures that are still
// current, and returns the names renewed and their terms' new deadline. A
// tenure missing from them is lost: taken over, or released.
func (h *Holder) Renew(ctx context.Context, q Querier, tenures ...Tenure) (renewed map[string]bool, deadline time.Time, err error) {
	names, epochs := split(tenures)
	sent := time.Now()
	rows, err := q.Query(ctx, renewSQL, h.owner, h.ttl.Milliseconds(), names, epochs)
	if err != nil {
		return nil, time.Time{}, fmt.Errorf("renew leases: %w", err)
	}
	got, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, time.Time{}, fmt.Errorf("renew leases: %w", err)
	}
	renewed = make(map[string]bool, len(got))
	for _, n := range got {
		renewed[n] = true
	}
	return renewed, h.deadline(sent), nil
}

// Release ends those of tenures that are still current, so that another
// owner can acquire them at once, and announces each on ReleasedChannel
// (delivered when q's transaction commits), so that waiters hear of it at
// once (Waker).
func (h *Holder) Release(ctx context.Context, q Querier, tenures ...Tenure) error {
	names, epochs := split(tenures)
	if _, err := q.Exec(ctx, releaseSQL, h.owner, names, epochs); err != nil {
		return fmt.Errorf("release leases %v: %w", names, err)
	}
	return nil
}

// ReleaseOwned ends every live lease among names that the holder's owner
// holds, whatever its epoch, and announces each like Release. It is for
// an owner leaving, once all its work under those names has stopped: it
// also gives up a lease whose grant never reached the holder (an Acquire
// that committed after its caller stopped waiting) or that the holder
// stopped counting as its own before it ran out.
func (h *Holder) ReleaseOwned(ctx context.Context, q Querier, names ...string) error {
	if _, err := q.Exec(ctx, releaseOwnedSQL, h.owner, names); err != nil {
		return fmt.Errorf("release the leases of %s: %w", h.owner, err)
	}
	return nil
}

// abandon gives up the lease of name if the holder's owner holds it: an
// Acquire cut off by the end of ctx may have committed all the same, and
// nobody would work under the grant nor release it before it ran out.
func (h *Holder) abandon(ctx context.Context, q Querier, name string) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 2*time.Second)
	defer cancel()
	if err := h.ReleaseOwned(ctx, q, name); err != nil {
		h.logger.WarnContext(ctx, "give up a lease taken as the wait for it ended; it runs out on its own", "lease", name, "owner", h.owner, "err", err)
	}
}

// Free returns those of names that no other owner holds a live lease of,
// in the order given.
func (h *Holder) Free(ctx context.Context, q Querier, names ...string) ([]string, error) {
	rows, err := q.Query(ctx, freeSQL, h.owner, names)
	if err != nil {
		return nil, fmt.Errorf("find free leases: %w", err)
	}
	free, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, fmt.Errorf("find free leases: %w", err)
	}
	return free, nil
}

// Await acquires the lease of name, trying every interval until it gets
// it, and at once when the holder's Waker hears that it was released. It
// returns only ctx's error; failures in between are logged. Await is for
// a lease the owner does not hold: when ctx ends during an attempt, it
// releases the lease if the owner holds it, as the attempt may have
// taken it.
func (h *Holder) Await(ctx context.Context, q Querier, name string, every time.Duration) (Grant, error) {
	every = max(every, 10*time.Millisecond)
	// Subscribed before the first attempt: a release after it is heard.
	released, unsubscribe := h.waker.Subscribe(func(n string) bool { return n == name })
	defer unsubscribe()
	for {
		gs, err := h.Acquire(ctx, q, name)
		switch {
		case err == nil && len(gs) == 1:
			return gs[0], nil
		case ctx.Err() != nil:
			if err != nil {
				h.abandon(ctx, q, name)
			}
			return Grant{}, ctx.Err()
		case err != nil:
			h.logger.WarnContext(ctx, "take lease", "lease", name, "owner", h.owner, "err", err)
		}
		if h.refused != nil {
			h.refused(name)
		}
		poll := time.NewTimer(every)
		select {
		case <-ctx.Done():
			poll.Stop()
			return Grant{}, ctx.Err()
		case <-poll.C:
		case <-released:
			poll.Stop()
		}
	}
}

// Seize takes the lease of name for owner whoever holds it, with a new
// epoch, and leaves it expired: every statement fenced on the former tenure
// fails from then on, and anybody may acquire the lease next. Run in a
// transaction, the lease row stays locked until it ends, so nobody acquires
// the lease before. It is for an administrative writer (a projection's
// rebuild as it swaps) that takes over without waiting.
func Seize(ctx context.Context, q Querier, name, owner string) (Tenure, error) {
	t := Tenure{Name: name, Owner: owner}
	if err := q.QueryRow(ctx, seizeSQL, name, owner).Scan(&t.Epoch); err != nil {
		return Tenure{}, fmt.Errorf("seize lease %s: %w", name, err)
	}
	return t, nil
}

// split lists the names and epochs of tenures.
func split(tenures []Tenure) ([]string, []int64) {
	names, epochs := make([]string, len(tenures)), make([]int64, len(tenures))
	for i, t := range tenures {
		names[i], epochs[i] = t.Name, t.Epoch
	}
	return names, epochs
}

// ErrLost means a tenure has ended (its term's deadline passed, or it was
// ended) while its holder worked: the holder stops before its next effect
// or write.
var ErrLost = errors.New("lease lost")
