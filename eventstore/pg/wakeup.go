package pg

import "sync"

// wakeup is a broadcast signal by category: waiters take the channel of the
// category they follow, and a broadcast closes the channels it wakes; the
// next waiter gets a fresh one. Taking the channel before looking for
// events means no wake-up between the look and the wait is lost. It is safe
// for concurrent use.
type wakeup struct {
	// first runs once, at the first wait.
	first func()
	once  sync.Once

	mu sync.Mutex
	// waiting holds the channel of each category someone waits on, "" for
	// every category. A broadcast with no one to wake costs no channel.
	waiting map[string]chan struct{}
}

func newWakeup(first func()) *wakeup {
	return &wakeup{first: first, waiting: make(map[string]chan struct{})}
}

// wait returns a channel that is closed at the next broadcast of any
// category.
func (w *wakeup) wait() <-chan struct{} { return w.waitFor("") }

// waitFor returns a channel that is closed at the next broadcast of
// category or of every category; "" follows every category.
func (w *wakeup) waitFor(category string) <-chan struct{} {
	w.once.Do(w.first)
	w.mu.Lock()
	defer w.mu.Unlock()
	ch, ok := w.waiting[category]
	if !ok {
		ch = make(chan struct{})
		w.waiting[category] = ch
	}
	return ch
}

// broadcast wakes the waiters on category and those on every category; ""
// wakes every waiter.
func (w *wakeup) broadcast(category string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if category == "" {
		for c, ch := range w.waiting {
			close(ch)
			delete(w.waiting, c)
		}
		return
	}
	w.wake("")
	w.wake(category)
}

// wake closes the channel of category, if anyone waits on it; w.mu is held.
func (w *wakeup) wake(category string) {
	if ch, ok := w.waiting[category]; ok {
		close(ch)
		delete(w.waiting, category)
	}
}
