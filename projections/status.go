package projections

import (
	"context"
	"fmt"
	"time"

	"github.com/orderflow/orderflow/eventstore"
)

// State is what a projection is doing, as Status reports it.
type State string

// The states, from the most to the least pressing: Status reports the
// first that applies.
const (
	// StateRebuilding: a rebuild is in progress (the live generation, if
	// any, keeps serving).
	StateRebuilding State = "rebuilding"
	// StateFailed: the last attempt to follow the log (or to rebuild)
	// failed, and no batch has committed since; or the first build of the
	// projection stopped before it went live.
	StateFailed State = "failed"
	// StateStopped: nobody holds the lease, or there is no live generation.
	StateStopped State = "stopped"
	// StateCatchingUp: the owner is more than a batch behind the head.
	StateCatchingUp State = "catching up"
	// StateLive: the owner is within a batch of the head.
	StateLive State = "live"
)

// MaxCountedBehind bounds how many events Status counts between a
// checkpoint and the head; beyond it, Behind is that bound and
// BehindAtLeast is set.
const MaxCountedBehind = 10_000

// Status describes one registered projection.
type Status struct {
	Name string
	// Consumer is true for a Consumer: it follows the log for its effects,
	// has no read model and cannot be rebuilt.
	Consumer bool
	// CodeVersion is the Version of the registered projection; Version the
	// one the live generation was built by.
	CodeVersion int
	Version     int
	// Generation is the live generation, 0 when there is none yet.
	Generation int
	// Position is the checkpoint; Head the last event of the log.
	Position eventstore.Position
	Head     eventstore.Position
	// Behind counts the events after the checkpoint, up to
	// MaxCountedBehind (then BehindAtLeast is true).
	Behind        int64
	BehindAtLeast bool
	// LastRecorded is the recorded time of the last event applied (zero
	// when none was). Lag is how long ago that was when the projection is
	// behind, else 0.
	LastRecorded time.Time
	Lag          time.Duration
	// Rate is the events per second its owner applied over the recent
	// window; 0 when nobody owns it.
	Rate  float64
	State State
	// DeadLetters counts the parked events of the live generation.
	DeadLetters int64
	// Owner is who holds the lease, empty when nobody does.
	Owner string
	// LastError is why the projection last failed, while it is failed.
	LastError string
	// Rebuild describes the rebuild in progress, nil when there is none.
	Rebuild *RebuildStatus
}

// RebuildStatus is the progress of a rebuild in flight.
type RebuildStatus struct {
	Generation int
	Version    int
	Owner      string
	Position   eventstore.Position
	Done       int64
	Total      int64
	Rate       float64
	StartedAt  time.Time
	UpdatedAt  time.Time
}

const statusSQL = `SELECT
    c.name IS NOT NULL, coalesce(c.generation, 0), coalesce(c.version, 0),
    coalesce(c.commit_pos, 0), coalesce(c.prepare_pos, 0), c.last_recorded_at, coalesce(c.last_error, ''),
    coalesce(l.owner, ''), coalesce(l.expires_at > clock_timestamp(), false), coalesce(c.rate, 0),
    (SELECT count(*) FROM projections.dead_letters d WHERE d.projection = n.name AND d.generation = c.generation),
    EXISTS (SELECT 1 FROM pg_locks
            WHERE locktype = 'advisory' AND granted AND objsubid = 1
              AND database = (SELECT oid FROM pg_database WHERE datname = current_database())
              AND classid = $2 AND objid = $3),
    r.name IS NOT NULL, coalesce(r.generation, 0), coalesce(r.version, 0), coalesce(r.owner, ''),
    coalesce(r.commit_pos, 0), coalesce(r.prepare_pos, 0), coalesce(r.done, 0), coalesce(r.total, 0),
    coalesce(r.rate, 0), coalesce(r.started_at, 'epoch'), coalesce(r.updated_at, 'epoch')
FROM (SELECT $1::text AS name) n
LEFT JOIN projections.checkpoints c ON c.name = n.name
LEFT JOIN leases.leases l ON l.name = 'projection/' || n.name
LEFT JOIN projections.rebuilds r ON r.name = n.name`

// Status reports on every registered projection, in name order. Lag is
// measured against Config.Now.
func (m *Manager) Status(ctx context.Context) ([]Status, error) {
	head, err := m.store.Head(ctx)
	if err != nil {
		return nil, fmt.Errorf("projection status: read the head: %w", err)
	}
	out := make([]Status, 0, len(m.projections))
	for _, p := range m.projections {
		s, err := m.status(ctx, p, head)
		if err != nil {
			return nil, fmt.Errorf("projection status: %s: %w", p.Name(), err)
		}
		out = append(out, s)
	}
	return out, nil
}

func (m *Manager) status(ctx context.Context, p Projection, head eventstore.Position) (Status, error) {
	s := Status{Name: p.Name(), Consumer: IsConsumer(p), CodeVersion: p.Version(), Head: head}
	var (
		found, leased, rebuilding, rebuildRow bool
		commit, prepare                       int64
		recorded                              *time.Time
		leaseOwner                            string
		leaseRate                             float64
		r                                     RebuildStatus
		rCommit, rPrepare                     int64
	)
	classid, objid := lockKeyParts(rebuildKey(p.Name()))
	err := m.pool.QueryRow(ctx, statusSQL, p.Name(), classid, objid).Scan(
		&found, &s.Generation, &s.Version, &commit, &prepare, &recorded, &s.LastError,
		&leaseOwner, &leased, &leaseRate, &s.DeadLetters, &rebuilding,
		&rebuildRow, &r.Generation, &r.Version, &r.Owner, &rCommit, &rPrepare, &r.Done, &r.Total,
		&r.Rate, &r.StartedAt, &r.UpdatedAt)
	if err != nil {
		return s, err
	}
	s.Position = fromDB(commit, prepare)
	if recorded != nil {
		s.LastRecorded = *recorded
	}
	if leased {
		s.Owner, s.Rate = leaseOwner, leaseRate
	}
	if rebuilding && rebuildRow {
		r.Position = fromDB(rCommit, rPrepare)
		s.Rebuild = &r
	}
	if found {
		if err := m.behind(ctx, &s); err != nil {
			return s, err
		}
	}
	if !found && rebuildRow && !rebuilding {
		s.LastError = "the first build stopped before it went live; see the logs of the process that ran it"
	}
	switch {
	case rebuilding:
		s.State = StateRebuilding
	case s.LastError != "":
		s.State = StateFailed
	case !found || !leased:
		s.State = StateStopped
	case s.Behind > int64(m.batchSize):
		s.State = StateCatchingUp
	default:
		s.State = StateLive
	}
	if s.State != StateFailed {
		s.LastError = ""
	}
	return s, nil
}

// behind counts the events between the checkpoint and the head, up to
// MaxCountedBehind, and sets the lag.
func (m *Manager) behind(ctx context.Context, s *Status) error {
	if !s.Position.Less(s.Head) {
		return nil
	}
	const page = 1000
	var first time.Time
	for from := s.Position; s.Behind < MaxCountedBehind; {
		events, err := m.store.ReadAll(ctx, from, page)
		if err != nil {
			return fmt.Errorf("count events behind: %w", err)
		}
		for _, e := range events {
			if s.Head.Less(e.Position) {
				break
			}
			if first.IsZero() {
				first = e.Recorded
			}
			s.Behind++
		}
		if len(events) < page || s.Head.Less(events[len(events)-1].Position) {
			break
		}
		from = events[len(events)-1].Position
	}
	if s.Behind >= MaxCountedBehind {
		s.Behind, s.BehindAtLeast = MaxCountedBehind, true
	}
	if s.Behind > 0 {
		since := s.LastRecorded
		if since.IsZero() {
			since = first
		}
		s.Lag = max(m.now().Sub(since), 0)
	}
	return nil
}
