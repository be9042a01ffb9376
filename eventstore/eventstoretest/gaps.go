package eventstoretest

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"time"

	"github.com/google/uuid"

	"github.com/orderflow/orderflow/eventstore"
)

// HeldAppender is implemented by stores (or test wrappers of them) that can
// hold an append's transaction open before it commits, and roll it back. The
// gap harness uses it to make transactions commit late and out of order,
// which is what makes a naive reader skip events.
type HeldAppender interface {
	// AppendHeld appends like Store.Append, then keeps the transaction open
	// for hold, then commits it, or rolls it back when rollback is true (and
	// returns an error wrapping ErrRolledBack).
	AppendHeld(ctx context.Context, stream string, expected eventstore.ExpectedRevision, hold time.Duration, rollback bool, events ...eventstore.EventData) (eventstore.AppendResult, error)
}

// ErrRolledBack is returned by AppendHeld for an append it rolled back.
var ErrRolledBack = errors.New("append rolled back on purpose")

// GapConfig sizes one run of the gap harness.
type GapConfig struct {
	// Writers is the number of concurrent writers.
	Writers int
	// Events is how many events the writers commit in all, at least.
	Events int
	// Streams is how many streams the writers pick from at random.
	Streams int
	// MaxHold is the longest a writer holds its transaction open.
	MaxHold time.Duration
	// RollbackRate is the share of appends rolled back on purpose.
	RollbackRate float64
	// BatchSize is the subscriber's batch size; keep it small.
	BatchSize int
}

// DefaultGapConfig is the size the contract suite runs.
var DefaultGapConfig = GapConfig{Writers: 16, Events: 20000, Streams: 500, MaxHold: 2 * time.Millisecond, RollbackRate: 0.05, BatchSize: 7}

// GapReport is what a run of the gap harness saw.
type GapReport struct {
	Committed  int // events whose append succeeded
	RolledBack int // events whose append was rolled back or failed
	Delivered  int // events the subscriber received, duplicates included
	Missing    int // committed events the subscriber never received
	Duplicates int // deliveries of an event already received
	Foreign    int // received events that were never committed
	OutOfOrder int // received events not in the store's global order
	Stored     int // events of the run the global log holds at the end
}

// OK reports whether the subscriber received every committed event exactly
// once, in global order, and nothing else.
func (r GapReport) OK() bool {
	return r.Missing == 0 && r.Duplicates == 0 && r.Foreign == 0 && r.OutOfOrder == 0 && r.Stored == r.Committed
}

// String summarises the report.
func (r GapReport) String() string {
	return fmt.Sprintf("committed %d, rolled back %d, stored %d, delivered %d: missing %d, duplicates %d, foreign %d, out of order %d",
		r.Committed, r.RolledBack, r.Stored, r.Delivered, r.Missing, r.Duplicates, r.Foreign, r.OutOfOrder)
}

// RunGaps runs concurrent writers against s while one subscriber reads the
// run's category throughout, then compares what the subscriber received
// with what the writers committed and with the store's global order.
func RunGaps(ctx context.Context, s eventstore.Store, cfg GapConfig) (GapReport, error) {
	category := NewCategory()
	sub, err := s.Subscribe(ctx, eventstore.SubscribeOptions{Category: category, BatchSize: cfg.BatchSize})
	if err != nil {
		return GapReport{}, err
	}
	defer sub.Close()

	var (
		mu         sync.Mutex
		committed  = map[uuid.UUID]bool{}
		rolledBack int
		total      atomic.Int64
	)
	writers := make(chan error, cfg.Writers)
	for w := range cfg.Writers {
		go func() {
			rng := rand.New(rand.NewPCG(uint64(w), uint64(time.Now().UnixNano())))
			for total.Load() < int64(cfg.Events) {
				batch := Events("gap", 0, 1+rng.IntN(3))
				stream := fmt.Sprintf("%s-%d", category, rng.IntN(cfg.Streams))
				ok, err := appendOnce(ctx, s, stream, batch, rng, cfg)
				if err != nil {
					writers <- err
					return
				}
				mu.Lock()
				for _, e := range batch {
					if ok {
						committed[e.ID] = true
					} else {
						rolledBack++
					}
				}
				mu.Unlock()
				if ok {
					total.Add(int64(len(batch)))
				}
			}
			writers <- nil
		}()
	}

	var delivered []eventstore.RecordedEvent
	readErr := make(chan error, 1)
	writersDone := make(chan struct{})
	go func() {
		finished := false
		for {
			// Wait in short steps, so the end of the writers is noticed even
			// by a subscriber that already has everything.
			wait, cancel := context.WithTimeout(ctx, 2*time.Second)
			events, err := sub.Next(wait)
			cancel()
			if errors.Is(err, context.DeadlineExceeded) && ctx.Err() == nil {
				if finished {
					readErr <- nil // quiet for two seconds after the writers finished
					return
				}
				select {
				case <-writersDone:
					finished = true
				default:
				}
				continue
			}
			if err != nil {
				readErr <- err
				return
			}
			delivered = append(delivered, events...)
		}
	}()
	for range cfg.Writers {
		if err := <-writers; err != nil {
			return GapReport{}, fmt.Errorf("writer: %w", err)
		}
	}
	close(writersDone)
	if err := <-readErr; err != nil {
		return GapReport{}, fmt.Errorf("subscriber: %w", err)
	}

	stored, err := readCategory(ctx, s, category)
	if err != nil {
		return GapReport{}, fmt.Errorf("read the global log: %w", err)
	}
	return compare(committed, rolledBack, stored, delivered), nil
}

// appendOnce makes one writer append, held and maybe rolled back where the
// store allows it. It reports whether the events were committed.
func appendOnce(ctx context.Context, s eventstore.Store, stream string, batch []eventstore.EventData, rng *rand.Rand, cfg GapConfig) (bool, error) {
	hold := time.Duration(rng.Int64N(int64(cfg.MaxHold) + 1))
	var err error
	if h, ok := s.(HeldAppender); ok {
		_, err = h.AppendHeld(ctx, stream, eventstore.Any, hold, rng.Float64() < cfg.RollbackRate, batch...)
	} else {
		_, err = s.Append(ctx, stream, eventstore.Any, batch...)
		time.Sleep(hold)
	}
	var conflict *eventstore.ConflictError
	switch {
	case err == nil:
		return true, nil
	case errors.Is(err, ErrRolledBack), errors.As(err, &conflict):
		return false, nil
	default:
		return false, err
	}
}

func compare(committed map[uuid.UUID]bool, rolledBack int, stored, delivered []eventstore.RecordedEvent) GapReport {
	r := GapReport{Committed: len(committed), RolledBack: rolledBack, Stored: len(stored), Delivered: len(delivered)}
	order := make(map[uuid.UUID]int, len(stored))
	for i, e := range stored {
		order[e.ID] = i
	}
	seen := make(map[uuid.UUID]bool, len(delivered))
	last := -1
	for _, e := range delivered {
		if seen[e.ID] {
			r.Duplicates++
			continue
		}
		seen[e.ID] = true
		i, ok := order[e.ID]
		if !ok || !committed[e.ID] {
			r.Foreign++
			continue
		}
		if i < last {
			r.OutOfOrder++
		}
		last = max(last, i)
	}
	for id := range committed {
		if !seen[id] {
			r.Missing++
		}
	}
	return r
}
