package main

import (
	"bytes"
	"context"
	"errors"
	"regexp"
	"runtime"
	"strings"
	"testing"
)

func TestRunCommandLine(t *testing.T) {
	tests := []struct {
		name       string
		args       []string
		err        error
		wantStdout string // a regular expression; empty means no output
		wantStderr string // a substring; empty means no output
	}{
		{name: "no command", args: nil, err: errUsage, wantStderr: "usage: orderflow <command>"},
		{name: "unknown command", args: []string{"fly"}, err: errUsage, wantStderr: "usage: orderflow <command>"},
		{name: "help", args: []string{"help"}, wantStdout: `^usage: orderflow <command>`},
		{name: "command help", args: []string{"serve", "-h"}, wantStderr: "-addr"},
		{
			name:       "version",
			args:       []string{"version"},
			wantStdout: `^orderflow \S+ ` + regexp.QuoteMeta(runtime.Version()) + "\n$",
		},
		{name: "version takes no flags", args: []string{"version", "--addr", ":1"}, err: errUsage, wantStderr: "flag provided but not defined: -addr"},
		{name: "migrate without database", args: []string{"migrate"}, err: errMissingDatabase},
		{name: "serve without database", args: []string{"serve"}, err: errMissingDatabase},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			err := run(context.Background(), tt.args, envOf(nil), &stdout, &stderr)
			if tt.err == nil && err != nil || tt.err != nil && !errors.Is(err, tt.err) {
				t.Fatalf("err = %v, want %v", err, tt.err)
			}
			if tt.wantStdout == "" && stdout.Len() > 0 || tt.wantStdout != "" && !regexp.MustCompile(tt.wantStdout).Match(stdout.Bytes()) {
				t.Errorf("stdout = %q, want it to match %q", stdout.String(), tt.wantStdout)
			}
			if tt.wantStderr == "" && stderr.Len() > 0 || !strings.Contains(stderr.String(), tt.wantStderr) {
				t.Errorf("stderr = %q, want it to contain %q", stderr.String(), tt.wantStderr)
			}
		})
	}
}
