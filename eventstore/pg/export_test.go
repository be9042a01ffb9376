package pg

// IsDeadlock reports whether err is PostgreSQL's deadlock error, for the
// external tests.
var IsDeadlock = isDeadlock

// WakeUp returns the channel a subscription of category waits on, closed at
// the next wake-up of that category, for the external tests. Like a
// subscription's first wait, it starts the store's listener.
func WakeUp(s *Store, category string) <-chan struct{} { return s.wake.waitFor(category) }
