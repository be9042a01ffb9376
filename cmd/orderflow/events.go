package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"time"

	"github.com/schollz/progressbar/v3"

	"github.com/orderflow/orderflow/schema/eventschema"
)

const eventsUsage = `usage: orderflow events <command> [flags]

commands:
  verify   read the whole event log and decode every event; list those that do not decode (exit status 1)

Run 'orderflow events <command> -h' for a command's flags.
`

// runEvents runs `orderflow events ...`.
func runEvents(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	return runSubcommand("events", eventsUsage, args, stdout, stderr, map[string]func([]string) error{
		"verify": func(args []string) error { return eventsVerify(ctx, args, getenv, stdout, stderr) },
	})
}

// eventsVerify reads the whole log of the configured event store through
// the codecs (eventschema.Verify). It writes each event that does not
// decode and a summary to stdout, its progress to stderr, and returns an
// error wrapping eventschema.ErrUndecodable when any event does not
// decode: a check to run before deploying new code on an old log.
func eventsVerify(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	cfg, err := loadConfig("events verify", withDatabase|withEventStore, args, getenv, stderr)
	if err != nil {
		return err
	}
	// Information logs would break the progress bar's line.
	logger := newLogger(stderr, max(cfg.LogLevel, slog.LevelWarn))
	store, err := openEventStore(ctx, cfg, logger)
	if err != nil {
		return err
	}
	defer closeStore(ctx, store, logger)
	var total int64 = -1
	if count := logCounter(store); count != nil {
		n, err := count(ctx)
		if err != nil {
			logger.WarnContext(ctx, "events verify: could not count the log; the progress shows no total", "err", err)
		} else {
			total = n
		}
	}
	progress := newVerifyProgress(stderr, total)
	res, err := eventschema.Verify(ctx, store, eventschema.VerifyOptions{
		Progress: progress.update,
		Undecodable: func(u eventschema.Undecodable) {
			progress.clear()
			fmt.Fprintln(stdout, formatUndecodable(u))
		},
	})
	progress.finish(res.Events, err)
	if err != nil {
		return fmt.Errorf("verify the event log (%s) after %d events: %w", eventStoreKind(cfg), res.Events, err)
	}
	if res.Undecodable > 0 {
		fmt.Fprintf(stdout, "verified %d events up to position %s: %d do not decode\n", res.Events, res.Head, res.Undecodable)
		return fmt.Errorf("%d of %d %w", res.Undecodable, res.Events, eventschema.ErrUndecodable)
	}
	fmt.Fprintf(stdout, "verified %d events up to position %s: every one decodes\n", res.Events, res.Head)
	return nil
}

// formatUndecodable is the line of an event that does not decode.
func formatUndecodable(u eventschema.Undecodable) string {
	v := "none"
	if u.V != 0 {
		v = fmt.Sprint(u.V)
	}
	return fmt.Sprintf("undecodable position=%s stream=%s revision=%d type=%q v=%s error=%q", u.Position, u.Stream, u.Revision, u.Type, v, u.Err.Error())
}

// verifyProgress shows how far a verification has read: a progress bar
// on a terminal, otherwise a plain line every plainEvery and at the end.
type verifyProgress struct {
	w     io.Writer
	bar   *progressbar.ProgressBar
	total int64
	last  time.Time
}

// plainEvery is how often a verification not shown on a terminal says how
// far it has read.
const plainEvery = 5 * time.Second

// newVerifyProgress returns the progress of a verification of total
// events (-1 when unknown) written to w.
func newVerifyProgress(w io.Writer, total int64) *verifyProgress {
	p := &verifyProgress{w: w, total: total, last: time.Now()}
	if !isTerminal(w) {
		return p
	}
	p.bar = progressbar.NewOptions64(total,
		progressbar.OptionSetWriter(w),
		progressbar.OptionSetDescription("verify events"),
		progressbar.OptionSetWidth(30),
		progressbar.OptionShowCount(),
		progressbar.OptionShowIts(),
		progressbar.OptionSetItsString("events"),
		progressbar.OptionSetPredictTime(true),
		progressbar.OptionThrottle(100*time.Millisecond),
		progressbar.OptionSetSpinnerChangeInterval(0),
		progressbar.OptionOnCompletion(func() { fmt.Fprintln(w) }),
	)
	return p
}

// update reports that done events have been read.
func (p *verifyProgress) update(done int64) {
	if p.bar != nil {
		if p.total >= 0 && done > p.total {
			p.total = done
			p.bar.ChangeMax64(done)
		}
		_ = p.bar.Set64(done)
		return
	}
	if time.Since(p.last) >= plainEvery {
		p.last = time.Now()
		fmt.Fprintf(p.w, "verify events: %d%s read\n", done, p.of())
	}
}

// clear takes the bar off its line, for a line of output.
func (p *verifyProgress) clear() {
	if p.bar != nil {
		_ = p.bar.Clear()
	}
}

// finish ends the progress after done events, with err when reading failed.
func (p *verifyProgress) finish(done int64, err error) {
	if p.bar != nil {
		if err != nil {
			_ = p.bar.Exit()
			return
		}
		p.bar.ChangeMax64(done)
		_ = p.bar.Finish()
		return
	}
	if err == nil {
		fmt.Fprintf(p.w, "verify events: %d read, done\n", done)
	}
}

// of is " of N" when the total is known.
func (p *verifyProgress) of() string {
	if p.total < 0 {
		return ""
	}
	return fmt.Sprintf(" of %d", p.total)
}

// isTerminal reports whether w is a terminal (a character device).
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}
