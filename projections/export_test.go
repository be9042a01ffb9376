package projections

// Test-only access to the runtime's hooks and counters.

// SetAfterWrites makes every runner batch call f once its writes are sent,
// before its lease check and COMMIT.
func SetAfterWrites(m *Manager, f func(name string)) { m.hooks.afterWrites = f }

// SetBeforeSwap makes every swap call f just before COMMIT.
func SetBeforeSwap(m *Manager, f func(name string)) { m.hooks.beforeSwap = f }

// Counters is what a Manager's runners did.
type Counters struct {
	Batches, Retried, LeaseLost, Applied int64
}

// CountersOf returns m's counters.
func CountersOf(m *Manager) Counters {
	return Counters{
		Batches:   m.metrics.batches.Load(),
		Retried:   m.metrics.retried.Load(),
		LeaseLost: m.metrics.leaseLost.Load(),
		Applied:   m.metrics.applied.Load(),
	}
}
