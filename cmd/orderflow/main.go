// Command orderflow is the one binary of the orderflow order system. Its
// subcommands:
//
//	orderflow serve             migrate the database, open the event store, serve HTTP
//	orderflow migrate           apply pending database migrations
//	orderflow payments-sandbox  serve the sandbox payment provider
//	orderflow projections       rebuild, redrive, reset and report on the read-model projections
//	orderflow events            verify that every stored event decodes
//	orderflow token             mint a bearer token for a customer or an admin
//	orderflow version           print the build's version
//
// Configuration comes from flags and environment variables (see config.go
// and the README); logs are JSON lines on stderr.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	go func() {
		<-ctx.Done()
		stop() // a second signal kills the process at once
	}()
	err := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr)
	stop()
	switch {
	case err == nil:
	case errors.Is(err, errUsage):
		os.Exit(2)
	default:
		fmt.Fprintf(os.Stderr, "orderflow: %v\n", err)
		os.Exit(1)
	}
}

const usage = `usage: orderflow <command> [flags]

commands:
  serve             migrate the database, open the event store and serve HTTP
  migrate           apply pending database migrations
  payments-sandbox  serve the sandbox payment provider (test mode, in memory)
  projections       status, rebuild NAME, redrive NAME, reset --adopt-event-store: the read-model projections
  events            verify: decode every stored event, list those that do not (a pre-deploy check)
  probe             GET a health endpoint, exit 0 on a 2xx: a container health check
  token             print a bearer token for --sub and --role, signed with ORDERFLOW_JWT_SECRET
  version           print the version

Run 'orderflow <command> -h' for a command's flags.
`

// run runs the subcommand named by args[0] until it is done or ctx ends.
// It reads the environment only through getenv and writes only to stdout
// (command output) and stderr (logs and usage).
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return fmt.Errorf("%w: no command", errUsage)
	}
	name, args := args[0], args[1:]
	var err error
	switch name {
	case "serve":
		err = runServe(ctx, args, getenv, stderr)
	case "migrate":
		err = runMigrate(ctx, args, getenv, stdout, stderr)
	case "payments-sandbox":
		err = runPaymentsSandbox(ctx, args, getenv, stderr)
	case "projections":
		err = runProjections(ctx, args, getenv, stdout, stderr, readModels())
	case "events":
		err = runEvents(ctx, args, getenv, stdout, stderr)
	case "probe":
		err = runProbe(ctx, args, stderr)
	case "token":
		err = runToken(ctx, args, getenv, stdout, stderr)
	case "version":
		err = runVersion(args, stdout, stderr)
	case "help", "-h", "-help", "--help":
		fmt.Fprint(stdout, usage)
		return nil
	default:
		fmt.Fprint(stderr, usage)
		return fmt.Errorf("%w: unknown command %q", errUsage, name)
	}
	if errors.Is(err, flag.ErrHelp) {
		return nil
	}
	return err
}
