// Package health serves the liveness and readiness endpoints: /healthz says
// the process answers HTTP, /readyz says whether the dependencies it needs
// (database, event store...) answer too.
package health

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"sort"
	"strings"
	"time"

	"github.com/orderflow/orderflow/platform/problem"
)

// DefaultTimeout bounds all the checks of one readiness request when Ready
// is given no timeout.
const DefaultTimeout = 3 * time.Second

// Check is one thing readiness depends on. Probe returns nil when it is
// ready and an error that says why not otherwise. Probes must honour ctx.
type Check struct {
	Name  string
	Probe func(ctx context.Context) error
}

// Live answers 200 {"status":"ok"} to every request: a process that can run
// this handler is alive.
func Live(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	_, _ = w.Write([]byte(`{"status":"ok"}` + "\n"))
}

// Ready returns a handler that runs every check at once, each bounded by
// timeout (DefaultTimeout when zero). When all pass it answers 200
// {"status":"ready","checks":{name:"ok"...}}. Otherwise it answers 503 with a
// problem+json body whose "checks" member gives each check's outcome and
// whose detail names the failed ones; failures are logged at warn level.
func Ready(timeout time.Duration, logger *slog.Logger, checks ...Check) http.Handler {
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), timeout)
		defer cancel()
		results, failed := run(ctx, checks)
		w.Header().Set("Cache-Control", "no-store")
		if len(failed) == 0 {
			w.Header().Set("Content-Type", "application/json")
			_ = json.NewEncoder(w).Encode(map[string]any{"status": "ready", "checks": results})
			return
		}
		logger.WarnContext(ctx, "not ready", "checks", results)
		problem.Write(w, problem.Details{
			Status:     http.StatusServiceUnavailable,
			Title:      "Not ready",
			Detail:     "failed checks: " + strings.Join(failed, ", "),
			Extensions: map[string]any{"checks": results},
		})
	})
}

// run probes every check concurrently and returns each outcome ("ok" or why
// not) by name, and the sorted names of the failed checks. A check still
// running when ctx ends counts as failed.
func run(ctx context.Context, checks []Check) (map[string]string, []string) {
	type outcome struct {
		name string
		err  error
	}
	outcomes := make(chan outcome, len(checks))
	for _, c := range checks {
		go func() { outcomes <- outcome{c.Name, probe(ctx, c)} }()
	}
	errs := make(map[string]error, len(checks))
	for _, c := range checks {
		errs[c.Name] = fmt.Errorf("no answer: %w", context.DeadlineExceeded)
	}
collect:
	for range checks {
		select {
		case o := <-outcomes:
			errs[o.name] = o.err
		case <-ctx.Done():
			break collect
		}
	}
	results := make(map[string]string, len(errs))
	var failed []string
	for name, err := range errs {
		results[name] = "ok"
		if err != nil {
			results[name] = err.Error()
			failed = append(failed, name)
		}
	}
	sort.Strings(failed)
	return results, failed
}

// probe runs one check, turning a panic into an error.
func probe(ctx context.Context, c Check) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("check panicked: %v", r)
		}
	}()
	return c.Probe(ctx)
}
