package logtest_test

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/orderflow/orderflow/platform/logtest"
)

func TestSinkReadsBackWhatLoggersWrite(t *testing.T) {
	var sink logtest.Sink
	logger := sink.Logger()
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Go(func() { logger.Info("hello", "i", i) })
	}
	wg.Wait()
	logger.Warn("careful", "order_id", "o-1")
	logger.Debug("detail")

	recs := sink.Records(t)
	if len(recs) != 10 {
		t.Fatalf("%d records, want 10:\n%s", len(recs), sink.String())
	}
	seen := map[float64]bool{}
	for _, rec := range recs[:8] {
		if rec["msg"] != "hello" {
			t.Fatalf("record %v, want hello", rec)
		}
		seen[rec["i"].(float64)] = true
	}
	if len(seen) != 8 {
		t.Errorf("saw i = %v, want 0..7 once each", seen)
	}
	warns := sink.Warnings(t)
	if len(warns) != 1 || warns[0]["msg"] != "careful" || warns[0]["order_id"] != "o-1" {
		t.Errorf("Warnings = %v, want the one careful line", warns)
	}
	if rec := sink.WaitFor(t, "detail", time.Second); rec["level"] != "DEBUG" {
		t.Errorf("WaitFor = %v, want the debug line", rec)
	}
}

func TestWaitForSeesALaterLine(t *testing.T) {
	var sink logtest.Sink
	done := make(chan struct{})
	go func() {
		defer close(done)
		time.Sleep(20 * time.Millisecond)
		fmt.Fprint(&sink, `{"msg":"la`)
		fmt.Fprint(&sink, `ter","n":1}`+"\n")
	}()
	if rec := sink.WaitFor(t, "later", 10*time.Second); rec["n"] != 1.0 {
		t.Errorf("WaitFor = %v", rec)
	}
	<-done
}
