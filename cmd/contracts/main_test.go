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
	if err := run([]string{"check"}, &out, &errOut); err != nil {
		t.Fatalf("check: %v\n%s", err, out.String())
	}
	if got := out.String(); got != "no breaking changes against the released contracts\n" {
		t.Fatalf("check printed %q", got)
	}
}

func TestRelease(t *testing.T) {
	dir := t.TempDir()
	var out, errOut bytes.Buffer
	if err := run([]string{"release", "-dir", dir}, &out, &errOut); err != nil {
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
		if err := run(args, &out, &errOut); !errors.Is(err, errUsage) {
			t.Errorf("%q: err = %v, want the usage", args, err)
		}
	}
}
