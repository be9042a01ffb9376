package charts

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Chart is every series over a window: Times are the starts of its
// intervals (Unix seconds, Step apart, oldest first, the last one still
// running), and each series has one value per interval, null where
// nothing was recorded (a recorded series while no process recorded; a
// read model's series while the read model does not exist yet).
type Chart struct {
	// Step is the length of an interval, in seconds.
	Step int64 `json:"step"`
	// Since is the start of the first interval, Until that of the last.
	Since  time.Time             `json:"since"`
	Until  time.Time             `json:"until"`
	Times  []int64               `json:"times"`
	Series map[string][]*float64 `json:"series"`
}

// Config configures Charts.
type Config struct {
	// Pool is the database of the read models and the samples. Required.
	Pool *pgxpool.Pool
	// Step is the intervals' length, the recorder's; DefaultStep when zero.
	Step time.Duration
	// Retention is how far back a Chart reaches at most; DefaultRetention
	// when zero.
	Retention time.Duration
	// Logger receives the failures Handler answers 500 or 503 to; nil
	// discards them.
	Logger *slog.Logger
	// Now is the clock a window ends at; time.Now when nil.
	Now func() time.Time
}

// Charts reads Charts. It is safe for concurrent use.
type Charts struct {
	pool      *pgxpool.Pool
	step      time.Duration
	retention time.Duration
	logger    *slog.Logger
	now       func() time.Time
}

// New returns the Charts of cfg, or an error when Pool is missing or
// Step is not a positive whole number of seconds.
func New(cfg Config) (*Charts, error) {
	if cfg.Pool == nil {
		return nil, errors.New("charts: Pool is required")
	}
	step, err := checkStep(cfg.Step)
	if err != nil {
		return nil, err
	}
	c := &Charts{pool: cfg.Pool, step: step, retention: cmp.Or(cfg.Retention, DefaultRetention),
		logger: cmp.Or(cfg.Logger, slog.New(slog.DiscardHandler)), now: cfg.Now}
	if c.now == nil {
		c.now = time.Now
	}
	return c, nil
}

// Window returns the window a Chart asked for since covers: from the
// interval since falls in to the one running now, but no further back
// than the retention or MaxBuckets intervals. It returns ErrFuture when
// since is after now.
func (c *Charts) Window(since time.Time) (from, until time.Time, err error) {
	now := c.now()
	if since.After(now) {
		return time.Time{}, time.Time{}, ErrFuture
	}
	until = bucketOf(now, c.step)
	earliest := bucketOf(now.Add(-c.retention), c.step)
	if e := until.Add(-time.Duration(MaxBuckets-1) * c.step); e.After(earliest) {
		earliest = e
	}
	from = bucketOf(since, c.step)
	if from.Before(earliest) {
		from = earliest
	}
	return from, until, nil
}

// ErrFuture is the error of a window that starts after now.
var ErrFuture = errors.New("the window starts in the future")

// The statements of Read. $1 is the step, [$2, $3) the window.
const (
	ordersSQL = `SELECT date_bin($1::interval, placed_at, 'epoch'::timestamptz), count(*)
FROM readmodel.orders WHERE placed_at >= $2 AND placed_at < $3 GROUP BY 1`
	// The condition is the partial index fulfillment_history_by_time's.
	sagasSQL = `SELECT date_bin($1::interval, at, 'epoch'::timestamptz),
    count(*) FILTER (WHERE step = 'completed'), count(*) FILTER (WHERE step = 'compensated'),
    count(*) FILTER (WHERE outcome = 'parked'), count(*) FILTER (WHERE outcome = 'failed')
FROM readmodel.fulfillment_history
WHERE (outcome IN ('parked', 'failed') OR step IN ('completed', 'compensated')) AND at >= $2 AND at < $3 GROUP BY 1`
	samplesSQL = `SELECT date_bin($1::interval, at, 'epoch'::timestamptz), series,
    CASE WHEN series LIKE 'payment.%' THEN sum(value) ELSE max(value) END
FROM charts.samples WHERE at >= $2 AND at < $3 GROUP BY 1, 2`
)

// Read returns the Chart of the window since covers (see Window).
func (c *Charts) Read(ctx context.Context, since time.Time) (Chart, error) {
	from, until, err := c.Window(since)
	if err != nil {
		return Chart{}, err
	}
	n := int(until.Sub(from)/c.step) + 1
	ch := Chart{Step: int64(c.step / time.Second), Since: from, Until: until, Times: make([]int64, n), Series: map[string][]*float64{}}
	for i := range ch.Times {
		ch.Times[i] = from.Add(time.Duration(i) * c.step).Unix()
	}
	index := func(b time.Time) (int, bool) {
		i := int(b.Sub(from) / c.step)
		return i, i >= 0 && i < n
	}
	end := until.Add(c.step)
	args := []any{fmt.Sprintf("%d seconds", ch.Step), from, end}

	// Counted from the read models: zero where no row says otherwise.
	for _, q := range []struct {
		sql   string
		names []string
	}{
		{ordersSQL, []string{OrdersPlaced}},
		{sagasSQL, []string{OrdersCompleted, OrdersCancelled, StepsParked, StepsFailed}},
	} {
		counts, err := c.counts(ctx, q.sql, args, len(q.names))
		if err != nil {
			return Chart{}, err
		}
		for k, name := range q.names {
			ch.Series[name] = make([]*float64, n)
			if counts == nil {
				continue // the read model does not exist yet
			}
			for i := range n {
				ch.Series[name][i] = new(float64)
			}
			for b, row := range counts {
				if i, ok := index(b); ok {
					*ch.Series[name][i] = float64(row[k])
				}
			}
		}
	}

	// Recorded: null where no sample says otherwise.
	for _, name := range sampledSeries {
		ch.Series[name] = make([]*float64, n)
	}
	rows, err := c.pool.Query(ctx, samplesSQL, args...)
	if err != nil {
		return Chart{}, fmt.Errorf("read the charts' samples: %w", err)
	}
	var (
		b      time.Time
		series string
		value  float64
	)
	_, err = pgx.ForEachRow(rows, []any{&b, &series, &value}, func() error {
		i, ok := index(b)
		if !ok || (!slices.Contains(sampledSeries, series) && !strings.HasPrefix(series, LagPrefix)) {
			return nil
		}
		if ch.Series[series] == nil {
			ch.Series[series] = make([]*float64, n)
		}
		v := value
		ch.Series[series][i] = &v
		return nil
	})
	if err != nil {
		return Chart{}, fmt.Errorf("read the charts' samples: %w", err)
	}
	return ch, nil
}

// counts runs sql, whose rows are an interval's start and width counts,
// and returns them by interval; nil, and no error, when the read model
// it reads does not exist yet (its first build has not gone live).
func (c *Charts) counts(ctx context.Context, sql string, args []any, width int) (map[time.Time][]int64, error) {
	out := map[time.Time][]int64{}
	rows, err := c.pool.Query(ctx, sql, args...)
	if err == nil {
		var b time.Time
		row := make([]int64, width)
		dest := []any{&b}
		for k := range row {
			dest = append(dest, &row[k])
		}
		_, err = pgx.ForEachRow(rows, dest, func() error {
			out[b.UTC()] = slices.Clone(row)
			return nil
		})
	}
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) && pgErr.Code == "42P01" {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read the charts from the read models: %w", err)
	}
	return out, nil
}
