package runner

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

	"github.com/orderflow/orderflow/platform/lease"
)

// ErrPartitionCount: another live runner of the saga hashes its instances
// into a different number of partitions. Both would drive the same sagas,
// so the runner refuses to run; changing the count needs every runner
// stopped first.
var ErrPartitionCount = errors.New("saga runners disagree on the partition count")

// keeper holds a runner's leases: every tick it says the runner is alive,
// renews the leases it holds, gives up those above its fair share of the
// partitions (ceil(partitions / live runners)), and takes free ones up to
// that share. It ticks at once, too, when its waker hears that one of the
// saga's leases was released, so that a runner stopping hands its
// partitions over without delay. It talks to the database on a connection
// of its own, so that a busy pool never delays a renewal.
type keeper struct {
	connConfig *pgx.ConnConfig
	leases     *lease.Holder
	waker      *lease.Waker // run by run: wakes it when a lease is released
	n          int
	every      time.Duration // tick interval
	tickFor    time.Duration // longest a tick may take: a term's length
	logger     *slog.Logger
	beforeTick func(ctx context.Context) // test hook: a stall here stalls the renewals

	names  []string        // of the partitions' leases, by partition
	byName map[string]int  // partition of a lease name
	conn   *pgx.Conn       // the keeper's goroutine's alone
	parent context.Context // of the terms: the runner's run

	mu       sync.Mutex
	terms    map[int]*lease.Term // held, by partition
	shedding []*lease.Term       // given up, released once their work has stopped
	fresh    []int               // partitions acquired since takeFresh
	changed  chan struct{}       // closed and replaced whenever terms change
}

// keeperApplication names the keeper's connection in pg_stat_activity.
const keeperApplication = "orderflow saga lease keeper"

func newKeeper(cfg Config, leases *lease.Holder) *keeper {
	k := &keeper{
		connConfig: cfg.Pool.Config().ConnConfig, leases: leases, n: cfg.Partitions,
		waker: lease.NewWaker(cfg.Pool.Config().ConnConfig, cfg.Logger),
		every: cfg.LeaseTTL / 5, tickFor: cfg.LeaseTTL - cfg.LeaseTTL/4, logger: cfg.Logger,
		byName: map[string]int{},
		terms:  map[int]*lease.Term{}, changed: make(chan struct{}),
	}
	for p := range cfg.Partitions {
		k.names = append(k.names, leaseName(p))
		k.byName[leaseName(p)] = p
	}
	return k
}

// partition returns the partition of the lease of t.
func (k *keeper) partition(t *lease.Term) int { return k.byName[t.Tenure().Name] }

// start connects and takes a first share of the leases; terms live within
// ctx. It fails when the runners disagree on the partition count.
func (k *keeper) start(ctx context.Context) error {
	k.parent = ctx
	err := k.tick(ctx)
	if errors.Is(err, ErrPartitionCount) || ctx.Err() != nil {
		_ = k.stop(ctx, true) // err says why
		return err
	}
	if err != nil {
		k.logger.WarnContext(ctx, "fulfillment leases", "err", err)
	}
	return nil
}

// run ticks until ctx ends, every k.every and whenever one of the saga's
// leases is released. It returns ctx's error, or ErrPartitionCount.
func (k *keeper) run(ctx context.Context) error {
	wakerCtx, stopWaker := context.WithCancel(ctx)
	wakerDone := make(chan struct{})
	go func() {
		defer close(wakerDone)
		if err := k.waker.Run(wakerCtx); err != nil {
			k.logger.WarnContext(ctx, "fulfillment: lease waker stopped; the keeper only polls", "err", err)
		}
	}()
	defer func() { stopWaker(); <-wakerDone }()
	released, unsubscribe := k.waker.Subscribe(func(name string) bool { _, ok := k.byName[name]; return ok })
	defer unsubscribe()
	t := time.NewTicker(k.every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-t.C:
		case <-released:
			t.Reset(k.every)
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
	ctx, cancel := context.WithTimeout(ctx, k.tickFor)
	defer cancel()
	conn, err := k.connect(ctx)
	if err != nil {
		return err
	}
	others, count, err := k.beat(ctx, conn)
	if err != nil {
		return err
	}
	if count != 0 {
		return fmt.Errorf("%w: this runner has %d partitions, another %d", ErrPartitionCount, k.n, count)
	}
	held := k.held(ctx)
	if len(held) > 0 {
		renewed, deadline, err := k.leases.Renew(ctx, conn, tenures(held)...)
		if err != nil {
			return err
		}
		k.renew(ctx, held, renewed, deadline)
	}
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
	cfg := k.connConfig.Copy()
	if cfg.RuntimeParams == nil {
		cfg.RuntimeParams = map[string]string{}
	}
	cfg.RuntimeParams["application_name"] = keeperApplication
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		return nil, wrapf(err, "connect the saga lease keeper")
	}
	k.conn = conn
	return conn, nil
}

// renew extends to deadline the terms held whose lease the round
// renewed, and ends the others: their lease was taken over, or their
// deadline passed first. A round that failed leaves the terms' deadlines
// as they were.
func (k *keeper) renew(ctx context.Context, held []*lease.Term, renewed map[string]bool, deadline time.Time) {
	for _, t := range held {
		switch {
		case !renewed[t.Tenure().Name]:
			k.logger.WarnContext(ctx, "fulfillment: lease taken over", "owner", k.leases.Owner(), "lease", k.partition(t), "epoch", t.Tenure().Epoch)
			k.drop(t)
		case !t.Extend(deadline):
			k.logger.WarnContext(ctx, "fulfillment: lease ran out before its renewal", "owner", k.leases.Owner(), "lease", k.partition(t), "epoch", t.Tenure().Epoch)
			k.drop(t)
		}
	}
}

// releaseShed releases the leases given up whose work has stopped, and
// forgets those whose deadline has passed meanwhile (they expire).
func (k *keeper) releaseShed(ctx context.Context, conn *pgx.Conn) error {
	k.mu.Lock()
	var done []*lease.Term
	k.shedding = slices.DeleteFunc(k.shedding, func(t *lease.Term) bool {
		switch {
		case t.Drained():
			done = append(done, t)
			return true
		case t.Expired():
			return true
		}
		return false
	})
	k.mu.Unlock()
	if len(done) == 0 {
		return nil
	}
	return k.leases.Release(ctx, conn, tenures(done)...)
}

// balance gives up the partitions above this runner's fair share among
// live runners, and takes free ones up to it.
func (k *keeper) balance(ctx context.Context, conn *pgx.Conn, live int) error {
	fair := (k.n + live - 1) / live
	k.mu.Lock()
	var owned []int
	for l := range k.terms {
		owned = append(owned, l)
	}
	slices.Sort(owned)
	if shed := owned[min(fair, len(owned)):]; len(shed) > 0 {
		k.logger.InfoContext(ctx, "fulfillment: giving partitions up", "owner", k.leases.Owner(), "partitions", shed, "runners", live)
	}
	for _, p := range owned[min(fair, len(owned)):] {
		t := k.terms[p]
		delete(k.terms, p)
		t.End()
		k.shedding = append(k.shedding, t)
		k.notifyLocked()
	}
	k.mu.Unlock()

	var want []int
	if missing := fair - len(owned); missing > 0 {
		free, err := k.leases.Free(ctx, conn, k.names...)
		if err != nil {
			return err
		}
		ps := make([]int, 0, len(free))
		for _, name := range free {
			if p := k.byName[name]; !k.busy(p) {
				ps = append(ps, p)
			}
		}
		rand.Shuffle(len(ps), func(i, j int) { ps[i], ps[j] = ps[j], ps[i] })
		want = append(want, ps[:min(missing, len(ps))]...)
	}
	if len(want) == 0 {
		return nil
	}
	slices.Sort(want)
	names := make([]string, len(want))
	for i, p := range want {
		names[i] = leaseName(p)
	}
	grants, err := k.leases.Acquire(ctx, conn, names...)
	if err != nil {
		return err
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	taken := make([]int, len(grants))
	for i, g := range grants {
		p := k.byName[g.Name]
		taken[i] = p
		k.terms[p] = lease.NewTerm(k.parent, g)
		k.fresh = append(k.fresh, p)
	}
	if len(grants) > 0 {
		k.logger.InfoContext(ctx, "fulfillment: leases taken", "owner", k.leases.Owner(), "leases", taken, "runners", live)
		k.notifyLocked()
	}
	return nil
}

// busy reports whether partition p is held or being given up.
func (k *keeper) busy(p int) bool {
	k.mu.Lock()
	defer k.mu.Unlock()
	if _, ok := k.terms[p]; ok {
		return true
	}
	return slices.ContainsFunc(k.shedding, func(t *lease.Term) bool { return k.partition(t) == p })
}

// held returns the terms held, dropping those that have ended.
func (k *keeper) held(ctx context.Context) []*lease.Term {
	k.mu.Lock()
	defer k.mu.Unlock()
	out := make([]*lease.Term, 0, len(k.terms))
	for l, t := range k.terms {
		if t.Context().Err() != nil {
			if t.Expired() {
				k.logger.WarnContext(ctx, "fulfillment: lease ran out before its renewal", "owner", k.leases.Owner(), "lease", l, "epoch", t.Tenure().Epoch)
			}
			delete(k.terms, l)
			t.End()
			k.notifyLocked()
			continue
		}
		out = append(out, t)
	}
	return out
}

// drop ends t and forgets it, if it is still held.
func (k *keeper) drop(t *lease.Term) {
	t.End()
	k.mu.Lock()
	defer k.mu.Unlock()
	if p := k.partition(t); k.terms[p] == t {
		delete(k.terms, p)
		k.notifyLocked()
	}
}

// notifyLocked wakes the waiters of await; k.mu is held.
func (k *keeper) notifyLocked() {
	close(k.changed)
	k.changed = make(chan struct{})
}

// term returns the valid term of partition p, or nil.
func (k *keeper) term(p int) *lease.Term {
	k.mu.Lock()
	defer k.mu.Unlock()
	if t := k.terms[p]; t != nil && t.Check() == nil {
		return t
	}
	return nil
}

// owned returns the partitions held with a valid term, in order.
func (k *keeper) owned() []int {
	k.mu.Lock()
	defer k.mu.Unlock()
	var out []int
	for l, t := range k.terms {
		if t.Check() == nil {
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

// stop ends every term and, when release is set, removes the runner's
// heartbeat and gives up every lease of the saga it holds in one
// transaction, so that the other runners, woken by the release, count this
// one gone and take over at once; then it closes the connection. Work under the terms must have
// stopped: nothing written under them may follow the release. It talks to
// the database on the keeper's own connection, not the pool's, or on a
// fresh one when that was closed (a tick cut off by the end of the run
// closes it), and returns what failed.
func (k *keeper) stop(ctx context.Context, release bool) error {
	k.mu.Lock()
	all := slices.Concat(slices.Collect(maps.Values(k.terms)), k.shedding)
	k.terms, k.shedding, k.fresh = map[int]*lease.Term{}, nil, nil
	k.notifyLocked()
	k.mu.Unlock()
	for _, t := range all {
		t.End()
	}
	if k.conn == nil {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 2*time.Second)
	defer cancel()
	conn := k.conn
	k.conn = nil
	if conn != nil {
		defer conn.Close(ctx)
	}
	if !release {
		return nil
	}
	leave := func(conn *pgx.Conn) error {
		return pgx.BeginFunc(ctx, conn, func(tx pgx.Tx) error {
			if _, err := tx.Exec(ctx, leaveSQL, sagaName, k.leases.Owner()); err != nil {
				return fmt.Errorf("leave the saga runners: %w", err)
			}
			// Every lease of the saga this owner holds, not only the terms
			// it knows of: a tick cut off by the end of the run may have
			// acquired one it never recorded, or forgotten one whose term
			// ended with the run, and those would stay live for a TTL.
			return k.leases.ReleaseOwned(ctx, tx, k.names...)
		})
	}
	if conn != nil && !conn.IsClosed() {
		// A connection lost unnoticed fails here, and is closed then.
		if err := leave(conn); err == nil || !conn.IsClosed() {
			return err
		}
	}
	fresh, err := k.connect(ctx)
	if err != nil {
		return err
	}
	k.conn = nil
	defer fresh.Close(ctx)
	return leave(fresh)
}
