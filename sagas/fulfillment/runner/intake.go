package runner

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"golang.org/x/sync/errgroup"

	"github.com/orderflow/orderflow/eventstore"
	"github.com/orderflow/orderflow/platform/lease"
	"github.com/orderflow/orderflow/sagas/fulfillment"
	"github.com/orderflow/orderflow/write/command"
	"github.com/orderflow/orderflow/write/domain"
	"github.com/orderflow/orderflow/write/order"
)

// intakeNamespace scopes the ids of saga events derived from the order
// events that caused them: a duplicate delivery appends nothing new.
var intakeNamespace = uuid.MustParse("8d3b6f1a-4c2e-4f7d-9a5b-0e1c3d5f7a92")

// follow runs the intake whenever this runner owns the intake's lease,
// until ctx ends or the intake fails for another reason than losing it.
func (r *Runner) follow(ctx context.Context) error {
	for {
		t, err := r.keeper.await(ctx, intakeLease)
		if err != nil {
			return err
		}
		if !t.Enter() {
			continue
		}
		tctx, cancel := t.Bind(ctx)
		err = r.intake(tctx, t)
		cancel()
		t.Leave()
		switch {
		case ctx.Err() != nil:
			return ctx.Err()
		case errors.Is(err, ErrLeaseLost), t.Check() != nil:
			t.End()
			r.cfg.Logger.InfoContext(ctx, "fulfillment intake: lease lost", "owner", r.owner, "err", err)
		default:
			return err
		}
	}
}

// intake follows the order events from the saga's checkpoint, under the
// intake's lease t: a placed order starts a saga, a customer's
// cancellation asks a running one to compensate. The checkpoint is saved
// after each batch, only while t is current (the statement checks the
// lease row and locks it against a takeover until it commits, so the next
// owner reads every checkpoint this one saved); a batch handled again, after
// a crash or by the next owner, changes nothing, since the saga events it
// appends have ids derived from the order events.
func (r *Runner) intake(ctx context.Context, t *lease.Term) error {
	from, err := r.checkpoint(ctx)
	if err != nil {
		return err
	}
	sub, err := r.cfg.Store.Subscribe(ctx, eventstore.SubscribeOptions{Category: order.Category, From: from})
	if err != nil {
		return wrapf(err, "fulfillment intake")
	}
	defer sub.Close()
	for {
		events, err := sub.Next(ctx)
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			return wrapf(err, "fulfillment intake")
		}
		if err := t.Check(); err != nil {
			return wrapf(err, "fulfillment intake")
		}
		// Sagas do not care in which order their events arrive (a duplicate
		// or a shuffled delivery ends the same), so a batch is handled
		// concurrently.
		woken := make([]string, len(events))
		g, gctx := errgroup.WithContext(ctx)
		g.SetLimit(intakeConcurrency)
		for i, e := range events {
			g.Go(func() error {
				id, err := r.handle(gctx, e)
				woken[i] = id
				return err
			})
		}
		if err := g.Wait(); err != nil {
			return err
		}
		// An order placed and cancelled in one batch wakes its saga once.
		slices.Sort(woken)
		woken = slices.Compact(slices.DeleteFunc(woken, func(id string) bool { return id == "" }))
		if err := r.parkAll(ctx, woken, r.cfg.Now()); err != nil {
			return err
		}
		if err := r.saveCheckpoint(ctx, t, events[len(events)-1].Position); err != nil {
			return err
		}
		for _, id := range woken {
			r.wake(id)
		}
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

// handle is Handle without marking the saga due.
func (r *Runner) handle(ctx context.Context, e eventstore.RecordedEvent) (string, error) {
	if e.Type != order.TypePlaced && e.Type != order.TypeCancelled {
		return "", nil
	}
	ev, err := order.Decode(e.Type, e.Data)
	if err != nil {
		r.cfg.Logger.ErrorContext(ctx, "fulfillment: undecodable order event skipped", "stream", e.Stream, "revision", e.Revision, "err", err)
		return "", nil
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
			return "", err
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
		return "", wrapf(err, "saga %s: record %s", id, out.EventType())
	}
	return id, nil
}

// orderID is the id in an order stream's name.
func orderID(stream string) string { return stream[len(order.Category)+1:] }

// checkpoint returns where the intake left off.
func (r *Runner) checkpoint(ctx context.Context) (eventstore.Position, error) {
	var c, p int64
	err := r.cfg.Pool.QueryRow(ctx, `SELECT commit_pos, prepare_pos FROM sagas.checkpoints WHERE name = $1`, sagaName).Scan(&c, &p)
	if errors.Is(err, pgx.ErrNoRows) {
		return eventstore.Start, nil
	}
	if err != nil {
		return eventstore.Position{}, fmt.Errorf("read the fulfillment checkpoint: %w", err)
	}
	return eventstore.Position{Commit: uint64(c), Prepare: uint64(p)}, nil
}

// saveCheckpointSQL saves the intake's checkpoint if the intake's lease
// tenure ($4, $5, $6) is still current (lease.Fence). It locks the lease
// row until it commits: a takeover waits for it, so the next owner reads
// this checkpoint; a takeover that came first makes it save nothing.
var saveCheckpointSQL = `INSERT INTO sagas.checkpoints (name, commit_pos, prepare_pos) SELECT $1, $2, $3 WHERE ` + lease.Fence(4) + `
ON CONFLICT (name) DO UPDATE SET commit_pos = excluded.commit_pos, prepare_pos = excluded.prepare_pos, updated_at = now()`

// saveCheckpoint saves the intake's checkpoint under its lease t; it
// fails with ErrLeaseLost when t is no longer current.
func (r *Runner) saveCheckpoint(ctx context.Context, t *lease.Term, pos eventstore.Position) error {
	tag, err := r.fenced(ctx, t, saveCheckpointSQL, append([]any{sagaName, int64(pos.Commit), int64(pos.Prepare)}, t.Tenure().Args()...)...)
	if err == nil && tag.RowsAffected() == 0 {
		err = ErrLeaseLost
	}
	return wrapIf(err, "save the fulfillment checkpoint")
}
