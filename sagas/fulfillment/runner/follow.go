package runner

import (
	"context"

	"github.com/orderflow/orderflow/projections"
)

// follow runs the intake on a projections.Manager of its own until ctx
// ends; it returns the error of releasing the intake's lease, if that
// failed.
func (r *Runner) follow(ctx context.Context) error {
	m, err := projections.New(projections.Config{
		Pool: r.cfg.Pool, Store: r.cfg.Store, Projections: []projections.Projection{r.Intake()},
		Logger: r.cfg.Logger, Owner: r.owner, LeaseTTL: r.cfg.LeaseTTL,
	})
	if err != nil {
		return wrapf(err, "fulfillment intake")
	}
	return m.Run(ctx)
}
