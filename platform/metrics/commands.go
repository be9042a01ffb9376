package metrics

import "github.com/prometheus/client_golang/prometheus"

// Commands counts the commands the write side handled; it is the command
// handler's Observer (package write/command).
type Commands struct {
	done      *prometheus.CounterVec
	conflicts *prometheus.CounterVec
	appended  *prometheus.CounterVec
}

// NewCommands registers on r:
// orderflow_commands_total{category,outcome},
// orderflow_command_conflicts_total{category} and
// orderflow_events_appended_total{category}.
func NewCommands(r *Registry) (*Commands, error) {
	c := &Commands{
		done: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: Namespace, Name: "commands_total",
			Help: "Commands handled, by aggregate category and outcome (appended, unchanged, replayed, rejected, gave_up, failed).",
		}, []string{"category", "outcome"}),
		conflicts: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: Namespace, Name: "command_conflicts_total",
			Help: "Appends that met another writer's events (optimistic concurrency conflicts), by aggregate category.",
		}, []string{"category"}),
		appended: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: Namespace, Name: "events_appended_total",
			Help: "Events appended by commands, by aggregate category.",
		}, []string{"category"}),
	}
	if err := r.Register(c.done, c.conflicts, c.appended); err != nil {
		return nil, err
	}
	return c, nil
}

// CommandDone implements command.Observer.
func (c *Commands) CommandDone(category, outcome string, appended int) {
	c.done.WithLabelValues(category, outcome).Inc()
	if appended > 0 {
		c.appended.WithLabelValues(category).Add(float64(appended))
	}
}

// Conflict implements command.Observer.
func (c *Commands) Conflict(category string) {
	c.conflicts.WithLabelValues(category).Inc()
}
