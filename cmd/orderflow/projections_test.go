package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/orderflow/orderflow/eventstore"
	"github.com/orderflow/orderflow/eventstore/pg"
	"github.com/orderflow/orderflow/platform/dbtest"
	"github.com/orderflow/orderflow/projections"
	"github.com/orderflow/orderflow/projections/projectionstest"
)

func TestProjectionsCommandLine(t *testing.T) {
	tests := []struct {
		name       string
		args       []string
		env        map[string]string
		err        error
		wantStdout string // a substring
		wantStderr string // a substring
	}{
		{name: "no command", args: []string{"projections"}, err: errUsage, wantStderr: "usage: orderflow projections <command>"},
		{name: "unknown command", args: []string{"projections", "fly"}, err: errUsage, wantStderr: "usage: orderflow projections <command>"},
		{name: "help", args: []string{"projections", "help"}, wantStdout: "rebuild NAME"},
		{name: "rebuild without a name", args: []string{"projections", "rebuild"}, err: errUsage, wantStderr: "orderflow projections rebuild NAME"},
		{name: "rebuild help", args: []string{"projections", "rebuild", "-h"}, wantStderr: "redrive NAME [--id N]"},
		{name: "rebuild of an unknown name", args: []string{"projections", "rebuild", "nope"}, err: projections.ErrUnknownProjection},
		{name: "redrive of an unknown name", args: []string{"projections", "redrive", "nope", "--id", "3"}, err: projections.ErrUnknownProjection},
		{name: "status without database", args: []string{"projections", "status"}, err: errMissingDatabase},
		{name: "reset without --adopt-event-store", args: []string{"projections", "reset"}, err: errUsage, wantStderr: "usage: orderflow projections reset --adopt-event-store"},
		{name: "reset help", args: []string{"projections", "reset", "-h"}, wantStderr: "Stop every orderflow process first"},
		{name: "reset without database", args: []string{"projections", "reset", "--adopt-event-store"}, err: errMissingDatabase},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			err := run(context.Background(), tt.args, envOf(tt.env), &stdout, &stderr)
			if tt.err == nil && err != nil || tt.err != nil && !errors.Is(err, tt.err) {
				t.Fatalf("err = %v, want %v", err, tt.err)
			}
			if !strings.Contains(stdout.String(), tt.wantStdout) {
				t.Errorf("stdout = %q, want it to contain %q", stdout.String(), tt.wantStdout)
			}
			if !strings.Contains(stderr.String(), tt.wantStderr) {
				t.Errorf("stderr = %q, want it to contain %q", stderr.String(), tt.wantStderr)
			}
		})
	}
	// The binary registers every read model, and names them.
	err := run(context.Background(), []string{"projections", "rebuild", "nope"}, envOf(nil), &bytes.Buffer{}, &bytes.Buffer{})
	if want := `unknown projection "nope" (known: orders, products, customers, fulfillment, order_timeline, customer_notifications, fulfillment_intake)`; err == nil || err.Error() != want {
		t.Fatalf("err = %v, want %q", err, want)
	}
}

func TestProjectionsCommands(t *testing.T) {
	url := dbtest.New(t)
	ctx := context.Background()
	store, err := pg.New(ctx, pg.Config{DatabaseURL: url})
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	var last eventstore.Position
	for i := range 300 {
		ev := projectionstest.Event("counter.added", int64(i))
		if i == 100 {
			ev.Type = "counter.poison"
		}
		res, err := store.Append(ctx, fmt.Sprintf("counter-%d", i%3), eventstore.Any, ev)
		if err != nil {
			t.Fatal(err)
		}
		last = res.Position
	}
	// The global log shows events only below the oldest transaction running
	// in the cluster, which other tests hold back for moments: wait until it
	// shows all 300, or the rebuild may stop at the head it sees.
	for deadline := time.Now().Add(30 * time.Second); ; {
		head, err := store.Head(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if !head.Less(last) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the log's head %s never reached %s", head, last)
		}
		time.Sleep(10 * time.Millisecond)
	}
	c := projectionstest.NewCounter("counter", 1)
	c.Reject(func(e eventstore.RecordedEvent) error {
		if e.Type == "counter.poison" {
			return errors.New("poison refused")
		}
		return nil
	})
	registry := []projections.Projection{c}
	env := envOf(map[string]string{envDatabaseURL: url})
	cli := func(args ...string) (string, string, error) {
		var stdout, stderr bytes.Buffer
		err := runProjections(ctx, args, env, &stdout, &stderr, registry)
		return stdout.String(), stderr.String(), err
	}

	stdout, stderr, err := cli("rebuild", "counter")
	if err != nil {
		t.Fatalf("rebuild: %v\n%s", err, stderr)
	}
	summary := `^rebuilt counter \(version 1\): generation none -> 1, 300 events in \S+ \(\d+ events/s\), live at position \d+\.\d+
1 event parked: see ` + "`orderflow projections status`; retry it with `orderflow projections redrive counter`\n$"
	if !regexp.MustCompile(summary).MatchString(stdout) {
		t.Errorf("rebuild summary = %q, want it to match %q", stdout, summary)
	}
	if !strings.Contains(stderr, "rebuild counter") || !strings.Contains(stderr, "300/300") || !regexp.MustCompile(`rebuild counter, \d+ events/s +100% \|█+\| \(300/300\)`).MatchString(stderr) {
		t.Errorf("rebuild progress bar = %q", stderr)
	}

	stdout, _, err = cli("status")
	if err != nil {
		t.Fatal(err)
	}
	row := regexp.MustCompile(`(?m)^counter +stopped +1 +1 +\d+\.\d+ +0 +0s +0\.0 +1 +-$`)
	if !strings.HasPrefix(stdout, "NAME ") || !row.MatchString(stdout) {
		t.Errorf("status = %q, want a row matching %q", stdout, row)
	}

	c.Reject(nil)
	stdout, _, err = cli("redrive", "counter", "--id", "999")
	if !errors.Is(err, projections.ErrDeadLetterNotFound) {
		t.Fatalf("redrive of a missing dead letter: err = %v, stdout %q", err, stdout)
	}
	stdout, _, err = cli("redrive", "counter")
	if err != nil {
		t.Fatal(err)
	}
	if want := "redrove counter: 1 applied, 0 still failing\n"; stdout != want {
		t.Errorf("redrive = %q, want %q", stdout, want)
	}
	if _, _, err := cli("redrive", "counter", "--id"); !errors.Is(err, errUsage) {
		t.Errorf("redrive --id without a value: err = %v", err)
	}
	if _, _, err := cli("redrive", "counter", "--id=x"); !errors.Is(err, errUsage) {
		t.Errorf("redrive --id=x: err = %v", err)
	}
}
