package projections_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/orderflow/orderflow/eventstore"
	"github.com/orderflow/orderflow/projections"
	"github.com/orderflow/orderflow/projections/projectionstest"
)

// fake is a projection whose name, version and views are given.
type fake struct {
	name    string
	version int
	views   []string
}

func (f fake) Name() string                  { return f.name }
func (f fake) Version() int                  { return f.version }
func (f fake) Tables(schema string) []string { return nil }
func (f fake) Views() []string               { return f.views }
func (f fake) Apply(context.Context, *projections.Writer, eventstore.RecordedEvent) error {
	return nil
}

func TestNewChecksTheRegistry(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	tests := []struct {
		name string
		ps   []projections.Projection
		want string // substring of the error; empty for none
	}{
		{name: "empty registry"},
		{name: "fine", ps: []projections.Projection{fake{"orders", 1, []string{"orders", "order_lines"}}, projectionstest.NewCounter("counter", 2)}},
		{name: "upper case", ps: []projections.Projection{fake{"Orders", 1, nil}}, want: `name "Orders"`},
		{name: "starts with a digit", ps: []projections.Projection{fake{"1orders", 1, nil}}, want: `name "1orders"`},
		{name: "dash", ps: []projections.Projection{fake{"order-view", 1, nil}}, want: `name "order-view"`},
		{name: "empty name", ps: []projections.Projection{fake{"", 1, nil}}, want: `name ""`},
		{name: "name too long", ps: []projections.Projection{fake{strings.Repeat("a", 41), 1, nil}}, want: "1 to 40"},
		{name: "version 0", ps: []projections.Projection{fake{"orders", 0, nil}}, want: "version 0"},
		{name: "bad view", ps: []projections.Projection{fake{"orders", 1, []string{"Orders"}}}, want: `view "Orders"`},
		{name: "view twice", ps: []projections.Projection{fake{"orders", 1, []string{"orders", "orders"}}}, want: "listed twice"},
		{name: "same name", ps: []projections.Projection{fake{"orders", 1, nil}, fake{"orders", 2, nil}}, want: `two projections are named "orders"`},
		{name: "same view", ps: []projections.Projection{fake{"a", 1, []string{"x"}}, fake{"b", 1, []string{"x"}}}, want: `both have the view "x"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := projections.New(projections.Config{Pool: e.pool, Store: e.store, Projections: tt.ps})
			if tt.want == "" {
				if err != nil {
					t.Fatalf("err = %v, want none", err)
				}
				return
			}
			if !errors.Is(err, projections.ErrInvalidProjection) || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want ErrInvalidProjection saying %q", err, tt.want)
			}
		})
	}
}

func TestUnknownProjection(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	m := e.manager("a", projectionstest.NewCounter("counter", 1))
	_, err := m.Rebuild(ctxFor(t), "orders", nil)
	if !errors.Is(err, projections.ErrUnknownProjection) || !strings.Contains(err.Error(), `"orders" (known: counter)`) {
		t.Fatalf("rebuild: err = %v", err)
	}
	if _, err := m.DeadLetters(ctxFor(t), "orders"); !errors.Is(err, projections.ErrUnknownProjection) {
		t.Fatalf("dead letters: err = %v", err)
	}
	empty := e.manager("a")
	if _, err := empty.Redrive(ctxFor(t), "orders", 0); !errors.Is(err, projections.ErrUnknownProjection) || !strings.Contains(err.Error(), "none are registered") {
		t.Fatalf("redrive with no registry: err = %v", err)
	}
}
