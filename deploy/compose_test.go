package deploy

import (
	"context"
	"fmt"
	"maps"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/compose-spec/compose-go/v2/cli"
	"github.com/compose-spec/compose-go/v2/types"
)

const composeFile = "../docker-compose.yml"

// loadCompose loads compose YAML the way docker compose does, with an empty
// environment so that nothing on the test machine changes the outcome.
func loadCompose(t *testing.T, yaml []byte) *types.Project {
	t.Helper()
	dir := t.TempDir()
	path := filepath.Join(dir, "docker-compose.yml")
	if err := os.WriteFile(path, yaml, 0o644); err != nil {
		t.Fatal(err)
	}
	opts, err := cli.NewProjectOptions([]string{path}, cli.WithWorkingDirectory(dir))
	if err != nil {
		t.Fatalf("compose options: %v", err)
	}
	p, err := opts.LoadProject(context.Background())
	if err != nil {
		t.Fatalf("load compose file: %v", err)
	}
	return p
}

func readCompose(t *testing.T) []byte {
	t.Helper()
	b, err := os.ReadFile(composeFile)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestComposeFile(t *testing.T) {
	for _, p := range problems(loadCompose(t, readCompose(t))) {
		t.Error(p)
	}
	if _, err := os.Stat("../Dockerfile"); err != nil {
		t.Errorf("the orderflow service builds ../Dockerfile: %v", err)
	}
}

// TestComposeChecksCatchMistakes breaks the compose file in small ways and
// makes sure problems notices each.
func TestComposeChecksCatchMistakes(t *testing.T) {
	tests := []struct {
		name, old, new, want string
	}{
		{"orderflow starts before postgres is healthy", "      postgres:\n        condition: service_healthy", "      postgres:\n        condition: service_started", `orderflow depends_on`},
		{"event store URL names localhost", "esdb://eventstore:2113?tls=false", "esdb://localhost:2113?tls=false", `EVENTSTORE_URL`},
		{"database URL names another host", "@postgres:5432/", "@db:5432/", `DATABASE_URL`},
		{"database URL has the wrong password", "orderflow:orderflow@postgres", "orderflow:secret@postgres", `DATABASE_URL`},
		{"event store secure", `EVENTSTORE_INSECURE: "true"`, `EVENTSTORE_INSECURE: "false"`, `EVENTSTORE_INSECURE`},
		{"event store clustered", `EVENTSTORE_CLUSTER_SIZE: "1"`, `EVENTSTORE_CLUSTER_SIZE: "3"`, `EVENTSTORE_CLUSTER_SIZE`},
		{"postgres without healthcheck", `test: ["CMD", "pg_isready", "-U", "orderflow", "-d", "orderflow"]`, `disable: true`, `postgres healthcheck`},
		{"port not published", `"8080:8080"`, `"8081:8080"`, `orderflow ports`},
		{"serving on loopback only", `"--addr", "0.0.0.0:8080"]`, `"--addr", "127.0.0.1:8080"]`, `orderflow command`},
		{"no restart policy", "    restart: unless-stopped\n\nvolumes:", "\nvolumes:", `orderflow restart`},
	}
	original := string(readCompose(t))
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if strings.Count(original, tt.old) != 1 {
				t.Fatalf("the compose file no longer contains %q exactly once: update this case", tt.old)
			}
			broken := strings.Replace(original, tt.old, tt.new, 1)
			got := problems(loadCompose(t, []byte(broken)))
			if !slices.ContainsFunc(got, func(p string) bool { return strings.Contains(p, tt.want) }) {
				t.Errorf("problems = %q, want one about %s", got, tt.want)
			}
		})
	}
}

// problems lists every way p differs from the development stack orderflow
// expects: an insecure single-node EventStoreDB, PostgreSQL 15, and
// orderflow wired to both by service name, each with a healthcheck or a
// healthy dependency, a restart policy and the right ports.
func problems(p *types.Project) []string {
	var out []string
	fail := func(format string, args ...any) { out = append(out, fmt.Sprintf(format, args...)) }

	if got := slices.Sorted(maps.Keys(p.Services)); !reflect.DeepEqual(got, []string{"eventstore", "orderflow", "postgres"}) {
		fail("services = %v, want eventstore, orderflow, postgres", got)
		return out
	}
	es, pg, app := p.Services["eventstore"], p.Services["postgres"], p.Services["orderflow"]

	for _, s := range []types.ServiceConfig{es, pg, app} {
		if s.Restart != types.RestartPolicyUnlessStopped {
			fail("%s restart = %q, want %q", s.Name, s.Restart, types.RestartPolicyUnlessStopped)
		}
	}

	// EventStoreDB: one insecure node, no projections, healthchecked.
	if !strings.HasPrefix(es.Image, "eventstore/eventstore:24.") {
		fail("eventstore image = %q, want eventstore/eventstore:24.x", es.Image)
	}
	for k, want := range map[string]string{
		"EVENTSTORE_CLUSTER_SIZE":               "1",
		"EVENTSTORE_INSECURE":                   "true",
		"EVENTSTORE_RUN_PROJECTIONS":            "None",
		"EVENTSTORE_START_STANDARD_PROJECTIONS": "false",
		"EVENTSTORE_NODE_PORT":                  "2113",
		"EVENTSTORE_MAX_APPEND_SIZE":            "2097152",
	} {
		if got := env(es, k); got != want {
			fail("eventstore %s = %q, want %q", k, got, want)
		}
	}
	checkHealth(es, []string{"CMD-SHELL", "curl -fsS http://localhost:2113/health/live || exit 1"}, fail)
	checkPorts(es, []types.ServicePortConfig{{HostIP: "127.0.0.1", Published: "2113", Target: 2113}}, fail)

	// PostgreSQL 15, healthchecked with pg_isready.
	if pg.Image != "postgres:15" {
		fail("postgres image = %q, want postgres:15", pg.Image)
	}
	pgUser, pgPassword, pgDB := env(pg, "POSTGRES_USER"), env(pg, "POSTGRES_PASSWORD"), env(pg, "POSTGRES_DB")
	checkHealth(pg, []string{"CMD", "pg_isready", "-U", pgUser, "-d", pgDB}, fail)

	// orderflow: built here, serving on 8080, wired to both by service name.
	if app.Build == nil || app.Build.Context != p.WorkingDir || app.Build.Dockerfile != "Dockerfile" {
		fail("orderflow build = %+v, want context . and Dockerfile", app.Build)
	}
	if want := (types.ShellCommand{"serve", "--addr", "0.0.0.0:8080"}); !reflect.DeepEqual(app.Command, want) {
		fail("orderflow command = %q, want %q", app.Command, want)
	}
	checkPorts(app, []types.ServicePortConfig{{Published: "8080", Target: 8080}}, fail)
	wantDeps := map[string]string{"eventstore": types.ServiceConditionHealthy, "postgres": types.ServiceConditionHealthy}
	gotDeps := map[string]string{}
	for name, d := range app.DependsOn {
		gotDeps[name] = d.Condition
		if !d.Required {
			fail("orderflow depends_on %s is not required", name)
		}
	}
	if !reflect.DeepEqual(gotDeps, wantDeps) {
		fail("orderflow depends_on = %v, want %v", gotDeps, wantDeps)
	}
	if got, want := env(app, "EVENTSTORE_URL"), "esdb://eventstore:2113?tls=false"; got != want {
		fail("orderflow EVENTSTORE_URL = %q, want %q", got, want)
	}
	checkDatabaseURL(env(app, "DATABASE_URL"), pgUser, pgPassword, pgDB, fail)
	return out
}

// checkDatabaseURL wants a URL to the postgres service with its credentials.
func checkDatabaseURL(raw, user, password, db string, fail func(string, ...any)) {
	u, err := url.Parse(raw)
	if err != nil {
		fail("orderflow DATABASE_URL %q: %v", raw, err)
		return
	}
	gotPassword, _ := u.User.Password()
	if u.Scheme != "postgres" || u.Host != "postgres:5432" || u.User.Username() != user || gotPassword != password ||
		u.Path != "/"+db || u.RawQuery != "sslmode=disable" {
		fail("orderflow DATABASE_URL = %q, want postgres://%s:%s@postgres:5432/%s?sslmode=disable", raw, user, password, db)
	}
}

func checkHealth(s types.ServiceConfig, want []string, fail func(string, ...any)) {
	if s.HealthCheck == nil || s.HealthCheck.Disable || !reflect.DeepEqual([]string(s.HealthCheck.Test), want) {
		fail("%s healthcheck = %+v, want test %q", s.Name, s.HealthCheck, want)
		return
	}
	if s.HealthCheck.Interval == nil || s.HealthCheck.Retries == nil || s.HealthCheck.StartPeriod == nil {
		fail("%s healthcheck lacks interval, retries or start_period", s.Name)
	}
}

func checkPorts(s types.ServiceConfig, want []types.ServicePortConfig, fail func(string, ...any)) {
	var got []types.ServicePortConfig
	for _, p := range s.Ports {
		got = append(got, types.ServicePortConfig{HostIP: p.HostIP, Published: p.Published, Target: p.Target})
	}
	if !reflect.DeepEqual(got, want) {
		fail("%s ports = %+v, want %+v", s.Name, got, want)
	}
}

// env returns the value of k in s's environment, "" when unset.
func env(s types.ServiceConfig, k string) string {
	if v := s.Environment[k]; v != nil {
		return *v
	}
	return ""
}
