package fulfillment

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"math/rand/v2"
	"slices"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
)

// ErrPartitionCount: another live runner of the saga hashes its instances
// into a different number of partitions. Both would drive the same sagas,
// so the runner refuses to run; changing the count needs every runner
// stopped first.
var ErrPartitionCount = errors.New("saga runners disagree on the partition count")

// keeper holds a runner's leases: every tick it says the runner is alive,
// renews the leases it holds, gives up those above its fair share of the
// partitions (ceil(partitions / live runners)), takes free ones up to that
// share, and takes the intake's lease when it is free. It talks to the
// database on a connection of its own, so that a busy pool never delays a
// renewal.
type keeper struct {
	connConfig *pgx.ConnConfig
	saga       string
	owner      string
	n          int
	ttl        time.Duration
	every      time.Duration // tick interval
	margin     time.Duration // how much sooner than the database a term ends
	logger     *slog.Logger
	beforeTick func(ctx context.Context) // test hook: a stall here stalls the renewals

	conn   *pgx.Conn       // the keeper's goroutine's alone
	parent context.Context // of the terms: the runner's run

	mu       sync.Mutex
	terms    map[int]*term // held, by lease
	shedding []*term       // given up, released once their work has stopped
	fresh    []int         // partitions acquired since takeFresh
	changed  chan struct{} // closed and replaced whenever terms change
}

func newKeeper(cfg Config, owner string) *keeper {
	return &keeper{
		connConfig: cfg.Pool.Config().ConnConfig, saga: sagaName, owner: owner, n: cfg.Partitions,
		ttl: cfg.LeaseTTL, every: cfg.LeaseTTL / 5, margin: cfg.LeaseTTL / 4, logger: cfg.Logger,
		terms: map[int]*term{}, changed: make(chan struct{}),
	}
}

// start connects and takes a first share of the leases; terms live within
// ctx. It fails when the runners disagree on the partition count.
func (k *keeper) start(ctx context.Context) error {
	k.parent = ctx
	err := k.tick(ctx)
	if errors.Is(err, ErrPartitionCount) || ctx.Err() != nil {
		k.stop(ctx, true)
		return err
	}
	if err != nil {
		k.logger.WarnContext(ctx, "fulfillment leases", "err", err)
	}
	return nil
}

// run ticks until ctx ends. It returns ctx's error, or ErrPartitionCount.
func (k *keeper) run(ctx context.Context) error {
	t := time.NewTicker(k.every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-t.C:
		}
		err := k.tick(ctx)
		switch {
		case err == nil, ctx.Err() != nil:
		case errors.Is(err, ErrPartitionCount):
			return err
		default:
			k.logger.WarnContext(ctx, "fulfillment leases", "err", err)
		}
	}
}

// tick does one round of the keeper's work.
func (k *keeper) tick(ctx context.Context) error {
	if k.beforeTick != nil {
		k.beforeTick(ctx)
	}
	// A tick that takes longer than a term can last is of no use.
	ctx, cancel := context.WithTimeout(ctx, k.ttl-k.margin)
	defer cancel()
	conn, err := k.connect(ctx)
	if err != nil {
		return err
	}
	held := k.held(ctx)
	sent := time.Now()
	others, count, renewed, err := k.beat(ctx, conn, held)
	if err != nil {
		return err
	}
	if count != 0 {
		return fmt.Errorf("%w: this runner has %d partitions, another %d", ErrPartitionCount, k.n, count)
	}
	k.renew(ctx, held, renewed, sent)
	if err := k.releaseShed(ctx, conn); err != nil {
		return err
	}
	return k.balance(ctx, conn, others+1)
}

// connect returns the keeper's connection, opening it if need be.
func (k *keeper) connect(ctx context.Context) (*pgx.Conn, error) {
	if k.conn != nil && !k.conn.IsClosed() {
		return k.conn, nil
	}
	conn, err := pgx.ConnectConfig(ctx, k.connConfig.Copy())
	if err != nil {
		return nil, wrapf(err, "connect the saga lease keeper")
	}
	k.conn = conn
	return conn, nil
}

// renew extends the terms held whose lease the round sent at sent
// renewed, and ends the others: their lease was taken over, or their
// deadline passed first. A round that failed leaves the terms' deadlines
// as they were.
func (k *keeper) renew(ctx context.Context, held []*term, renewed map[int]bool, sent time.Time) {
	for _, t := range held {
		switch {
		case !renewed[t.lease]:
			k.logger.WarnContext(ctx, "fulfillment: lease taken over", "owner", k.owner, "lease", t.lease, "epoch", t.epoch)
			k.drop(t)
		case !t.extend(sent.Add(k.ttl - k.margin)):
			k.logger.WarnContext(ctx, "fulfillment: lease ran out before its renewal", "owner", k.owner, "lease", t.lease, "epoch", t.epoch)
			k.drop(t)
		}
	}
}

// releaseShed releases the leases given up whose work has stopped, and
// forgets those whose deadline has passed meanwhile (they expire).
func (k *keeper) releaseShed(ctx context.Context, conn *pgx.Conn) error {
	k.mu.Lock()
	var done []*term
	k.shedding = slices.DeleteFunc(k.shedding, func(t *term) bool {
		switch {
		case t.drained():
			done = append(done, t)
			return true
		case t.expired():
			return true
		}
		return false
	})
	k.mu.Unlock()
	if len(done) == 0 {
		return nil
	}
	return k.releaseTerms(ctx, conn, done)
}

// balance gives up the partitions above this runner's fair share among
// live runners, and takes free ones up to it; and takes the intake if it
// is free.
func (k *keeper) balance(ctx context.Context, conn *pgx.Conn, live int) error {
	fair := (k.n + live - 1) / live
	k.mu.Lock()
	var owned []int
	for l := range k.terms {
		if l != intakeLease {
			owned = append(owned, l)
		}
	}
	slices.Sort(owned)
	if shed := owned[min(fair, len(owned)):]; len(shed) > 0 {
		k.logger.InfoContext(ctx, "fulfillment: giving partitions up", "owner", k.owner, "partitions", shed, "runners", live)
	}
	for _, p := range owned[min(fair, len(owned)):] {
		t := k.terms[p]
		delete(k.terms, p)
		t.end()
		k.shedding = append(k.shedding, t)
		k.notifyLocked()
	}
	var want []int
	if _, ok := k.terms[intakeLease]; !ok {
		want = append(want, intakeLease)
	}
	k.mu.Unlock()

	if missing := fair - len(owned); missing > 0 {
		free, err := k.free(ctx, conn)
		if err != nil {
			return err
		}
		free = slices.DeleteFunc(free, k.busy)
		rand.Shuffle(len(free), func(i, j int) { free[i], free[j] = free[j], free[i] })
		want = append(want, free[:min(missing, len(free))]...)
	}
	if len(want) == 0 {
		return nil
	}
	slices.Sort(want)
	sent := time.Now()
	grants, err := k.take(ctx, conn, want)
	if err != nil {
		return err
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	for _, g := range grants {
		k.terms[g.lease] = newTerm(k.parent, g.lease, g.epoch, sent.Add(k.ttl-k.margin))
		if g.lease != intakeLease {
			k.fresh = append(k.fresh, g.lease)
		}
	}
	if len(grants) > 0 {
		k.logger.InfoContext(ctx, "fulfillment: leases taken", "owner", k.owner, "leases", grants, "runners", live)
		k.notifyLocked()
	}
	return nil
}

// busy reports whether lease is held or being given up.
func (k *keeper) busy(lease int) bool {
	k.mu.Lock()
	defer k.mu.Unlock()
	if _, ok := k.terms[lease]; ok {
		return true
	}
	return slices.ContainsFunc(k.shedding, func(t *term) bool { return t.lease == lease })
}

// held returns the terms held, dropping those that have ended.
func (k *keeper) held(ctx context.Context) []*term {
	k.mu.Lock()
	defer k.mu.Unlock()
	out := make([]*term, 0, len(k.terms))
	for l, t := range k.terms {
		if t.ctx.Err() != nil {
			if t.expired() {
				k.logger.WarnContext(ctx, "fulfillment: lease ran out before its renewal", "owner", k.owner, "lease", t.lease, "epoch", t.epoch)
			}
			delete(k.terms, l)
			t.end()
			k.notifyLocked()
			continue
		}
		out = append(out, t)
	}
	return out
}

// drop ends t and forgets it, if it is still held.
func (k *keeper) drop(t *term) {
	t.end()
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.terms[t.lease] == t {
		delete(k.terms, t.lease)
		k.notifyLocked()
	}
}

// notifyLocked wakes the waiters of await; k.mu is held.
func (k *keeper) notifyLocked() {
	close(k.changed)
	k.changed = make(chan struct{})
}

// term returns the valid term of lease, or nil.
func (k *keeper) term(lease int) *term {
	k.mu.Lock()
	defer k.mu.Unlock()
	if t := k.terms[lease]; t != nil && t.check() == nil {
		return t
	}
	return nil
}

// await returns the term of lease once this runner holds it, or ctx's
// error.
func (k *keeper) await(ctx context.Context, lease int) (*term, error) {
	for {
		k.mu.Lock()
		t, changed := k.terms[lease], k.changed
		k.mu.Unlock()
		if t != nil && t.check() == nil {
			return t, nil
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-changed:
		case <-time.After(k.every): // a term that ended by its deadline
		}
	}
}

// owned returns the partitions held with a valid term, in order.
func (k *keeper) owned() []int {
	k.mu.Lock()
	defer k.mu.Unlock()
	var out []int
	for l, t := range k.terms {
		if l != intakeLease && t.check() == nil {
			out = append(out, l)
		}
	}
	slices.Sort(out)
	return out
}

// takeFresh returns the partitions acquired since it was last called.
func (k *keeper) takeFresh() []int {
	k.mu.Lock()
	defer k.mu.Unlock()
	out := k.fresh
	k.fresh = nil
	return out
}

// stop ends every term and, when release is set, gives their leases up
// and removes the runner's heartbeat, so that the other runners take over
// at once; then it closes the connection. Work under the terms must have
// stopped: nothing written under them may follow the release.
func (k *keeper) stop(ctx context.Context, release bool) {
	k.mu.Lock()
	all := slices.Concat(slices.Collect(maps.Values(k.terms)), k.shedding)
	k.terms, k.shedding, k.fresh = map[int]*term{}, nil, nil
	k.notifyLocked()
	k.mu.Unlock()
	for _, t := range all {
		t.end()
	}
	if k.conn == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 2*time.Second)
	defer cancel()
	conn := k.conn
	k.conn = nil
	defer conn.Close(ctx)
	if !release || conn.IsClosed() {
		return
	}
	if len(all) > 0 {
		if err := k.releaseTerms(ctx, conn, all); err != nil {
			k.logger.WarnContext(ctx, "fulfillment leases: release", "err", err)
		}
	}
	if _, err := conn.Exec(ctx, leaveSQL, k.saga, k.owner); err != nil {
		k.logger.WarnContext(ctx, "fulfillment leases: leave", "err", err)
	}
}
