package deploy

import (
	"os"
	"regexp"
	"strings"
	"testing"
)

// TestDockerfile checks what would only show once an image is built: the
// builder's Go matches go.mod, and the binary is static, as the distroless
// static base (no libc) needs.
func TestDockerfile(t *testing.T) {
	raw, err := os.ReadFile("../Dockerfile")
	if err != nil {
		t.Fatal(err)
	}
	df := string(raw)
	gomod, err := os.ReadFile("../go.mod")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?m)^go (\d+\.\d+)(\.\d+)?$`).FindSubmatch(gomod)
	if m == nil {
		t.Fatal("go.mod has no go directive")
	}
	goMinor := string(m[1])

	var froms []string
	for _, f := range regexp.MustCompile(`(?m)^FROM\s+(.+)$`).FindAllStringSubmatch(df, -1) {
		froms = append(froms, strings.TrimSpace(f[1]))
	}
	want := []string{"golang:" + goMinor + " AS build", "gcr.io/distroless/static-debian12:nonroot"}
	if strings.Join(froms, "\n") != strings.Join(want, "\n") {
		t.Errorf("FROM lines = %q, want %q (go.mod: %s)", froms, want, m[0])
	}
	for _, s := range []string{
		"CGO_ENABLED=0 go build",
		"-o /out/orderflow ./cmd/orderflow",
		"COPY --from=build /out/orderflow /usr/local/bin/orderflow",
		`ENTRYPOINT ["/usr/local/bin/orderflow"]`,
		"USER nonroot:nonroot",
	} {
		if !strings.Contains(df, s) {
			t.Errorf("the Dockerfile lacks %q", s)
		}
	}
}
