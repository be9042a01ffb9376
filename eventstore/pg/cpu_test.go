package pg_test

import (
	"context"
	"fmt"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// clockTick is the unit of the CPU times in /proc/<pid>/stat (USER_HZ).
const clockTick = 10 * time.Millisecond

// cpuMeter measures the CPU time one benchmark run costs: this process's,
// and that of the PostgreSQL backends serving its database, read from
// /proc (the benchmarks' server runs on the same machine; when it does
// not, the server's share is not reported).
type cpuMeter struct {
	url            string
	client, server time.Duration
	serverKnown    bool
}

func startCPU(b *testing.B, url string) *cpuMeter {
	m := &cpuMeter{url: url}
	m.client = processCPU(b)
	m.server, m.serverKnown = backendCPU(b, url)
	return m
}

// report adds client-µs/op and, when known, server-µs/op to b's results.
func (m *cpuMeter) report(b *testing.B, ops int) {
	client := processCPU(b) - m.client
	b.ReportMetric(float64(client.Microseconds())/float64(ops), "client-µs/op")
	if server, ok := backendCPU(b, m.url); ok && m.serverKnown {
		b.ReportMetric(float64((server-m.server).Microseconds())/float64(ops), "server-µs/op")
	}
}

func processCPU(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// backendCPU sums the user and system CPU time of the backends connected
// to the database at url, other than the one asking.
func backendCPU(b *testing.B, url string) (time.Duration, bool) {
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		b.Fatal(err)
	}
	defer conn.Close(ctx)
	rows, err := conn.Query(ctx, `SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()`)
	if err != nil {
		b.Fatal(err)
	}
	pids, err := pgx.CollectRows(rows, pgx.RowTo[int32])
	if err != nil {
		b.Fatal(err)
	}
	var total time.Duration
	for _, pid := range pids {
		stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
		if err != nil {
			return 0, false
		}
		// The command name, in parentheses, may hold spaces: count fields
		// after its closing parenthesis. utime and stime are fields 14
		// and 15, the 12th and 13th after it.
		fields := strings.Fields(string(stat[strings.LastIndexByte(string(stat), ')')+1:]))
		var utime, stime int64
		if _, err := fmt.Sscan(fields[11]+" "+fields[12], &utime, &stime); err != nil {
			return 0, false
		}
		total += time.Duration(utime+stime) * clockTick
	}
	return total, true
}
