package read

import "strings"

// Kinds of cause (the GraphQL enum CauseKind).
const (
	causeEvent   = "EVENT"
	causeCommand = "COMMAND"
)

// cause is the GraphQL type Cause: what the causation id of a timeline
// entry names.
type cause struct {
	Kind string
	ID   string
	// Type is the type of the earlier entry an EVENT cause is.
	Type *string
	// Step is the fulfillment step whose command a COMMAND cause is.
	Step *string
}

// stepCommandPrefix begins the ids of the commands the fulfillment saga
// of an order sends, "fulfillment/{orderId}/{step}" (the stored form
// sagas/fulfillment.StepCommandID makes).
const stepCommandPrefix = "fulfillment/"

// resolveCauses sets CausedBy of every entry of the timeline of order
// orderID, which is in log order. A causation id that is the event id of
// an earlier entry is that EVENT; any other is a COMMAND: one of the
// order's saga steps when it has the form of their ids, else one sent to
// the command API, whose 202 answer carried it.
func resolveCauses(orderID string, timeline []timelineEntry) {
	earlier := make(map[string]int, len(timeline))
	stepPrefix := stepCommandPrefix + orderID + "/"
	for i := range timeline {
		e := &timeline[i]
		e.CausedBy = cause{Kind: causeCommand, ID: e.CausationID}
		if j, ok := earlier[e.CausationID]; ok {
			e.CausedBy.Kind, e.CausedBy.Type = causeEvent, &timeline[j].Type
		} else if step, ok := strings.CutPrefix(e.CausationID, stepPrefix); ok && step != "" {
			e.CausedBy.Step = &step
		}
		earlier[string(e.EventID)] = i
	}
}
