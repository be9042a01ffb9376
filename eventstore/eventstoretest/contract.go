// Package eventstoretest is the contract suite every eventstore.Store adapter
// passes: one TestContract, run by each adapter's tests against a real
// server. It also holds the gap harness that proves a subscriber receives
// every committed event exactly once under concurrent writers.
package eventstoretest

import (
	"testing"

	"github.com/orderflow/orderflow/eventstore"
)

// NewStore returns a store for one group of contract tests and registers
// its Close with t.Cleanup. Stores may share a server: every test writes to
// streams of a category of its own and ignores everything else.
type NewStore func(t testing.TB) eventstore.Store

// TestContract runs the whole contract suite against the stores newStore
// makes. The adapter may also implement HeldAppender, which lets the gap
// harness hold transactions open and roll some back.
func TestContract(t *testing.T, newStore NewStore) {
	t.Run("Append", func(t *testing.T) { testAppend(t, newStore(t)) })
	t.Run("Idempotency", func(t *testing.T) { testIdempotency(t, newStore(t)) })
	t.Run("Validation", func(t *testing.T) { testValidation(t, newStore(t)) })
	t.Run("ReadStream", func(t *testing.T) { testReadStream(t, newStore(t)) })
	t.Run("ReadAll", func(t *testing.T) { testReadAll(t, newStore(t)) })
	t.Run("Metadata", func(t *testing.T) { testMetadata(t, newStore(t)) })
	t.Run("Identity", func(t *testing.T) { testIdentity(t, newStore(t)) })
	t.Run("Subscribe", func(t *testing.T) { testSubscribe(t, newStore(t)) })
	t.Run("ConcurrentSameRevision", func(t *testing.T) { testConcurrentSameRevision(t, newStore(t)) })
	t.Run("ResumeFromCheckpoints", func(t *testing.T) { testResume(t, newStore(t)) })
	t.Run("CategoryCheckpoints", func(t *testing.T) { testCheckpoints(t, newStore(t)) })
	t.Run("NoGapsUnderConcurrentWriters", func(t *testing.T) { testNoGaps(t, newStore(t)) })
}
