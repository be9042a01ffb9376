package projections_test

import (
	"slices"
	"testing"

	"github.com/orderflow/orderflow/projections/projectionstest"
)

func TestRunBuildsAndFollows(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.appendN(120, 7)
	c := projectionstest.NewCounter("counter", 1)
	start(t, e.manager("a", c))
	e.waitCaughtUp("counter")
	if got := e.checkpoint("counter"); got.Generation != 1 || got.Version != 1 {
		t.Fatalf("checkpoint = %+v, want generation 1 version 1", got)
	}
	e.appendN(80, 7)
	e.waitCaughtUp("counter")
	want := projectionstest.Expect(e.log(), 1, nil)
	if got := e.model("counter"); !got.Equal(want) {
		t.Fatalf("read model = %v\nwant %v", got, want)
	}
	if got := e.schemas("counter"); !slices.Equal(got, []string{"proj_counter_1"}) {
		t.Fatalf("schemas = %v", got)
	}
}
