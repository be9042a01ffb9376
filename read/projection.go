package read

import (
	"context"
	"fmt"
	"strings"

	"github.com/orderflow/orderflow/projections"
)

// loadProjections reports on the projections; admins only.
func (rs *requestState) loadProjections(ctx context.Context) (*[]*projectionResolver, error) {
	if !rs.authenticated || !rs.principal.IsAdmin() {
		return nil, errForbidden
	}
	out := []*projectionResolver{}
	if rs.h.status == nil {
		return &out, nil
	}
	list, err := rs.h.status(ctx)
	if err != nil {
		return nil, fmt.Errorf("projection status: %w", err)
	}
	for i := range list {
		out = append(out, &projectionResolver{s: list[i]})
	}
	return &out, nil
}

// projectionResolver resolves the GraphQL type ProjectionStatus.
type projectionResolver struct{ s projections.Status }

// Name is the projection's name.
func (p *projectionResolver) Name() string { return p.s.Name }

// Consumer reports whether the projection is a consumer (no read model,
// not rebuildable).
func (p *projectionResolver) Consumer() bool { return p.s.Consumer }

// State is what the projection is doing, as an enum value (CATCHING_UP
// for "catching up").
func (p *projectionResolver) State() string {
	return strings.ToUpper(strings.ReplaceAll(string(p.s.State), " ", "_"))
}

// Position is the projection's checkpoint.
func (p *projectionResolver) Position() string { return p.s.Position.String() }

// Head is the position of the last event of the log.
func (p *projectionResolver) Head() string { return p.s.Head.String() }

// Behind counts the events after the checkpoint, up to a bound.
func (p *projectionResolver) Behind() int64Scalar { return int64Scalar(p.s.Behind) }

// BehindAtLeast reports whether Behind reached its bound.
func (p *projectionResolver) BehindAtLeast() bool { return p.s.BehindAtLeast }

// Lag is the lag in seconds.
func (p *projectionResolver) Lag() float64 { return p.s.Lag.Seconds() }

// Rate is the events per second applied recently.
func (p *projectionResolver) Rate() float64 { return p.s.Rate }

// DeadLetters counts the parked events of the live generation.
func (p *projectionResolver) DeadLetters() int64Scalar { return int64Scalar(p.s.DeadLetters) }

// Generation is the live generation.
func (p *projectionResolver) Generation() int32 { return int32(p.s.Generation) }

// Version is the code version that built the live generation.
func (p *projectionResolver) Version() int32 { return int32(p.s.Version) }

// CodeVersion is the code version this process runs.
func (p *projectionResolver) CodeVersion() int32 { return int32(p.s.CodeVersion) }

// Owner is who holds the lease, nil when nobody does.
func (p *projectionResolver) Owner() *string { return optString(p.s.Owner) }

// LastError is why the projection failed, while it is failed.
func (p *projectionResolver) LastError() *string { return optString(p.s.LastError) }

// Rebuild is the rebuild in progress, nil when there is none.
func (p *projectionResolver) Rebuild() *rebuildResolver {
	if p.s.Rebuild == nil {
		return nil
	}
	return &rebuildResolver{r: *p.s.Rebuild}
}

// rebuildResolver resolves the GraphQL type RebuildProgress.
type rebuildResolver struct{ r projections.RebuildStatus }

// Generation is the generation being built.
func (r *rebuildResolver) Generation() int32 { return int32(r.r.Generation) }

// Version is the code version building it.
func (r *rebuildResolver) Version() int32 { return int32(r.r.Version) }

// Position is how far the rebuild has replayed.
func (r *rebuildResolver) Position() string { return r.r.Position.String() }

// Done counts the events replayed.
func (r *rebuildResolver) Done() int64Scalar { return int64Scalar(r.r.Done) }

// Total counts the events to replay, 0 when unknown.
func (r *rebuildResolver) Total() int64Scalar { return int64Scalar(r.r.Total) }

// Rate is the events per second replayed.
func (r *rebuildResolver) Rate() float64 { return r.r.Rate }

// StartedAt is when the rebuild started.
func (r *rebuildResolver) StartedAt() timeScalar { return timeScalar(r.r.StartedAt) }

// UpdatedAt is when the rebuild last reported progress.
func (r *rebuildResolver) UpdatedAt() timeScalar { return timeScalar(r.r.UpdatedAt) }

func optString(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}
