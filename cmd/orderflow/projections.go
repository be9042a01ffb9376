package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/schollz/progressbar/v3"

	"github.com/orderflow/orderflow/eventstore"
	"github.com/orderflow/orderflow/platform/migrate"
	"github.com/orderflow/orderflow/projections"
	"github.com/orderflow/orderflow/projections/readmodels"
	"github.com/orderflow/orderflow/sagas/fulfillment/runner"
)

// readModels returns the projections this binary runs: every read model
// (readmodels.All).
func readModels() []projections.Projection { return readmodels.All() }

const projectionsUsage = `usage: orderflow projections <command> [flags]

commands:
  status                  every projection's generation, position, lag, rate, state and dead letters
  rebuild NAME            rebuild projection NAME from the whole log, without downtime
  redrive NAME [--id N]   apply the parked events of NAME again: all of them, or dead letter N
  reset --adopt-event-store
                          after the event store was switched or wiped: forget what came from
                          another event store, to rebuild it from this one's log

Run 'orderflow projections <command> -h' for a command's flags.
`

// runProjections runs `orderflow projections ...` over the projections of
// registry.
func runProjections(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer, registry []projections.Projection) error {
	cmd := func(run func(context.Context, []string, func(string) string, io.Writer, io.Writer, []projections.Projection) error) func([]string) error {
		return func(args []string) error { return run(ctx, args, getenv, stdout, stderr, registry) }
	}
	return runSubcommand("projections", projectionsUsage, args, stdout, stderr, map[string]func([]string) error{
		"status":  cmd(projectionsStatus),
		"rebuild": cmd(projectionsRebuild),
		"redrive": cmd(projectionsRedrive),
		"reset":   cmd(projectionsReset),
	})
}

func projectionsStatus(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer, registry []projections.Projection) error {
	cfg, err := loadConfig("projections status", withDatabase|withEventStore, args, getenv, stderr)
	if err != nil {
		return err
	}
	if len(registry) == 0 {
		fmt.Fprintln(stdout, "no projections are registered")
		return nil
	}
	return withProjections(ctx, cfg, newLogger(stderr, cfg.LogLevel), registry, func(m *projections.Manager) error {
		all, err := m.Status(ctx)
		if err != nil {
			return err
		}
		printStatus(stdout, all)
		return nil
	})
}

// printStatus writes statuses as a table, with the errors and rebuilds in
// progress below it.
func printStatus(w io.Writer, all []projections.Status) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "NAME\tSTATE\tGENERATION\tVERSION\tPOSITION\tBEHIND\tLAG\tEVENTS/S\tPARKED\tOWNER")
	for _, s := range all {
		version := strconv.Itoa(s.Version)
		if s.Version != s.CodeVersion {
			version = fmt.Sprintf("%d (this binary: %d)", s.Version, s.CodeVersion)
		}
		behind := strconv.FormatInt(s.Behind, 10)
		if s.BehindAtLeast {
			behind = ">" + behind
		}
		owner := s.Owner
		if owner == "" {
			owner = "-"
		}
		fmt.Fprintf(tw, "%s\t%s\t%d\t%s\t%s\t%s\t%s\t%.1f\t%d\t%s\n", s.Name, s.State, s.Generation, version,
			s.Position, behind, s.Lag.Round(time.Millisecond), s.Rate, s.DeadLetters, owner)
	}
	tw.Flush()
	for _, s := range all {
		if s.LastError != "" {
			fmt.Fprintf(w, "%s failed: %s\n", s.Name, s.LastError)
		}
		if r := s.Rebuild; r != nil {
			fmt.Fprintf(w, "%s: rebuilding generation %d (version %d) by %s: %d of %s events, %.0f events/s, started %s\n",
				s.Name, r.Generation, r.Version, r.Owner, r.Done, unknownIfZero(r.Total), r.Rate, r.StartedAt.Format(time.RFC3339))
		}
	}
}

func unknownIfZero(n int64) string {
	if n == 0 {
		return "?"
	}
	return strconv.FormatInt(n, 10)
}

func projectionsRebuild(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer, registry []projections.Projection) error {
	name, args, err := projectionName("rebuild", args, registry, stderr)
	if err != nil {
		return err
	}
	cfg, err := loadConfig("projections rebuild", withDatabase|withEventStore, args, getenv, stderr)
	if err != nil {
		return err
	}
	// Information logs would break the progress bar's line; the summary
	// says what they would have.
	logger := newLogger(stderr, max(cfg.LogLevel, slog.LevelWarn))
	return withProjections(ctx, cfg, logger, registry, func(m *projections.Manager) error {
		bar := progressbar.NewOptions64(-1,
			progressbar.OptionSetWriter(stderr),
			progressbar.OptionSetDescription("rebuild "+name),
			progressbar.OptionSetWidth(30),
			progressbar.OptionShowCount(),
			progressbar.OptionSetPredictTime(true), // elapsed and ETA
			progressbar.OptionShowElapsedTimeOnFinish(),
			progressbar.OptionThrottle(100*time.Millisecond),
			// No redraw goroutine while the total is unknown: the bar
			// redraws on progress.
			progressbar.OptionSetSpinnerChangeInterval(0),
			progressbar.OptionOnCompletion(func() { fmt.Fprintln(stderr) }),
		)
		var barMax int64 = -1
		res, err := m.Rebuild(ctx, name, func(done, total int64, rate float64) {
			if total > 0 && total != barMax {
				barMax = total
				bar.ChangeMax64(total)
			}
			bar.Describe(fmt.Sprintf("rebuild %s, %.0f events/s", name, rate))
			_ = bar.Set64(done)
		})
		if err != nil {
			_ = bar.Exit()
			return err
		}
		if barMax < res.Events {
			bar.ChangeMax64(res.Events)
		}
		_ = bar.Set64(res.Events)
		_ = bar.Finish()
		fmt.Fprintln(stdout, rebuildSummary(res))
		return nil
	})
}

// rebuildSummary says in a line or two what a rebuild did.
func rebuildSummary(r projections.RebuildResult) string {
	var b strings.Builder
	from := "none"
	if r.Previous > 0 {
		from = strconv.Itoa(r.Previous)
	}
	rate := 0.0
	if s := r.Duration.Seconds(); s > 0 {
		rate = float64(r.Events) / s
	}
	fmt.Fprintf(&b, "rebuilt %s (version %d): generation %s -> %d, %d events in %s (%.0f events/s), live at position %s",
		r.Name, r.Version, from, r.Generation, r.Events, r.Duration.Round(time.Millisecond), rate, r.Position)
	switch r.Parked {
	case 0:
		b.WriteString(", nothing parked")
	case 1:
		fmt.Fprintf(&b, "\n1 event parked: see `orderflow projections status`; retry it with `orderflow projections redrive %s`", r.Name)
	default:
		fmt.Fprintf(&b, "\n%d events parked: see `orderflow projections status`; retry them with `orderflow projections redrive %s`", r.Parked, r.Name)
	}
	return b.String()
}

func projectionsRedrive(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer, registry []projections.Projection) error {
	name, args, err := projectionName("redrive", args, registry, stderr)
	if err != nil {
		return err
	}
	idText, args, err := cutFlag(args, "id")
	if err != nil {
		fmt.Fprintln(stderr, "orderflow projections redrive:", err)
		return fmt.Errorf("%w: %v", errUsage, err)
	}
	var id int64
	if idText != "" {
		if id, err = strconv.ParseInt(idText, 10, 64); err != nil || id <= 0 {
			fmt.Fprintf(stderr, "orderflow projections redrive: --id %q is not a dead letter id\n", idText)
			return fmt.Errorf("%w: bad --id %q", errUsage, idText)
		}
	}
	cfg, err := loadConfig("projections redrive", withDatabase|withEventStore, args, getenv, stderr)
	if err != nil {
		return err
	}
	return withProjections(ctx, cfg, newLogger(stderr, cfg.LogLevel), registry, func(m *projections.Manager) error {
		res, err := m.Redrive(ctx, name, id)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "redrove %s: %d applied, %d still failing\n", name, res.Applied, len(res.Failed))
		for _, d := range res.Failed {
			fmt.Fprintf(stdout, "  dead letter %d (event %s, %s@%d, %s, attempt %d): %s\n",
				d.ID, d.EventID, d.Stream, d.Revision, d.Type, d.Attempts, d.Reason)
		}
		return nil
	})
}

// projectionName takes the NAME argument of cmd from the front of args and
// checks that registry has it, before anything connects to a database.
func projectionName(cmd string, args []string, registry []projections.Projection, stderr io.Writer) (string, []string, error) {
	if len(args) == 0 || strings.HasPrefix(args[0], "-") {
		if len(args) > 0 && (args[0] == "-h" || args[0] == "-help" || args[0] == "--help") {
			fmt.Fprint(stderr, projectionsUsage)
			return "", nil, flag.ErrHelp
		}
		fmt.Fprintf(stderr, "orderflow projections %s: name the projection: orderflow projections %s NAME\n", cmd, cmd)
		return "", nil, fmt.Errorf("%w: no projection named", errUsage)
	}
	name := args[0]
	names := make([]string, 0, len(registry)+1)
	for _, p := range registry {
		names = append(names, p.Name())
	}
	// The saga's intake, a consumer, is reported on and redriven here too.
	names = append(names, runner.IntakeName)
	if slices.Contains(names, name) {
		return name, args[1:], nil
	}
	known := "none are registered in this binary"
	if len(names) > 0 {
		known = "known: " + strings.Join(names, ", ")
	}
	return "", nil, fmt.Errorf("%w %q (%s)", projections.ErrUnknownProjection, name, known)
}

// cutFlag removes the flag -name/--name (with its value as the next
// argument or after "=") from args and returns its value, empty when
// absent. Arguments after "--" are left alone.
func cutFlag(args []string, name string) (value string, rest []string, err error) {
	rest = make([]string, 0, len(args))
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			rest = append(rest, args[i:]...)
			break
		}
		flagName, v, hasValue := strings.Cut(strings.TrimLeft(a, "-"), "=")
		if !strings.HasPrefix(a, "-") || flagName != name {
			rest = append(rest, a)
			continue
		}
		if !hasValue {
			if i+1 == len(args) {
				return "", nil, fmt.Errorf("flag needs an argument: -%s", name)
			}
			i++
			v = args[i]
		}
		value = v
	}
	return value, rest, nil
}

// withProjections connects to the database and the event store, checks
// that the schema is migrated, and calls f with a Manager of registry.
func withProjections(ctx context.Context, cfg Config, logger *slog.Logger, registry []projections.Projection, f func(*projections.Manager) error) error {
	return withProjectionsOf(ctx, cfg, logger, registry, func(m *projections.Manager, _ eventstore.Store, _ *pgxpool.Pool) error { return f(m) })
}

// withProjectionsOf is withProjections that also hands f the event store
// and the pool the Manager uses.
func withProjectionsOf(ctx context.Context, cfg Config, logger *slog.Logger, registry []projections.Projection, f func(*projections.Manager, eventstore.Store, *pgxpool.Pool) error) error {
	pending, err := migrate.Pending(ctx, cfg.DatabaseURL)
	if err != nil {
		return err
	}
	if pending {
		return errors.New("the database schema is not up to date: run `orderflow migrate` first")
	}
	pool, err := openPool(ctx, cfg.DatabaseURL)
	if err != nil {
		return err
	}
	defer pool.Close()
	store, err := openEventStore(ctx, cfg, logger)
	if err != nil {
		return err
	}
	defer closeStore(ctx, store, logger)
	m, err := projections.New(projections.Config{Pool: pool, Store: store, Projections: registry, Logger: logger, CountEvents: logCounter(store),
		Elsewhere: []projections.Projection{sagaIntake(store, pool, logger, cfg.PaymentTimeout)}})
	if err != nil {
		return err
	}
	return f(m, store, pool)
}
