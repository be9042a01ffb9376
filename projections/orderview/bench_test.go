package orderview

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/orderflow/orderflow/eventstore"
	"github.com/orderflow/orderflow/platform/benchtest"
	"github.com/orderflow/orderflow/projections"
	"github.com/orderflow/orderflow/projections/readmodels/readmodelstest"
	"github.com/orderflow/orderflow/write/money"
	"github.com/orderflow/orderflow/write/order"
)

var benchSizes = flag.String("orderview.events", "200000,1000000", "comma-separated sizes of the log BenchmarkRebuildOrders rebuilds, in events")

// BenchmarkRebuildOrders rebuilds the orders read model from a log of
// order events (see orderLog) of each size of -orderview.events, through
// the projection runtime (impl=store) and against a baseline that does the
// same work with plain pgx (impl=raw): a keyset scan of the log in pages
// of the rebuild's batch size, each page decoded and applied with the
// projection's own statements in one batch, in one transaction that does
// not wait for the disk. The log grows from one size to the next.
func BenchmarkRebuildOrders(b *testing.B) {
	var sizes []int
	for _, s := range strings.Split(*benchSizes, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil || n <= 0 {
			b.Fatalf("-orderview.events: %q is not a size", s)
		}
		sizes = append(sizes, n)
	}
	e := readmodelstest.New(b)
	ctx := context.Background()
	log := newOrderLog(1)
	filled := 0
	for _, n := range sizes {
		if n < filled {
			b.Fatalf("-orderview.events: sizes must grow, %d after %d", n, filled)
		}
		benchtest.FillLog(b, e.URL, n-filled, log.event)
		filled = n
		const batch = projections.DefaultRebuildBatch

		b.Run(fmt.Sprintf("events=%d/impl=store", n), func(b *testing.B) {
			m := e.ManagerWith(projections.Config{Owner: "bench", Projections: []projections.Projection{New()},
				RebuildBatchSize: batch, LeaseTTL: projections.DefaultLeaseTTL})
			heap := benchtest.SampleHeap()
			b.ResetTimer()
			for range b.N {
				res, err := m.Rebuild(ctx, Name, nil)
				if err != nil {
					b.Fatal(err)
				}
				if res.Events != int64(n) || res.Parked != 0 {
					b.Fatalf("rebuilt %d events, %d parked; want %d, none parked", res.Events, res.Parked, n)
				}
			}
			b.StopTimer()
			b.ReportMetric(heap.PeakMB(), "peak-heap-MB")
			b.ReportMetric(float64(b.N*n)/b.Elapsed().Seconds(), "events/s")
			var orders int
			if err := e.Pool.QueryRow(ctx, `SELECT count(*) FROM readmodel.orders`).Scan(&orders); err != nil || orders != log.placed(n) {
				b.Fatalf("%d orders (%v), want %d", orders, err, log.placed(n))
			}
		})

		b.Run(fmt.Sprintf("events=%d/impl=raw", n), func(b *testing.B) {
			if _, err := e.Pool.Exec(ctx, "DROP SCHEMA IF EXISTS raw CASCADE; CREATE SCHEMA raw"); err != nil {
				b.Fatal(err)
			}
			for _, ddl := range New().Tables("raw") {
				if _, err := e.Pool.Exec(ctx, ddl); err != nil {
					b.Fatal(err)
				}
			}
			sql := newStatements("raw")
			heap := benchtest.SampleHeap()
			b.ResetTimer()
			for range b.N {
				if _, err := e.Pool.Exec(ctx, "TRUNCATE raw.orders, raw.order_lines"); err != nil {
					b.Fatal(err)
				}
				var after eventstore.Position
				for got := 0; got < n; {
					events, err := benchtest.RawPage(ctx, e.Pool, after, batch)
					if err != nil {
						b.Fatal(err)
					}
					if err := rawApply(ctx, e.Pool, sql, events); err != nil {
						b.Fatal(err)
					}
					got += len(events)
					after = events[len(events)-1].Position
				}
			}
			b.StopTimer()
			b.ReportMetric(heap.PeakMB(), "peak-heap-MB")
			b.ReportMetric(float64(b.N*n)/b.Elapsed().Seconds(), "events/s")
			var orders int
			if err := e.Pool.QueryRow(ctx, `SELECT count(*) FROM raw.orders`).Scan(&orders); err != nil || orders != log.placed(n) {
				b.Fatalf("%d orders (%v), want %d", orders, err, log.placed(n))
			}
		})
	}
}

// rawApply is the baseline's write: one transaction per page, the
// projection's statements for its events sent in one batch.
func rawApply(ctx context.Context, pool *pgxpool.Pool, sql *statements, events []eventstore.RecordedEvent) error {
	tx, err := pool.Begin(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback(ctx)
	var batch pgx.Batch
	batch.Queue(`SELECT set_config('synchronous_commit', 'off', true)`)
	queue := func(sql string, args ...any) { batch.Queue(sql, args...) }
	for _, e := range events {
		if err := apply(queue, sql, e); err != nil {
			return err
		}
	}
	if err := tx.SendBatch(ctx, &batch).Close(); err != nil {
		return err
	}
	return tx.Commit(ctx)
}

// orderLog writes the events of orders as a busy shop's log holds them:
// 2,000 orders open at a time, each going its way one event at a time in
// an order a seeded random source picks. An order is placed with 1 to 3
// lines, then confirmed, paid, shipped (with a tracking number) and
// delivered; one in ten is cancelled by its customer while pending, and
// one in twenty by the system once paid.
type orderLog struct {
	rng     *rand.Rand
	open    []*benchOrder
	started int
	emitted int
	// placedAt[i] counts the orders placed among the first i+1 events.
	placedBy []int32
	meta     []byte
	t0       time.Time
}

// benchOrder is an order of orderLog and the events it has left.
type benchOrder struct {
	id       string
	customer string
	lines    []order.Line
	total    money.Money
	events   []string // types still to come
	revision int64
}

func newOrderLog(seed uint64) *orderLog {
	l := &orderLog{
		rng: rand.New(rand.NewPCG(seed, seed)),
		meta: eventstore.MarshalMetadata(eventstore.Metadata{
			CorrelationID: "6a1f0c3e-2b7d-4e9a-8c5f-1d3b7e9a2c4f", CausationID: "0b9e8d7c-6a5f-4e3d-2c1b-0a9f8e7d6c5b",
			UserID: "customer-42", TraceParent: "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
		}),
		t0: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC),
	}
	for range 2000 {
		l.open = append(l.open, l.newOrder())
	}
	return l
}

// newOrder starts an order: its lines and the events it will have.
func (l *orderLog) newOrder() *benchOrder {
	l.started++
	o := &benchOrder{id: fmt.Sprintf("%08x-5c1e-4b7a-9d2f-%012x", l.rng.Uint32(), l.started), customer: fmt.Sprintf("customer-%d", l.rng.IntN(50_000))}
	o.total = money.Money{Currency: "EUR"}
	for n := 1 + l.rng.IntN(3); len(o.lines) < n; {
		line := order.Line{SKU: fmt.Sprintf("SKU-%04d", l.rng.IntN(5000)), Quantity: 1 + l.rng.IntN(4),
			UnitPrice: money.Money{Amount: 199 + int64(l.rng.IntN(20_000)), Currency: "EUR"}}
		o.lines = append(o.lines, line)
		o.total.Amount += line.UnitPrice.Amount * int64(line.Quantity)
	}
	switch r := l.rng.IntN(20); {
	case r < 2:
		o.events = []string{order.TypePlaced, order.TypeCancelled}
	case r < 3:
		o.events = []string{order.TypePlaced, order.TypeConfirmed, order.TypePaid, order.TypeCancelled}
	default:
		o.events = []string{order.TypePlaced, order.TypeConfirmed, order.TypePaid, order.TypeShipped, order.TypeDelivered}
	}
	return o
}

// event is a benchtest.Event: the next event of an open order picked at
// random. It ignores i: the log goes on where the last call left it.
func (l *orderLog) event(int) (stream, category string, revision int64, typ string, data, metadata []byte) {
	k := l.rng.IntN(len(l.open))
	o := l.open[k]
	typ, o.events = o.events[0], o.events[1:]
	at := l.t0.Add(time.Duration(l.emitted) * time.Second)
	var ev any
	switch typ {
	case order.TypePlaced:
		ev = order.Placed{V: order.PlacedVersion, OrderID: o.id, CustomerID: o.customer, Lines: o.lines, Total: o.total,
			ShippingAddress: order.Address{Name: "A. Buyer", Line1: "1 Main St", City: "Berlin", PostalCode: "10115", Country: "DE"}, Channel: order.ChannelWeb, PlacedAt: at}
	case order.TypeConfirmed:
		ev = order.Confirmed{V: order.ConfirmedVersion, ConfirmedAt: at}
	case order.TypePaid:
		ev = order.Paid{V: order.PaidVersion, ChargeID: "ch_" + o.id[:8], Amount: o.total, PaidAt: at}
	case order.TypeShipped:
		ev = order.Shipped{V: order.ShippedVersion, TrackingNumber: "TRK" + o.id[:8], ShippedAt: at}
	case order.TypeDelivered:
		ev = order.Delivered{V: order.DeliveredVersion, DeliveredAt: at}
	case order.TypeCancelled:
		ev = order.Cancelled{V: order.CancelledVersion, Reason: "changed my mind", ByCustomer: o.revision == 0, CancelledAt: at}
	}
	data, err := json.Marshal(ev)
	if err != nil {
		panic(err) // plain structs: cannot happen
	}
	revision = o.revision
	o.revision++
	if len(o.events) == 0 {
		l.open[k] = l.newOrder()
	}
	placed := int32(0)
	if len(l.placedBy) > 0 {
		placed = l.placedBy[len(l.placedBy)-1]
	}
	if typ == order.TypePlaced {
		placed++
	}
	l.placedBy = append(l.placedBy, placed)
	l.emitted++
	return order.StreamID(o.id), order.Category, revision, typ, data, l.meta
}

// placed returns how many orders the first n events placed.
func (l *orderLog) placed(n int) int { return int(l.placedBy[n-1]) }
