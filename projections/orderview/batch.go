package orderview

import (
	"context"
	"fmt"
	"time"

	"github.com/orderflow/orderflow/eventstore"
	"github.com/orderflow/orderflow/projections"
	"github.com/orderflow/orderflow/write/order"
)

var _ projections.BatchApplier = (*Projection)(nil)

// ApplyBatch implements projections.BatchApplier. It folds the events of
// each order in the batch into one row change: an order placed in the
// batch is inserted as its later events in the batch left it, with its
// lines; the orders placed before are updated once each, all in one
// statement that fails unless every one of them exists. The tables end as
// Apply, event by event, would leave them.
func (p *Projection) ApplyBatch(_ context.Context, w *projections.Writer, events []eventstore.RecordedEvent) error {
	var b batch
	for _, e := range events {
		if err := b.add(e); err != nil {
			return err
		}
	}
	b.queue(w.Exec, p.sql.get(w.Schema()))
	return nil
}

// change is what the events of one order in a batch do to its row. The
// fields the later events set follow the last of them, as they come in
// revision order.
type change struct {
	id       string
	placed   *order.Placed // set when the batch holds the placement
	revision int64
	updated  time.Time
	commit   int64
	prepare  int64
	u        update
}

// batch gathers the changes of a batch of events, in the order their
// orders first appear.
type batch struct {
	changes []*change
	byID    map[string]*change
}

// add folds event e into the batch, refusing it as Apply would.
func (b *batch) add(e eventstore.RecordedEvent) error {
	id, ev, err := decode(e)
	if ev == nil || err != nil {
		return err
	}
	if b.byID == nil {
		b.byID = make(map[string]*change)
	}
	c := b.byID[id]
	if placed, ok := ev.(order.Placed); ok {
		if err := checkPlaced(id, e, placed); err != nil {
			return err
		}
		if c != nil {
			return fmt.Errorf("order %s: placed twice in one batch", id)
		}
		c = &change{id: id, placed: &placed, u: update{status: order.StatusPending.String()}}
		b.byID[id] = c
		b.changes = append(b.changes, c)
	} else {
		if c == nil {
			c = &change{id: id, revision: -1}
			b.byID[id] = c
			b.changes = append(b.changes, c)
		}
		c.u.fold(ev)
	}
	c.revision = max(c.revision, int64(e.Revision))
	c.updated, c.commit, c.prepare = e.Recorded, int64(e.Position.Commit), int64(e.Position.Prepare)
	return nil
}

// queue queues the batch's statements: at most one insert of orders, one
// of lines and one update.
func (b *batch) queue(exec func(sql string, args ...any), sql *statements) {
	var ins inserts
	var upd updates
	for _, c := range b.changes {
		if c.placed != nil {
			ins.add(c)
		} else {
			upd.add(c)
		}
	}
	if len(ins.id) > 0 {
		exec(sql.insertOrders, ins.id, ins.customer, ins.status, ins.revision, ins.amount, ins.currency, ins.lineCount,
			ins.placedAt, ins.updated, ins.commit, ins.prepare, ins.confirmedAt, ins.paidAt, ins.shippedAt, ins.deliveredAt,
			ins.cancelledAt, ins.cancelReason, ins.trackingNumber, ins.channel)
		exec(sql.insertLines, ins.lineOrder, ins.lineNo, ins.sku, ins.quantity, ins.unitAmount, ins.unitCurrency)
	}
	if len(upd.id) > 0 {
		exec(sql.updateMany, upd.id, upd.revision, upd.status, upd.updated, upd.commit, upd.prepare,
			upd.confirmedAt, upd.paidAt, upd.shippedAt, upd.deliveredAt, upd.cancelledAt, upd.cancelReason, upd.trackingNumber,
			int64(len(upd.id)), "an order event of an order that was never placed")
	}
}

// columns are the columns a later order event may set, as arrays.
type columns struct {
	confirmedAt, paidAt, shippedAt, deliveredAt, cancelledAt []*time.Time
	cancelReason, trackingNumber                             []*string
}

func (c *columns) add(u update) {
	c.confirmedAt = append(c.confirmedAt, u.confirmedAt)
	c.paidAt = append(c.paidAt, u.paidAt)
	c.shippedAt = append(c.shippedAt, u.shippedAt)
	c.deliveredAt = append(c.deliveredAt, u.deliveredAt)
	c.cancelledAt = append(c.cancelledAt, u.cancelledAt)
	c.cancelReason = append(c.cancelReason, u.cancelReason)
	c.trackingNumber = append(c.trackingNumber, u.trackingNumber)
}

// inserts are the orders placed in the batch, as arrays.
type inserts struct {
	id, customer, status, currency []string
	channel                        []string
	revision, amount, commit       []int64
	prepare                        []int64
	lineCount                      []int32
	placedAt, updated              []time.Time
	columns

	lineOrder, sku, unitCurrency []string
	lineNo, quantity             []int32
	unitAmount                   []int64
}

func (s *inserts) add(c *change) {
	p := c.placed
	s.id = append(s.id, c.id)
	s.customer = append(s.customer, p.CustomerID)
	s.channel = append(s.channel, string(p.Channel))
	s.status = append(s.status, c.u.status)
	s.revision = append(s.revision, c.revision)
	s.amount = append(s.amount, p.Total.Amount)
	s.currency = append(s.currency, p.Total.Currency)
	s.lineCount = append(s.lineCount, int32(len(p.Lines)))
	s.placedAt = append(s.placedAt, p.PlacedAt)
	s.updated = append(s.updated, c.updated)
	s.commit = append(s.commit, c.commit)
	s.prepare = append(s.prepare, c.prepare)
	s.columns.add(c.u)
	for i, l := range p.Lines {
		s.lineOrder = append(s.lineOrder, c.id)
		s.lineNo = append(s.lineNo, int32(i))
		s.sku = append(s.sku, l.SKU)
		s.quantity = append(s.quantity, int32(l.Quantity))
		s.unitAmount = append(s.unitAmount, l.UnitPrice.Amount)
		s.unitCurrency = append(s.unitCurrency, l.UnitPrice.Currency)
	}
}

// updates are the orders placed before the batch, as arrays.
type updates struct {
	id, status       []string
	revision, commit []int64
	prepare          []int64
	updated          []time.Time
	columns
}

func (s *updates) add(c *change) {
	s.id = append(s.id, c.id)
	s.status = append(s.status, c.u.status)
	s.revision = append(s.revision, c.revision)
	s.updated = append(s.updated, c.updated)
	s.commit = append(s.commit, c.commit)
	s.prepare = append(s.prepare, c.prepare)
	s.columns.add(c.u)
}
