package benchtest

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"
)

// Side is one implementation a paired benchmark measures.
type Side struct {
	// Name labels the side's metrics.
	Name string
	// DatabaseURL, when set, names the side's own database: the CPU time
	// of its PostgreSQL backends is reported per operation.
	DatabaseURL string
	// Op performs one operation.
	Op Op
}

// pairedRounds is how many times a paired benchmark alternates its sides.
const pairedRounds = 10

// Paired measures several implementations of one operation in the same
// run, under the same load: b.N operations of each side on writers
// goroutines, in pairedRounds rounds, every side running its share of a
// round in turn (the order reversed every other round). Whatever else the
// machine does meanwhile (other load, checkpoints, a slow disk) falls on
// every side alike, as it would not on sides measured one after the other.
//
// Per side it reports events/s (eventsPerOp events per operation), the
// median and 99th percentile latency of one operation and the CPU time of
// this process and, with a DatabaseURL, of the side's backends per
// operation. For each pair of sides it reports the first's throughput as a
// ratio to the second's ("a:b"): the median of the rounds' ratios.
func Paired(b *testing.B, writers, eventsPerOp int, sides ...Side) {
	type tally struct {
		elapsed        time.Duration
		lat            []time.Duration
		rates          []float64
		client, server time.Duration
		serverKnown    bool
	}
	ctx := context.Background()
	tallies := make([]*tally, len(sides))
	for i := range tallies {
		tallies[i] = &tally{serverKnown: sides[i].DatabaseURL != ""}
	}
	rounds := min(pairedRounds, b.N)
	order := make([]int, len(sides))
	b.ResetTimer()
	for r := range rounds {
		n := b.N/rounds + btoi(r < b.N%rounds)
		for i := range order {
			order[i] = i
		}
		if r%2 == 1 {
			slices.Reverse(order)
		}
		for _, i := range order {
			sd, t := sides[i], tallies[i]
			b.StopTimer()
			cpu := startCPU(b, sd.DatabaseURL)
			b.StartTimer()
			elapsed, lat, err := load(ctx, writers, n, sd.Op)
			b.StopTimer()
			if err != nil {
				b.Fatalf("%s: %v", sd.Name, err)
			}
			client, server, known := cpu.stop(b)
			b.StartTimer()
			t.elapsed += elapsed
			t.lat = append(t.lat, lat...)
			t.rates = append(t.rates, float64(n*eventsPerOp)/elapsed.Seconds())
			t.client += client
			t.server += server
			t.serverKnown = t.serverKnown && known
		}
	}
	b.StopTimer()
	for i, sd := range sides {
		t := tallies[i]
		b.ReportMetric(float64(b.N*eventsPerOp)/t.elapsed.Seconds(), sd.Name+"-events/s")
		reportLatency(b, sd.Name+"-", t.lat)
		b.ReportMetric(float64(t.client.Microseconds())/float64(b.N), sd.Name+"-client-µs/op")
		if t.serverKnown {
			b.ReportMetric(float64(t.server.Microseconds())/float64(b.N), sd.Name+"-server-µs/op")
		}
		for j := i + 1; j < len(sides); j++ {
			ratios := make([]float64, rounds)
			for r := range ratios {
				ratios[r] = t.rates[r] / tallies[j].rates[r]
			}
			slices.Sort(ratios)
			b.ReportMetric(median(ratios), fmt.Sprintf("%s:%s", sd.Name, sides[j].Name))
		}
	}
}

// median returns the median of sorted xs.
func median(xs []float64) float64 {
	m := len(xs) / 2
	if len(xs)%2 == 0 {
		return (xs[m-1] + xs[m]) / 2
	}
	return xs[m]
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}
