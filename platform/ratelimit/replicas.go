package ratelimit

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
)

// DefaultBeat is how often a Replicas refreshes its row and counts the
// live processes when ReplicasConfig leaves Beat zero.
const DefaultBeat = time.Second

// joinShare is the largest fraction of a limit a process admits when it
// joins others: what a client spent on them before the join may be spent
// again only up to that much, a tenth of the limit.
const joinShare = 0.1

// staleBeats is how many beats a row may miss before its process is no
// longer counted: a process that died stops counting after that long.
const staleBeats = 3

// ReplicasConfig says how a Replicas takes part in the shared limit.
type ReplicasConfig struct {
	// Pool reaches the database that holds ratelimit.replicas. Required.
	Pool *pgxpool.Pool
	// Name names this process; no two live processes may share it.
	// Required.
	Name string
	// Beat is how often the row is refreshed and the live processes
	// counted; zero means DefaultBeat.
	Beat time.Duration
	// Ramp is how long a share takes to grow: a process that joins others
	// starts from a tenth of the limit at most, and a process whose peers
	// left grows to its larger share, linearly over Ramp, so that the units the others spent
	// in the window are not spent twice. Zero means the window, a minute,
	// which keeps the bound; a shorter ramp lets the sum overshoot by up to
	// the share that grew, for the rest of that window.
	Ramp time.Duration
	// Logger receives a line when the count of live processes changes and
	// a WARN when a heartbeat fails. Nil discards.
	Logger *slog.Logger
}

// Replicas is this process's part in a rate limit shared by several
// processes: it keeps a heartbeat row in ratelimit.replicas and gives the
// Limiter the fraction of each client's limit this process may admit, one
// over the live processes it sees. It is safe for concurrent use.
//
// Bounds, for one client spread over N processes that see each other:
// each admits at most max(1, floor(limit/N)) units in a sliding minute,
// so together at most the limit (plus one unit per process while a share
// is below one unit). A process that joins starts with at most a tenth of
// the limit and grows to limit/N over Ramp while the others shrink to
// limit/N at their next beat, so the units they spent before the join
// still count: a join lets the sum overshoot by a tenth of the limit at
// most, for one window. When a
// process leaves (its row deleted, or stale after three beats) the others
// grow to their larger share over Ramp, as the units the leaver admitted
// age out of the window. While the database cannot be reached the last
// count stays in force.
type Replicas struct {
	pool   *pgxpool.Pool
	name   string
	beat   time.Duration
	ramp   time.Duration
	logger *slog.Logger

	mu    sync.Mutex
	live  int
	from  float64 // the share when the ramp began
	to    float64 // the share the ramp ends at
	since time.Time
	fails int // heartbeats failed in a row
}

// NewReplicas returns the Replicas of cfg, or an error when Pool or Name
// is missing or Beat or Ramp is negative. It does not touch the database:
// call Join, then Run.
func NewReplicas(cfg ReplicasConfig) (*Replicas, error) {
	switch {
	case cfg.Pool == nil:
		return nil, errors.New("rate limit replicas: no pool")
	case cfg.Name == "":
		return nil, errors.New("rate limit replicas: no name")
	case cfg.Beat < 0, cfg.Ramp < 0:
		return nil, fmt.Errorf("rate limit replicas: negative beat %s or ramp %s", cfg.Beat, cfg.Ramp)
	}
	r := &Replicas{pool: cfg.Pool, name: cfg.Name, beat: cfg.Beat, ramp: cfg.Ramp, logger: cfg.Logger,
		live: 1, from: 1, to: 1}
	if r.beat == 0 {
		r.beat = DefaultBeat
	}
	if r.ramp == 0 {
		r.ramp = window
	}
	if r.logger == nil {
		r.logger = slog.New(slog.DiscardHandler)
	}
	return r, nil
}

// heartbeatSQL refreshes this process's row, forgets rows gone stale and
// counts the live processes, this one included, in one round trip. The
// statements of a WITH see the table as it was before any of them ran,
// hence the other rows counted and one added.
const heartbeatSQL = `
WITH beat AS (
    INSERT INTO ratelimit.replicas (name, seen_at) VALUES ($1, now())
    ON CONFLICT (name) DO UPDATE SET seen_at = now()
), gone AS (
    DELETE FROM ratelimit.replicas WHERE seen_at < now() - $2::interval AND name <> $1
)
SELECT count(*) + 1 FROM ratelimit.replicas WHERE name <> $1 AND seen_at >= now() - $2::interval`

// Join writes this process's row for the first time and counts the
// others. Alone, the process has the whole limit at once; beside others
// it starts with a tenth of the limit at most and ramps up to its part
// (see Replicas). It
// returns the database's error when it could not.
func (r *Replicas) Join(ctx context.Context) error {
	live, err := r.count(ctx)
	if err != nil {
		return fmt.Errorf("join the rate limit replicas: %w", err)
	}
	now := time.Now()
	r.mu.Lock()
	defer r.mu.Unlock()
	r.live, r.to, r.since = live, 1/float64(live), now
	r.from = r.to
	if live > 1 {
		r.from = min(r.to, joinShare)
	}
	r.logger.InfoContext(ctx, "rate limit shared", "replicas", live, "ramp", r.ramp.String())
	return nil
}

// Run beats every Beat until ctx ends, then deletes this process's row so
// that the others grow their shares at once, and returns nil. A failed
// beat is logged as a WARN (once per run of failures) and keeps the last
// count.
func (r *Replicas) Run(ctx context.Context) error {
	t := time.NewTicker(r.beat)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			leaveCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 2*time.Second)
			defer cancel()
			if _, err := r.pool.Exec(leaveCtx, `DELETE FROM ratelimit.replicas WHERE name = $1`, r.name); err != nil {
				r.logger.WarnContext(ctx, "rate limit replica row not deleted; the others count this process until it goes stale",
					"name", r.name, "err", err)
			}
			return nil
		case <-t.C:
			r.refresh(ctx)
		}
	}
}

// refresh beats once and adjusts the share to the count.
func (r *Replicas) refresh(ctx context.Context) {
	beatCtx, cancel := context.WithTimeout(ctx, r.beat)
	defer cancel()
	live, err := r.count(beatCtx)
	r.mu.Lock()
	defer r.mu.Unlock()
	if err != nil {
		if r.fails++; r.fails == 1 && ctx.Err() == nil {
			r.logger.WarnContext(ctx, "rate limit heartbeat failed; keeping the last count of replicas",
				"replicas", r.live, "err", err)
		}
		return
	}
	r.fails = 0
	if live == r.live {
		return
	}
	now := time.Now()
	cur, to := r.shareAt(now), 1/float64(live)
	r.logger.InfoContext(ctx, "rate limit replicas changed", "replicas", live, "was", r.live)
	r.live = live
	if to <= cur {
		r.from, r.to, r.since = to, to, now
		return
	}
	r.from, r.to, r.since = cur, to, now
}

func (r *Replicas) count(ctx context.Context) (int, error) {
	var live int
	stale := fmt.Sprintf("%d milliseconds", (staleBeats * r.beat).Milliseconds())
	if err := r.pool.QueryRow(ctx, heartbeatSQL, r.name, stale).Scan(&live); err != nil {
		return 0, err
	}
	return live, nil
}

// Live returns how many processes share the limit, this one included, as
// last counted.
func (r *Replicas) Live() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.live
}

// limitOf returns this process's part of limit now: at least one unit.
func (r *Replicas) limitOf(limit int) int {
	r.mu.Lock()
	share := r.shareAt(time.Now())
	r.mu.Unlock()
	return max(1, int(float64(limit)*share+1e-9))
}

// shareAt is the fraction of a limit this process admits at now, along
// the ramp. The caller holds mu.
func (r *Replicas) shareAt(now time.Time) float64 {
	elapsed := now.Sub(r.since)
	if elapsed >= r.ramp || r.from == r.to {
		return r.to
	}
	return r.from + (r.to-r.from)*float64(elapsed)/float64(r.ramp)
}
