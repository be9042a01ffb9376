package projections_test

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/orderflow/orderflow/eventstore"
	"github.com/orderflow/orderflow/eventstore/pg"
	"github.com/orderflow/orderflow/projections"
	"github.com/orderflow/orderflow/projections/projectionstest"
)

// killHelperEnv carries the database URL to the child process of
// TestRebuildKilled.
const killHelperEnv = "PROJECTIONS_KILLED_REBUILD_URL"

// TestRebuildKilledHelper is the child process of TestRebuildKilled, and
// does nothing unless it runs as such: it rebuilds slowly, says when it is
// replaying, and waits to be killed.
func TestRebuildKilledHelper(t *testing.T) {
	url := os.Getenv(killHelperEnv)
	if url == "" {
		return
	}
	ctx := context.Background()
	store, err := pg.New(ctx, pg.Config{DatabaseURL: url})
	if err != nil {
		t.Fatal(err)
	}
	pool, err := pgxpool.New(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	c := projectionstest.NewCounter("counter", 1)
	c.Reject(func(eventstore.RecordedEvent) error { time.Sleep(2 * time.Millisecond); return nil })
	m, err := projections.New(projections.Config{Pool: pool, Store: store, Projections: []projections.Projection{c}, RebuildBatchSize: 50})
	if err != nil {
		t.Fatal(err)
	}
	var once sync.Once
	_, err = m.Rebuild(ctx, "counter", func(done, _ int64, _ float64) {
		once.Do(func() { fmt.Println("replaying") })
	})
	fmt.Println("finished:", err)
}

// TestRebuildKilled kills a process in the middle of a rebuild: the live
// generation is untouched, the rebuild lock dies with the process, and the
// next rebuild clears the half-built generation and succeeds.
func TestRebuildKilled(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c := projectionstest.NewCounter("counter", 1)
	m := e.manager("a", c)
	stop := start(t, m)
	waitFor(t, 10*time.Second, "the first build", func() bool { return e.checkpoint("counter").Generation == 1 })
	e.appendN(400, 6)
	e.waitCaughtUp("counter")
	stop()
	live, cp := e.model("counter"), e.checkpoint("counter")

	cmd := exec.Command(os.Args[0], "-test.run=^TestRebuildKilledHelper$", "-test.count=1")
	cmd.Env = append(os.Environ(), killHelperEnv+"="+e.url)
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	lines := bufio.NewScanner(out)
	for lines.Scan() && lines.Text() != "replaying" {
		t.Logf("child: %s", lines.Text())
	}
	if err := cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	_ = cmd.Wait()

	if got := e.model("counter"); !got.Equal(live) {
		t.Fatalf("the live read model changed:\n got %v\nwant %v", got, live)
	}
	if got := e.checkpoint("counter"); got != cp {
		t.Fatalf("the checkpoint changed from %+v to %+v", cp, got)
	}
	if got := e.schemas("counter"); !slices.Equal(got, []string{"proj_counter_1", "proj_counter_2"}) {
		t.Fatalf("schemas after the kill = %v, want the live one and the half-built one", got)
	}

	// The server notices the dead session within moments.
	var res projections.RebuildResult
	waitFor(t, 10*time.Second, "a rerun to start", func() bool {
		res, err = m.Rebuild(ctxFor(t), "counter", nil)
		return !errors.Is(err, projections.ErrRebuildRunning)
	})
	if err != nil {
		t.Fatal(err)
	}
	if res.Generation != 2 || res.Events != 400 {
		t.Fatalf("rerun = %+v", res)
	}
	if got := e.model("counter"); !got.Equal(live) {
		t.Fatalf("rebuilt read model = %v\nwant %v", got, live)
	}
	if got := e.schemas("counter"); !slices.Equal(got, []string{"proj_counter_2"}) {
		t.Fatalf("schemas = %v", got)
	}
}
