package charts

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/orderflow/orderflow/platform/lease"
	"github.com/orderflow/orderflow/projections"
)

// LeaseName is the lease the recording process holds.
const LeaseName = "charts/recorder"

// RecorderConfig configures a Recorder.
type RecorderConfig struct {
	// Pool is the database of the samples, the leases and the payment
	// clients' reports. Required.
	Pool *pgxpool.Pool
	// Status reports on every projection (projections.Manager.Status).
	// Required.
	Status func(context.Context) ([]projections.Status, error)
	// Owner names this process in the lease; empty means instance.Name().
	Owner string
	// Step is how often a sample is taken; DefaultStep when zero. It is
	// a whole number of seconds.
	Step time.Duration
	// Retention is how long samples are kept; DefaultRetention when zero.
	Retention time.Duration
	// Logger receives the lease's comings and goings (info) and the
	// samples not recorded (warn); nil discards them.
	Logger *slog.Logger
	// OnSkip, when set, is called for every interval whose samples were
	// not all recorded.
	OnSkip func()
	// Now is the clock the intervals are read from; time.Now when nil.
	Now func() time.Time
}

// Recorder samples, once per step, the series no read model holds (see
// the package comment) into charts.samples, and prunes those older than
// the retention. Several processes may run one: only the holder of the
// lease LeaseName records, the others wait to take over. Create it with
// NewRecorder.
type Recorder struct {
	pool      *pgxpool.Pool
	status    func(context.Context) ([]projections.Status, error)
	holder    *lease.Holder
	step      time.Duration
	retention time.Duration
	logger    *slog.Logger
	onSkip    func()
	now       func() time.Time
}

// NewRecorder returns a Recorder of cfg, or an error when a required field
// is missing or Step is not a positive whole number of seconds.
func NewRecorder(cfg RecorderConfig) (*Recorder, error) {
	if cfg.Pool == nil || cfg.Status == nil {
		return nil, errors.New("charts recorder: Pool and Status are required")
	}
	step, err := checkStep(cfg.Step)
	if err != nil {
		return nil, err
	}
	retention := cmp.Or(cfg.Retention, DefaultRetention)
	if retention < step {
		return nil, fmt.Errorf("charts recorder: retention %s is shorter than the step %s", retention, step)
	}
	logger := cmp.Or(cfg.Logger, slog.New(slog.DiscardHandler))
	// Renewed by every sample: three steps leave room for a slow one.
	holder, err := lease.New(lease.Config{Owner: cfg.Owner, TTL: 3 * step, Logger: logger})
	if err != nil {
		return nil, fmt.Errorf("charts recorder: %w", err)
	}
	r := &Recorder{pool: cfg.Pool, status: cfg.Status, holder: holder, step: step, retention: retention,
		logger: logger, onSkip: cfg.OnSkip, now: cfg.Now}
	if r.onSkip == nil {
		r.onSkip = func() {}
	}
	if r.now == nil {
		r.now = time.Now
	}
	return r, nil
}

// checkStep returns step, DefaultStep when zero, or an error when it is
// not a positive whole number of seconds.
func checkStep(step time.Duration) (time.Duration, error) {
	step = cmp.Or(step, DefaultStep)
	if step < time.Second || step%time.Second != 0 {
		return 0, fmt.Errorf("charts: the step must be a whole number of seconds, at least 1s; got %s", step)
	}
	return step, nil
}

// Run waits for the lease, then records a sample at the start of every
// step (for the step just ended) while it holds it, until ctx ends; then
// it releases the lease and returns nil. A lease lost (another process
// took it after this one stalled) sends it back to waiting. A sample that
// cannot be recorded is a WARN line and OnSkip; the next step tries
// again.
func (r *Recorder) Run(ctx context.Context) error {
	for {
		g, err := r.holder.Await(ctx, r.pool, LeaseName, r.step)
		if err != nil {
			return nil // ctx ended
		}
		r.logger.InfoContext(ctx, "charts recorder: recording", "lease", LeaseName, "epoch", g.Epoch)
		err = r.hold(ctx, g.Tenure)
		release, cancel := context.WithTimeout(context.WithoutCancel(ctx), 2*time.Second)
		if rerr := r.holder.Release(release, r.pool, g.Tenure); rerr != nil {
			r.logger.WarnContext(ctx, "charts recorder: release the lease; another process takes over once it expires", "lease", LeaseName, "err", rerr)
		}
		cancel()
		if ctx.Err() != nil {
			return nil
		}
		r.logger.InfoContext(ctx, "charts recorder: lease lost; waiting to take it again", "lease", LeaseName, "err", err)
	}
}

// hold records a sample every step under tenure t until ctx ends (nil)
// or the lease is lost (an error matching lease.ErrLost).
func (r *Recorder) hold(ctx context.Context, t lease.Tenure) error {
	for {
		now := r.now()
		next := bucketOf(now, r.step).Add(r.step)
		// A little after the step's end, so that its calls are reported.
		wait := time.NewTimer(next.Sub(now) + r.step/10)
		select {
		case <-ctx.Done():
			wait.Stop()
			return nil
		case <-wait.C:
		}
		bucket := bucketOf(r.now(), r.step).Add(-r.step)
		err := r.Record(ctx, t, bucket)
		switch {
		case errors.Is(err, lease.ErrLost):
			return err
		case ctx.Err() != nil:
			return nil
		case err != nil:
			r.onSkip()
			r.logger.WarnContext(ctx, "charts recorder: the samples of an interval were not recorded; its points stay empty", "interval", bucket, "err", err)
		}
	}
}
