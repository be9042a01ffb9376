package pg

import "sync"

// wakeup is a broadcast signal: waiters take the current channel, and
// broadcast closes it and installs a fresh one. Taking the channel before
// looking for events means no wake-up between the look and the wait is lost.
type wakeup struct {
	// first runs once, at the first wait.
	first func()
	once  sync.Once

	mu sync.Mutex
	ch chan struct{}
	// taken says someone holds ch: a broadcast with no one to wake
	// leaves it as it is.
	taken bool
}

func newWakeup(first func()) *wakeup { return &wakeup{first: first, ch: make(chan struct{})} }

// wait returns a channel that is closed at the next broadcast.
func (w *wakeup) wait() <-chan struct{} {
	w.once.Do(w.first)
	w.mu.Lock()
	defer w.mu.Unlock()
	w.taken = true
	return w.ch
}

// broadcast wakes every current waiter.
func (w *wakeup) broadcast() {
	w.mu.Lock()
	defer w.mu.Unlock()
	if !w.taken {
		return
	}
	close(w.ch)
	w.ch = make(chan struct{})
	w.taken = false
}
