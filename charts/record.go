package charts

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/orderflow/orderflow/paymentprovider"
	"github.com/orderflow/orderflow/paymentprovider/report"
	"github.com/orderflow/orderflow/platform/lease"
)

// LiveReport is how old a payment client's report may be and still count
// in the circuit states: a few missed reports of a live process.
const LiveReport = 10 * time.Second

// counters are the payment client's counters a sample counts from
// (paymentprovider.State's), as charts.payment_counters keeps them.
type counters struct {
	Answered           uint64 `json:"answered"`
	RejectedByBreaker  uint64 `json:"rejectedByBreaker"`
	RejectedByBulkhead uint64 `json:"rejectedByBulkhead"`
	Unavailable        uint64 `json:"unavailable"`
	Retries            uint64 `json:"retries"`
}

// countersOf returns the counters of s.
func countersOf(s paymentprovider.State) counters {
	return counters{Answered: s.Answered, RejectedByBreaker: s.RejectedByBreaker, RejectedByBulkhead: s.RejectedByBulkhead,
		Unavailable: s.Unavailable, Retries: s.Retries}
}

// since returns what grew from prev to c, series by series.
func (c counters) since(prev counters) map[string]float64 {
	d := func(now, before uint64) float64 {
		if now < before {
			return float64(now) // a counter never shrinks; count it whole
		}
		return float64(now - before)
	}
	return map[string]float64{
		PaymentAnswered:           d(c.Answered, prev.Answered),
		PaymentRejectedByBreaker:  d(c.RejectedByBreaker, prev.RejectedByBreaker),
		PaymentRejectedByBulkhead: d(c.RejectedByBulkhead, prev.RejectedByBulkhead),
		PaymentUnavailable:        d(c.Unavailable, prev.Unavailable),
		PaymentRetries:            d(c.Retries, prev.Retries),
	}
}

// The statements of Record.
const (
	lastSampleSQL  = `SELECT max(at) FROM charts.samples`
	countersSQL    = `SELECT owner, counters FROM charts.payment_counters`
	insertGaugeSQL = `INSERT INTO charts.samples (at, series, value) SELECT $1, s, v FROM unnest($2::text[], $3::float8[]) AS u(s, v)
ON CONFLICT (at, series) DO UPDATE SET value = excluded.value`
	insertCountSQL = `INSERT INTO charts.samples AS c (at, series, value) SELECT $1, s, v FROM unnest($2::text[], $3::float8[]) AS u(s, v)
ON CONFLICT (at, series) DO UPDATE SET value = c.value + excluded.value`
	saveCountersSQL = `INSERT INTO charts.payment_counters (owner, counters, seen_at) SELECT o, c, now() FROM unnest($1::text[], $2::jsonb[]) AS u(o, c)
ON CONFLICT (owner) DO UPDATE SET counters = excluded.counters, seen_at = excluded.seen_at`
	forgetCountersSQL = `DELETE FROM charts.payment_counters WHERE owner <> ALL($1::text[])`
	pruneSQL          = `DELETE FROM charts.samples WHERE at < $1`
)

// Record writes the samples of the interval that starts at bucket, under
// tenure t, in one transaction fenced by it: each projection's lag, the
// live payment clients' circuit states, and what the payment clients
// counted since the previous sample. It also forgets the counters of
// processes no longer reporting and prunes samples older than the
// retention.
//
// The counts need a previous sample: when there is none within the last
// three steps (the first sample, or one after a pause in recording),
// Record only notes where the counters stand, and the interval has no
// payment counts. A client first seen while recording went on is a
// process started since the previous sample: all it counted is new.
//
// It returns an error matching lease.ErrLost, having written nothing,
// when t is no longer current. When the projections' status cannot be
// read it records the rest and returns that error.
func (r *Recorder) Record(ctx context.Context, t lease.Tenure, bucket time.Time) error {
	statuses, statusErr := r.status(ctx)
	all, err := report.Read(ctx, r.pool, r.retention)
	if err != nil {
		return err
	}
	live, err := report.Read(ctx, r.pool, LiveReport)
	if err != nil {
		return err
	}
	tx, err := r.pool.Begin(ctx)
	if err != nil {
		return fmt.Errorf("record samples: %w", err)
	}
	defer func() { _ = tx.Rollback(context.WithoutCancel(ctx)) }()
	if err := r.fence(ctx, tx, t); err != nil {
		return err
	}
	var last *time.Time
	if err := tx.QueryRow(ctx, lastSampleSQL).Scan(&last); err != nil {
		return fmt.Errorf("record samples: read the last sample: %w", err)
	}
	continuous := last != nil && !last.Before(bucket.Add(-3*r.step))
	seen, err := seenCounters(ctx, tx)
	if err != nil {
		return err
	}

	gauges := map[string]float64{CircuitClosed: 0, CircuitHalfOpen: 0, CircuitOpen: 0}
	for _, rep := range live {
		switch rep.State.Breaker {
		case paymentprovider.BreakerOpen:
			gauges[CircuitOpen]++
		case paymentprovider.BreakerHalfOpen:
			gauges[CircuitHalfOpen]++
		default:
			gauges[CircuitClosed]++
		}
	}
	if statusErr == nil {
		for _, s := range statuses {
			gauges[LagPrefix+s.Name] = s.Lag.Seconds()
		}
	}
	counts := map[string]float64{}
	owners, saved := make([]string, 0, len(all)), make([][]byte, 0, len(all))
	for _, rep := range all {
		now := countersOf(rep.State)
		if continuous {
			for series, n := range now.since(seen[rep.Owner]) {
				counts[series] += n
			}
		}
		raw, err := json.Marshal(now)
		if err != nil {
			return fmt.Errorf("record samples: %w", err)
		}
		owners, saved = append(owners, rep.Owner), append(saved, raw)
	}
	if continuous {
		for _, series := range countSeries {
			counts[series] += 0 // every count series has its point, zero or not
		}
	}
	for _, w := range []struct {
		sql    string
		values map[string]float64
	}{{insertGaugeSQL, gauges}, {insertCountSQL, counts}} {
		names, values := split(w.values)
		if _, err := tx.Exec(ctx, w.sql, bucket, names, values); err != nil {
			return fmt.Errorf("record samples: %w", err)
		}
	}
	if _, err := tx.Exec(ctx, saveCountersSQL, owners, saved); err != nil {
		return fmt.Errorf("record samples: keep the payment counters: %w", err)
	}
	if _, err := tx.Exec(ctx, forgetCountersSQL, owners); err != nil {
		return fmt.Errorf("record samples: forget the payment counters: %w", err)
	}
	if _, err := tx.Exec(ctx, pruneSQL, bucket.Add(-r.retention)); err != nil {
		return fmt.Errorf("record samples: prune: %w", err)
	}
	if err := tx.Commit(ctx); err != nil {
		return fmt.Errorf("record samples: %w", err)
	}
	if statusErr != nil {
		return fmt.Errorf("record samples: no projection lag: %w", statusErr)
	}
	return nil
}

// fence renews t in tx, which holds the lease row until it ends, or
// returns an error matching lease.ErrLost when t is no longer current.
func (r *Recorder) fence(ctx context.Context, tx pgx.Tx, t lease.Tenure) error {
	var renewed int
	if err := tx.QueryRow(ctx, `WITH renewed AS (`+lease.RenewSQL(1)+`) SELECT count(*) FROM renewed`, r.holder.RenewArgs(t)...).Scan(&renewed); err != nil {
		return fmt.Errorf("record samples: renew the lease: %w", err)
	}
	if renewed == 0 {
		return fmt.Errorf("record samples: lease %s epoch %d: %w", t.Name, t.Epoch, lease.ErrLost)
	}
	return nil
}

// seenCounters reads the counters the previous sample saw, by owner.
func seenCounters(ctx context.Context, tx pgx.Tx) (map[string]counters, error) {
	rows, err := tx.Query(ctx, countersSQL)
	if err != nil {
		return nil, fmt.Errorf("record samples: read the payment counters: %w", err)
	}
	seen := map[string]counters{}
	var (
		owner string
		raw   []byte
	)
	_, err = pgx.ForEachRow(rows, []any{&owner, &raw}, func() error {
		var c counters
		if err := json.Unmarshal(raw, &c); err != nil {
			return fmt.Errorf("decode the payment counters of %s: %w", owner, err)
		}
		seen[owner] = c
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("record samples: %w", err)
	}
	return seen, nil
}

// split returns the names and values of m.
func split(m map[string]float64) ([]string, []float64) {
	names, values := make([]string, 0, len(m)), make([]float64, 0, len(m))
	for n, v := range m {
		names, values = append(names, n), append(values, v)
	}
	return names, values
}
