package runner

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"

	"github.com/google/uuid"
	"golang.org/x/sync/errgroup"

	"github.com/orderflow/orderflow/eventstore"
	"github.com/orderflow/orderflow/projections"
	"github.com/orderflow/orderflow/sagas/fulfillment"
	"github.com/orderflow/orderflow/write/command"
	"github.com/orderflow/orderflow/write/domain"
	"github.com/orderflow/orderflow/write/order"
)

// IntakeName is the name of the saga's intake among the projections: its
// checkpoint, lease (projection/fulfillment_intake), dead letters and
// status.
const IntakeName = "fulfillment_intake"

// intakeNamespace scopes the ids of saga events derived from the order
// events that caused them: a duplicate delivery appends nothing new.
var intakeNamespace = uuid.MustParse("8d3b6f1a-4c2e-4f7d-9a5b-0e1c3d5f7a92")

// intake follows the order events on the projections runtime, as a
// consumer: a placed order starts a saga, a customer's cancellation asks a
// running one to compensate. The runtime gives it one owner by lease,
// batches, the checkpoint, dead letters and redrive, status and lag.
// The saga events it appends have ids derived from the order events, so a
// batch handled again (after a crash, by the next owner, by a retry event
// by event) appends nothing new; the sagas it wakes are marked due in
// sagas.active in the batch's transaction, with the checkpoint.
type intake struct{ r *Runner }

var _ projections.BatchApplier = intake{}

// Intake returns the saga's intake as a consumer of the projections
// runtime, for a projections.Manager that is to run it (see
// Config.IntakeElsewhere). Its Apply needs the runner's configuration,
// not its Run.
func (r *Runner) Intake() projections.Consumer { return intake{r} }

// Name implements projections.Projection.
func (intake) Name() string { return IntakeName }

// Version implements projections.Projection.
func (intake) Version() int { return 1 }

// Tables implements projections.Projection: the intake has none.
func (intake) Tables(string) []string { return nil }

// Views implements projections.Projection: the intake has none.
func (intake) Views() []string { return nil }

// Consumer marks the intake as a projections.Consumer.
func (intake) Consumer() {}

// Apply implements projections.Projection: it applies one order event to
// the sagas. An order event that cannot be decoded is refused (and parked
// as a dead letter); a failure of the event store or the database is
// retried.
func (in intake) Apply(ctx context.Context, w *projections.Writer, e eventstore.RecordedEvent) error {
	id, err := in.r.handle(ctx, e)
	if err != nil || id == "" {
		return err
	}
	in.wake(w, []string{id})
	return nil
}

// ApplyBatch implements projections.BatchApplier: sagas do not care in
// which order their events arrive (a duplicate or a shuffled delivery
// ends the same), so the events of a batch are handled concurrently, and
// an order placed and cancelled in one batch wakes its saga once.
func (in intake) ApplyBatch(ctx context.Context, w *projections.Writer, events []eventstore.RecordedEvent) error {
	woken := make([]string, len(events))
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(intakeConcurrency)
	for i, e := range events {
		g.Go(func() error {
			id, err := in.r.handle(gctx, e)
			woken[i] = id
			return err
		})
	}
	if err := g.Wait(); err != nil {
		return err
	}
	slices.Sort(woken)
	in.wake(w, slices.Compact(slices.DeleteFunc(woken, func(id string) bool { return id == "" })))
	return nil
}

// wake marks the sagas of orders ids due now in the batch's transaction,
// and asks this runner to drive those of its partitions at once (the
// others' owners find them in sagas.active).
func (in intake) wake(w *projections.Writer, ids []string) {
	if len(ids) == 0 {
		return
	}
	w.Exec(parkAllSQL, sagaName, ids, in.r.cfg.Now())
	for _, id := range ids {
		in.r.wake(id)
	}
}

// intakeConcurrency bounds the order events handled at once.
const intakeConcurrency = 16

// Handle applies one order event to the sagas: it returns the order whose
// saga should run now (and marks it due), or "" when the event means
// nothing to them. Handling the same event again, or events out of order,
// comes to the same end.
func (r *Runner) Handle(ctx context.Context, e eventstore.RecordedEvent) (string, error) {
	id, err := r.handle(ctx, e)
	if err != nil || id == "" {
		return id, err
	}
	return id, r.park(ctx, nil, id, r.cfg.Now())
}

// handle is Handle without marking the saga due. Its errors are marked
// projections.Retry, except that of an order event it cannot decode.
func (r *Runner) handle(ctx context.Context, e eventstore.RecordedEvent) (string, error) {
	if e.Type != order.TypePlaced && e.Type != order.TypeCancelled {
		return "", nil
	}
	ev, err := order.Decode(e.Type, e.Data)
	if err != nil {
		return "", fmt.Errorf("fulfillment: undecodable order event %s of %s at revision %d: %w", e.ID, e.Stream, e.Revision, err)
	}
	var (
		id  string
		out domain.Event
	)
	switch ev := ev.(type) {
	case order.Placed:
		id = ev.OrderID
		out = fulfillment.StartedFrom(ev, r.cfg.PaymentTimeout)
	case order.Cancelled:
		if !ev.ByCustomer {
			return "", nil // the saga's own compensation
		}
		id = orderID(e.Stream)
		s, err := command.Load(ctx, r.handler, sagas, id)
		if err != nil {
			return "", projections.Retry(err)
		}
		if s.Finished() {
			r.cfg.Logger.InfoContext(ctx, "fulfillment: cancellation after the saga finished, ignored", "order", id, "saga", s.Step(r.cfg.Now()))
			return "", nil
		}
		out = fulfillment.CancelRequestedFrom(ev)
	}
	data, err := json.Marshal(out)
	if err != nil {
		return "", err
	}
	_, err = r.cfg.Store.Append(ctx, fulfillment.StreamID(id), eventstore.Any, eventstore.EventData{
		ID:       uuid.NewSHA1(intakeNamespace, e.ID[:]),
		Type:     out.EventType(),
		Data:     data,
		Metadata: eventstore.Metadata{CorrelationID: e.Metadata.CorrelationID, CausationID: e.ID.String(), UserID: "fulfillment", TraceParent: e.Metadata.TraceParent, TraceState: e.Metadata.TraceState},
	})
	if err != nil {
		return "", projections.Retry(wrapf(err, "saga %s: record %s", id, out.EventType()))
	}
	return id, nil
}

// orderID is the id in an order stream's name.
func orderID(stream string) string { return stream[len(order.Category)+1:] }
