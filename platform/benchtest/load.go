package benchtest

import (
	"context"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// Op is one operation of a load benchmark; i numbers it, from 1, uniquely
// in the process.
type Op func(ctx context.Context, i int) error

// opIDs hands out operation numbers.
var opIDs atomic.Int64

func nextOp() int { return int(opIDs.Add(1)) }

// load runs n operations of op on writers goroutines and returns how long
// they took and each one's latency, unsorted. The first error stops it.
func load(ctx context.Context, writers, n int, op Op) (time.Duration, []time.Duration, error) {
	var (
		left  atomic.Int64
		wg    sync.WaitGroup
		mu    sync.Mutex
		lat   = make([]time.Duration, 0, n)
		first error
	)
	left.Store(int64(n))
	start := time.Now()
	for range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			mine := make([]time.Duration, 0, n/writers+1)
			defer func() {
				mu.Lock()
				lat = append(lat, mine...)
				mu.Unlock()
			}()
			for left.Add(-1) >= 0 {
				t := time.Now()
				if err := op(ctx, nextOp()); err != nil {
					mu.Lock()
					first = err
					mu.Unlock()
					left.Store(0)
					return
				}
				mine = append(mine, time.Since(t))
			}
		}()
	}
	wg.Wait()
	return time.Since(start), lat, first
}

// Run runs b.N operations of op on writers goroutines and reports events/s
// (eventsPerOp events per operation) and the median and 99th percentile
// latency of one operation.
func Run(b *testing.B, writers, eventsPerOp int, op Op) {
	b.ResetTimer()
	_, lat, err := load(context.Background(), writers, b.N, op)
	b.StopTimer()
	if err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(b.N*eventsPerOp)/b.Elapsed().Seconds(), "events/s")
	reportLatency(b, "", lat)
}

// WarmUp runs op on writers goroutines for d, untimed, so that a benchmark
// starts with warm connections, statement caches and buffers.
func WarmUp(b *testing.B, writers int, d time.Duration, op Op) {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	var wg sync.WaitGroup
	errs := make([]error, writers)
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ctx.Err() == nil {
				if err := op(context.Background(), nextOp()); err != nil {
					errs[w] = err
					return
				}
			}
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			b.Fatal(err)
		}
	}
}

// reportLatency reports the median and 99th percentile of lat, in
// microseconds, under units prefixed with prefix.
func reportLatency(b *testing.B, prefix string, lat []time.Duration) {
	if len(lat) == 0 {
		return
	}
	slices.Sort(lat)
	b.ReportMetric(float64(lat[len(lat)/2].Microseconds()), prefix+"p50-µs")
	b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds()), prefix+"p99-µs")
}
