package command

import (
	"errors"

	"github.com/orderflow/orderflow/write/domain"
)

// Outcomes of a command, as an Observer hears them.
const (
	// OutcomeAppended: the command wrote events.
	OutcomeAppended = "appended"
	// OutcomeUnchanged: the command was accepted and changed nothing.
	OutcomeUnchanged = "unchanged"
	// OutcomeReplayed: the idempotency key had been used; nothing written.
	OutcomeReplayed = "replayed"
	// OutcomeRejected: a domain error (invalid, a business rule, not found).
	OutcomeRejected = "rejected"
	// OutcomeGaveUp: the command gave up on a stream other processes kept
	// changing (ErrTooManyConflicts); the handler also logs a WARN line.
	OutcomeGaveUp = "gave_up"
	// OutcomeFailed: anything else (the store failed, the caller's context
	// ended).
	OutcomeFailed = "failed"
)

// Observer learns what commands did, for metrics. Its methods are called
// on the goroutine of the command or of its stream's writer, and must be
// fast and safe for concurrent use.
type Observer interface {
	// CommandDone reports a command on an aggregate of category, its
	// outcome (one of the Outcome constants) and how many events it
	// appended.
	CommandDone(category, outcome string, appended int)
	// Conflict reports that an append met another writer's events and the
	// command went back to decide again.
	Conflict(category string)
}

// SetObserver makes the handler report to o. Call it before the handler
// is first used; nil stops the reports.
func (h *Handler) SetObserver(o Observer) { h.observer = o }

// observe reports a finished command to the observer, if any.
func (h *Handler) observe(category string, res Result, err error) {
	if h.observer == nil {
		return
	}
	outcome := OutcomeAppended
	switch {
	case errors.Is(err, domain.ErrInvalid), errors.Is(err, domain.ErrRule), errors.Is(err, domain.ErrNotFound):
		outcome = OutcomeRejected
	case errors.Is(err, ErrTooManyConflicts):
		outcome = OutcomeGaveUp
	case err != nil:
		outcome = OutcomeFailed
	case res.Replayed:
		outcome = OutcomeReplayed
	case len(res.Events) == 0:
		outcome = OutcomeUnchanged
	}
	appended := 0
	if outcome == OutcomeAppended {
		appended = len(res.Events)
	}
	h.observer.CommandDone(category, outcome, appended)
}

// conflict reports a conflict to the observer, if any.
func (h *Handler) conflict(category string) {
	if h.observer != nil {
		h.observer.Conflict(category)
	}
}
