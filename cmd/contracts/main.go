// Command contracts checks the API contracts against their released
// baselines and releases new baselines (package contracts). Run it from
// the module's root, as `make contracts-release` does:
//
//	go run ./cmd/contracts check                      list the breaking changes; exit 1 if there are any
//	go run ./cmd/contracts release [-accept-breaking] write the current contracts as the released baselines
//
// release refuses while the current contracts break the released ones,
// listing the changes, unless -accept-breaking says the break was decided
// (with a new API version: see README.md, Compatibility).
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/orderflow/orderflow/contracts"
)

func main() {
	if err := run(os.Args[1:], os.Stdout, os.Stderr, contracts.Check); err != nil {
		if !errors.Is(err, errUsage) {
			fmt.Fprintf(os.Stderr, "contracts: %v\n", err)
		}
		os.Exit(1)
	}
}

const usage = `usage: contracts check | contracts release [-accept-breaking] [-dir DIR]
`

var errUsage = errors.New("usage")

// errBreaking is check's and release's answer to breaking changes.
var errBreaking = errors.New("the current contracts break the released ones")

// run runs the command of args, writing its report to stdout; check
// finds the breaking changes (contracts.Check).
func run(args []string, stdout, stderr io.Writer, check func() ([]contracts.Change, error)) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return errUsage
	}
	fs := flag.NewFlagSet(args[0], flag.ContinueOnError)
	fs.SetOutput(stderr)
	accept := fs.Bool("accept-breaking", false, "release even though the current contracts break the released ones")
	dir := fs.String("dir", contracts.ReleasedDir, "where the released baselines are written")
	if err := fs.Parse(args[1:]); err != nil {
		return errUsage
	}
	changes, err := check()
	if err != nil {
		return err
	}
	for _, c := range changes {
		fmt.Fprintf(stdout, "breaking: %s\n", c)
	}
	switch args[0] {
	case "check":
		if len(changes) > 0 {
			return fmt.Errorf("%w: breaking changes: %d", errBreaking, len(changes))
		}
		fmt.Fprintln(stdout, "no breaking changes against the released contracts")
		return nil
	case "release":
		if len(changes) > 0 && !*accept {
			return fmt.Errorf("%w (breaking changes: %d): keep them compatible, or decide the break, give it a new API version and run again with -accept-breaking (make contracts-release ACCEPT_BREAKING=1)", errBreaking, len(changes))
		}
		return release(*dir, stdout)
	default:
		fmt.Fprint(stderr, usage)
		return errUsage
	}
}

// release writes the current contracts into dir as the released
// baselines.
func release(dir string, stdout io.Writer) error {
	cur := contracts.Current()
	for _, f := range []struct {
		name string
		data []byte
	}{{contracts.OpenAPIFile, cur.OpenAPI}, {contracts.GraphQLFile, []byte(cur.GraphQL)}} {
		path := filepath.Join(dir, f.name)
		if err := os.WriteFile(path, f.data, 0o644); err != nil {
			return fmt.Errorf("release %s: %w", f.name, err)
		}
		fmt.Fprintf(stdout, "released %s\n", path)
	}
	return nil
}
