package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/orderflow/orderflow/eventstore"
	"github.com/orderflow/orderflow/eventstore/esdb"
	"github.com/orderflow/orderflow/eventstore/esdb/esdbtest"
	"github.com/orderflow/orderflow/eventstore/pg"
	"github.com/orderflow/orderflow/platform/dbtest"
	"github.com/orderflow/orderflow/schema/eventschema"
	"github.com/orderflow/orderflow/write/order"
)

// verifyBackend is an event store for `orderflow events verify`: the
// store to write the log with, and the environment that points the
// command at the same store.
type verifyBackend struct {
	Store eventstore.Store
	Env   []string
}

// postgresBackend is a fresh database's PostgreSQL event store.
func postgresBackend(t *testing.T) verifyBackend {
	t.Helper()
	url := dbtest.New(t)
	store, err := pg.New(context.Background(), pg.Config{DatabaseURL: url})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	return verifyBackend{Store: store, Env: []string{"DATABASE_URL=" + url, "EVENTSTORE_URL="}}
}

// standInBackend is the EventStoreDB adapter on the esdbtest stand-in of
// EventStoreDB started here (a fresh log, with the system events the
// stand-in starts with), and a fresh database for the rest.
func standInBackend(t *testing.T) verifyBackend {
	t.Helper()
	srv := esdbtest.Start(t)
	store, err := esdb.New(context.Background(), esdb.Config{URL: srv.URL()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	return verifyBackend{Store: store, Env: []string{"DATABASE_URL=" + dbtest.New(t), "EVENTSTORE_URL=" + srv.URL()}}
}

// TestEventsVerifyPostgres runs the verification on the PostgreSQL event
// store.
func TestEventsVerifyPostgres(t *testing.T) {
	t.Parallel()
	testEventsVerify(t, postgresBackend)
}

// TestEventsVerifyEventStoreDB runs the verification on the EventStoreDB
// adapter, against the esdbtest stand-in: test scaffolding, not
// EventStoreDB. (A real server's log holds what other runs wrote, which
// the exact expectations here cannot know.)
func TestEventsVerifyEventStoreDB(t *testing.T) {
	t.Parallel()
	t.Log("the EventStoreDB adapter runs against the esdbtest stand-in, NOT against EventStoreDB")
	testEventsVerify(t, standInBackend)
}

// testEventsVerify runs `orderflow events verify` as its own process
// against a store newBackend returns, holding the log's identity and the
// corpus's first log: every event decodes, exit status 0. Then with undecodable events
// planted among more of the corpus: it lists exactly those, with their
// positions, and exits 1.
func testEventsVerify(t *testing.T, newBackend func(t *testing.T) verifyBackend) {
	b := newBackend(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	logs, err := eventschema.ReadCorpus("../../schema/eventschema/corpus")
	if err != nil || len(logs) == 0 {
		t.Fatalf("read the corpus: %d logs, %v", len(logs), err)
	}
	var last eventstore.Position
	appendOne := func(stream string, expected eventstore.ExpectedRevision, e eventstore.EventData) eventstore.Position {
		t.Helper()
		res, err := b.Store.Append(ctx, stream, expected, e)
		if err != nil {
			t.Fatalf("append to %s: %v", stream, err)
		}
		last = res.Position
		return res.Position
	}
	// The log's identity, as serve gives it, comes first.
	if _, err := eventstore.Identify(ctx, b.Store, time.Now()); err != nil {
		t.Fatal(err)
	}
	written := 1
	for _, en := range logs[0].Entries {
		expected := eventstore.NoStream
		if en.Revision > 0 {
			expected = eventstore.Exact(en.Revision - 1)
		}
		appendOne(en.Stream, expected, en.EventData())
		written++
	}
	visible(t, ctx, b.Store, last)

	code, stdout, stderr := verifyProcess(t, b.Env)
	if want := fmt.Sprintf("verified %d events up to position %s: every one decodes\n", written, last); code != 0 || stdout != want {
		t.Fatalf("verify a sound log: exit %d, stdout %q, stderr %q; want exit 0, stdout %q", code, stdout, stderr, want)
	}
	if want := fmt.Sprintf("verify events: %d read, done\n", written); !strings.HasSuffix(stderr, want) {
		t.Errorf("stderr = %q, want it to end with %q", stderr, want)
	}

	planted := []struct {
		stream string
		typ    string
		data   string
		line   string // the line it must get, with %s for its position
	}{
		{"order-planted-1", order.TypePlaced, `{"v":99,"orderId":"planted-1"}`,
			fmt.Sprintf(`undecodable position=%%s stream=order-planted-1 revision=0 type="order.placed" v=99 error="decode order.placed: version 99, known 1 to %d: unsupported event schema version"`, order.PlacedVersion)},
		{"order-planted-2", order.TypeConfirmed, `{"v":1,"confirmedAt":"2025-03-01T09:00:00Z","bogus":true}`,
			`undecodable position=%s stream=order-planted-2 revision=0 type="order.confirmed" v=1 error="decode order.confirmed v1: malformed event payload: json: unknown field \"bogus\""`},
		{"order-planted-3", order.TypeConfirmed, `{"confirmedAt":"2025-03-01T09:00:00Z"}`,
			`undecodable position=%s stream=order-planted-3 revision=0 type="order.confirmed" v=none error="decode order.confirmed: no schema version: unsupported event schema version"`},
		{"audit-1", "audit.login", `{"v":1}`,
			`undecodable position=%s stream=audit-1 revision=0 type="audit.login" v=1 error="decode audit.login of stream audit-1: no context owns the stream category \"audit\""`},
	}
	var want strings.Builder
	source := logs[len(logs)-1].Entries
	for i, p := range planted {
		// Sound events of another copy of the corpus between the planted
		// ones: new ids and streams, the same payloads.
		for _, en := range source[i*10 : (i+1)*10] {
			en.Stream, en.ID = fmt.Sprintf("%s-copy", en.Stream), uuid.New()
			appendOne(en.Stream, eventstore.Any, en.EventData())
			written++
		}
		pos := appendOne(p.stream, eventstore.NoStream, eventstore.EventData{ID: uuid.New(), Type: p.typ, Data: []byte(p.data)})
		written++
		fmt.Fprintf(&want, p.line+"\n", pos)
	}
	fmt.Fprintf(&want, "verified %d events up to position %s: %d do not decode\n", written, last, len(planted))
	visible(t, ctx, b.Store, last)

	code, stdout, stderr = verifyProcess(t, b.Env)
	if code != 1 || stdout != want.String() {
		t.Errorf("verify a log with undecodable events: exit %d, stdout\n%s\nwant exit 1, stdout\n%s", code, stdout, want.String())
	}
	if wantErr := fmt.Sprintf("orderflow: %d of %d stored events do not decode\n", len(planted), written); !strings.HasSuffix(stderr, wantErr) {
		t.Errorf("stderr = %q, want it to end with %q", stderr, wantErr)
	}
}

// visible waits until the log of store shows the event at pos.
func visible(t *testing.T, ctx context.Context, store eventstore.Store, pos eventstore.Position) {
	t.Helper()
	for {
		head, err := store.Head(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if !head.Less(pos) {
			return
		}
		select {
		case <-ctx.Done():
			t.Fatalf("the log did not show %s: head %s", pos, head)
		case <-time.After(10 * time.Millisecond):
		}
	}
}

// verifyProcess runs `orderflow events verify` as its own process with
// env added to the environment, and returns its exit code, stdout and
// stderr.
func verifyProcess(t *testing.T, env []string) (int, string, string) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "events", "verify")
	cmd.Env = append(append(os.Environ(), runMainEnv+"=1"), env...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	var exit *exec.ExitError
	if err != nil && !errors.As(err, &exit) {
		t.Fatalf("run orderflow events verify: %v", err)
	}
	return cmd.ProcessState.ExitCode(), stdout.String(), stderr.String()
}
