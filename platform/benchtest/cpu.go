package benchtest

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

// cpuMeter measures the CPU time a stretch of a benchmark costs: this
// process's, and that of the PostgreSQL backends serving one database,
// read from /proc (the benchmarks' server runs on the same machine; when it
// does not, the server's share is unknown).
type cpuMeter struct {
	url            string
	client, server time.Duration
	serverKnown    bool
}

// startCPU starts measuring; url names the database whose backends count,
// none when empty.
func startCPU(tb testing.TB, url string) cpuMeter {
	m := cpuMeter{url: url, client: processCPU(tb)}
	if url != "" {
		m.server, m.serverKnown = backendCPU(tb, url)
	}
	return m
}

// stop returns the CPU time spent since start: the process's and, when
// known, the database's backends'.
func (m cpuMeter) stop(tb testing.TB) (client, server time.Duration, serverKnown bool) {
	client = processCPU(tb) - m.client
	if !m.serverKnown {
		return client, 0, false
	}
	now, ok := backendCPU(tb, m.url)
	return client, now - m.server, ok
}

func processCPU(tb testing.TB) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		tb.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// backendCPU sums the user and system CPU time of the backends connected
// to the database at url, other than the one asking.
func backendCPU(tb testing.TB, url string) (time.Duration, bool) {
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		tb.Fatal(err)
	}
	defer conn.Close(ctx)
	rows, err := conn.Query(ctx, `SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()`)
	if err != nil {
		tb.Fatal(err)
	}
	pids, err := pgx.CollectRows(rows, pgx.RowTo[int32])
	if err != nil {
		tb.Fatal(err)
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
