package eventstoretest

import (
	"testing"

	"github.com/orderflow/orderflow/eventstore"
)

// testNoGaps runs the gap harness at DefaultGapConfig: every committed event
// reaches the subscriber exactly once, in global order.
func testNoGaps(t *testing.T, s eventstore.Store) {
	if _, ok := s.(HeldAppender); !ok {
		t.Log("the store cannot hold transactions open: writers append with delays between appends instead")
	}
	report, err := RunGaps(testContext(t), s, DefaultGapConfig)
	if err != nil {
		t.Fatal(err)
	}
	t.Log(report)
	if report.Committed < DefaultGapConfig.Events {
		t.Fatalf("only %d events committed, want at least %d", report.Committed, DefaultGapConfig.Events)
	}
	if !report.OK() {
		t.Fatalf("the subscriber did not receive every committed event exactly once in order: %s", report)
	}
}
