package pg_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/orderflow/orderflow/eventstore"
)

// TestIdentityOfAWipedLog: a log wiped and started again (its tables
// emptied, as a new volume or a restored backup would) has no identity
// until it is given a new one, another than before.
func TestIdentityOfAWipedLog(t *testing.T) {
	s, url := newStore(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	first, err := eventstore.Identify(ctx, s, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, `TRUNCATE eventstore.events`); err != nil {
		t.Fatal(err)
	}
	if id, ok, err := eventstore.ReadIdentity(ctx, s); err != nil || ok {
		t.Fatalf("identity of the wiped log: %s, %v, %v; want none", id, ok, err)
	}
	second, err := eventstore.Identify(ctx, s, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if second.IsZero() || second.ID == first.ID {
		t.Fatalf("the wiped log's identity is %s, the first one was %s: want a new one", second, first)
	}
}

// TestIdentityStreamOfAnotherShape: a stream of the identity's name whose
// first event is not an identity is an error, never an identity made up.
func TestIdentityStreamOfAnotherShape(t *testing.T) {
	s, _ := newStore(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if _, err := s.Append(ctx, eventstore.IdentityStream, eventstore.NoStream,
		eventstore.EventData{ID: uuid.New(), Type: "something.else", Data: []byte(`{}`)}); err != nil {
		t.Fatal(err)
	}
	for _, call := range []struct {
		name string
		f    func() error
	}{
		{"read", func() error { _, _, err := eventstore.ReadIdentity(ctx, s); return err }},
		{"identify", func() error { _, err := eventstore.Identify(ctx, s, time.Now()); return err }},
	} {
		err := call.f()
		if err == nil || !strings.Contains(err.Error(), "is not an identity") {
			t.Errorf("%s: err = %v, want one saying the first event is not an identity", call.name, err)
		}
	}
}
