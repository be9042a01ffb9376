package main

import (
	"fmt"
	"io"
)

// runSubcommand runs the command of group (as in `orderflow group command
// ...`) that args name, with the rest of args. No command, or one not in
// cmds, prints usage to stderr and is a usage error; help prints it to
// stdout.
func runSubcommand(group, usage string, args []string, stdout, stderr io.Writer, cmds map[string]func(args []string) error) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return fmt.Errorf("%w: no %s command", errUsage, group)
	}
	name, rest := args[0], args[1:]
	if run, ok := cmds[name]; ok {
		return run(rest)
	}
	switch name {
	case "help", "-h", "-help", "--help":
		fmt.Fprint(stdout, usage)
		return nil
	}
	fmt.Fprint(stderr, usage)
	return fmt.Errorf("%w: unknown %s command %q", errUsage, group, name)
}
