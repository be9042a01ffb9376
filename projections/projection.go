package projections

import (
	"context"
	"fmt"
	"regexp"

	"github.com/orderflow/orderflow/eventstore"
)

// Projection is one read model: how its tables look and how each event
// changes them. The runtime (Manager) decides where the tables live, when
// events are applied, and in which transaction.
//
// A Projection must be safe for concurrent use: the live runner, a rebuild
// and a redrive may call Apply at the same time, each with its own Writer.
type Projection interface {
	// Name identifies the projection, e.g. "orders": 1 to 40 lowercase
	// letters, digits and underscores, starting with a letter. It names the
	// checkpoint, the lease and the generation schemas (proj_orders_3).
	Name() string

	// Version is the version of the projection's code, at least 1. Bump it
	// whenever Tables or Apply change what the read model contains: a
	// Manager that finds the live generation built by an older version
	// rebuilds it, without downtime, when it starts.
	Version() int

	// Tables returns the DDL statements that create the projection's tables
	// (and indexes) inside schema, an already quoted identifier to use as
	// the qualifier: fmt.Sprintf("CREATE TABLE %s.orders (...)", schema).
	// They run in order, in one transaction, on an empty schema.
	//
	// A rebuild loads the tables unlogged and without the indexes that back
	// no constraint, and builds those indexes in bulk once it has caught up
	// (see bulkload.go): Apply may rely on primary keys and unique
	// constraints, never on the other indexes, which are for readers.
	Tables(schema string) []string

	// Views names the tables readers see. Each becomes the view
	// readmodel.<table>, selecting every column of the live generation's
	// table of that name. Names follow the rules of Name (up to 63
	// characters) and must be unique across all registered projections.
	Views() []string

	// Apply applies one event to the tables of w.Schema() by queueing
	// statements on w; it may also query them through w. Events arrive in
	// global order, each at most once per generation. Apply must ignore
	// event types it has no use for.
	//
	// An error (or a panic) refuses the event: it is parked as a dead letter
	// with the error as reason, and none of its statements take effect.
	// Errors that are about the database rather than the event (the
	// context ended, the connection failed) stop the runner instead; see
	// the package documentation.
	Apply(ctx context.Context, w *Writer, e eventstore.RecordedEvent) error
}

// nameRE is what a projection or view name looks like: a lowercase SQL
// identifier that needs no quoting.
var nameRE = regexp.MustCompile(`^[a-z][a-z0-9_]*$`)

const (
	maxNameLength = 40 // proj_<name>_<generation> must fit PostgreSQL's 63 bytes
	maxViewLength = 63
)

// validate checks the rules of the Projection contract that do not need a
// database.
func validate(p Projection) error {
	name := p.Name()
	if !nameRE.MatchString(name) || len(name) > maxNameLength {
		return fmt.Errorf("%w: name %q must be 1 to %d lowercase letters, digits and _, starting with a letter", ErrInvalidProjection, name, maxNameLength)
	}
	if p.Version() < 1 {
		return fmt.Errorf("%w: %s: version %d must be at least 1", ErrInvalidProjection, name, p.Version())
	}
	seen := make(map[string]bool)
	for _, v := range p.Views() {
		if !nameRE.MatchString(v) || len(v) > maxViewLength {
			return fmt.Errorf("%w: %s: view %q must be 1 to %d lowercase letters, digits and _, starting with a letter", ErrInvalidProjection, name, v, maxViewLength)
		}
		if seen[v] {
			return fmt.Errorf("%w: %s: view %q listed twice", ErrInvalidProjection, name, v)
		}
		seen[v] = true
	}
	return nil
}
