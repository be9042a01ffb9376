package lease

// OnRefused sets a hook that runs after each of h's Await attempts that
// did not get the lease.
func OnRefused(h *Holder, f func(name string)) { h.refused = f }
