package readmodels_test

import (
	"context"
	"math/rand/v2"
	"sync/atomic"

	"github.com/orderflow/orderflow/eventstore"
	"github.com/orderflow/orderflow/projections"
	"github.com/orderflow/orderflow/projections/readmodels"
)

// reference is a read model under another name, ref_<name>, and without
// views: it builds the same tables beside the real one without touching
// what readers see.
type reference struct{ projections.Projection }

func (r reference) Name() string    { return "ref_" + r.Projection.Name() }
func (r reference) Views() []string { return []string{} }

// references returns every read model as a reference.
func references() []projections.Projection {
	var out []projections.Projection
	for _, p := range readmodels.All() {
		out = append(out, reference{p})
	}
	return out
}

// killable is a read model that, once armed, cuts its runner off in the
// middle of a batch now and then, as a crash would: it ends the context
// the runner runs under, so that nothing of the batch commits.
type killable struct {
	projections.Projection
	kill *atomic.Pointer[context.CancelFunc]
}

// killables returns every read model as a killable one, armed through kill.
func killables(kill *atomic.Pointer[context.CancelFunc]) []projections.Projection {
	var out []projections.Projection
	for _, p := range readmodels.All() {
		out = append(out, killable{Projection: p, kill: kill})
	}
	return out
}

func (k killable) Apply(ctx context.Context, w *projections.Writer, e eventstore.RecordedEvent) error {
	if cancel := k.kill.Load(); cancel != nil && rand.IntN(40) == 0 {
		(*cancel)()
	}
	return k.Projection.Apply(ctx, w, e)
}
