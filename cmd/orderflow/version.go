package main

import (
	"fmt"
	"io"
	"runtime"
	"runtime/debug"
)

// version is set at link time (-ldflags "-X main.version=..."), as the
// Makefile and the Dockerfile do. When it is empty the version comes from
// the build information Go records.
var version string

// runVersion prints "orderflow VERSION GOVERSION".
func runVersion(args []string, stdout, stderr io.Writer) error {
	if _, err := loadConfig("version", 0, args, func(string) string { return "" }, stderr); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "orderflow %s %s\n", buildVersion(), runtime.Version())
	return nil
}

// buildVersion returns the link-time version, else the VCS revision Go
// recorded (with "-dirty" for uncommitted changes), else the module
// version, else "devel".
func buildVersion() string {
	if version != "" {
		return version
	}
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return "devel"
	}
	var revision, modified string
	for _, s := range info.Settings {
		switch s.Key {
		case "vcs.revision":
			revision = s.Value
		case "vcs.modified":
			modified = s.Value
		}
	}
	switch {
	case revision != "" && modified == "true":
		return revision[:min(12, len(revision))] + "-dirty"
	case revision != "":
		return revision[:min(12, len(revision))]
	case info.Main.Version != "" && info.Main.Version != "(devel)":
		return info.Main.Version
	default:
		return "devel"
	}
}
