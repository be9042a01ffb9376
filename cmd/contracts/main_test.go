package main

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/orderflow/orderflow/contracts"
)

func TestCheck(t *testing.T) {
	var out, errOut bytes.Buffer
	if err := run([]string{"check"}, &out, &errOut, contracts.Check); err != nil {
		t.Fatalf("check: %v\n%s", err, out.String())
	}
	if got := out.String(); got != "no breaking changes against the released contracts\n" {
		t.Fatalf("check printed %q", got)
	}
}

func TestRelease(t *testing.T) {
	dir := t.TempDir()
	var out, errOut bytes.Buffer
	if err := run([]string{"release", "-dir", dir}, &out, &errOut, contracts.Check); err != nil {
		t.Fatalf("release: %v", err)
	}
	cur := contracts.Current()
	for name, want := range map[string][]byte{contracts.OpenAPIFile: cur.OpenAPI, contracts.GraphQLFile: []byte(cur.GraphQL)} {
		got, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s released is not the current contract", name)
		}
	}
	want := "released " + filepath.Join(dir, contracts.OpenAPIFile) + "\nreleased " + filepath.Join(dir, contracts.GraphQLFile) + "\n"
	if out.String() != want {
		t.Errorf("release printed %q, want %q", out.String(), want)
	}
}

func TestUsage(t *testing.T) {
	for _, args := range [][]string{nil, {"publish"}, {"release", "-force"}} {
		var out, errOut bytes.Buffer
		if err := run(args, &out, &errOut, contracts.Check); !errors.Is(err, errUsage) {
			t.Errorf("%q: err = %v, want the usage", args, err)
		}
	}
}

// TestBreakingIsRefused: with a breaking change, check fails listing it,
// and release refuses and writes nothing unless told the break was
// decided.
func TestBreakingIsRefused(t *testing.T) {
	breaking := func() ([]contracts.Change, error) {
		return []contracts.Change{{Contract: "graphql", Kind: contracts.GraphQLFieldRemoved, Message: "field Order.total removed"}}, nil
	}
	const listed = "breaking: graphql FIELD_REMOVED: field Order.total removed\n"
	var out, errOut bytes.Buffer
	if err := run([]string{"check"}, &out, &errOut, breaking); !errors.Is(err, errBreaking) || out.String() != listed {
		t.Fatalf("check: %v, printed %q", err, out.String())
	}
	dir := t.TempDir()
	out.Reset()
	if err := run([]string{"release", "-dir", dir}, &out, &errOut, breaking); !errors.Is(err, errBreaking) || out.String() != listed {
		t.Fatalf("release: %v, printed %q", err, out.String())
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Fatalf("a refused release wrote %d files", len(entries))
	}
	out.Reset()
	if err := run([]string{"release", "-accept-breaking", "-dir", dir}, &out, &errOut, breaking); err != nil {
		t.Fatalf("release -accept-breaking: %v", err)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 2 {
		t.Fatalf("release -accept-breaking wrote %d files, want 2", len(entries))
	}
}
