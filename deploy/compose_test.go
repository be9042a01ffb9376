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
	"time"

	"github.com/compose-spec/compose-go/v2/cli"
	"github.com/compose-spec/compose-go/v2/types"
)

const composeFile = "../docker-compose.yml"

const (
	// jwtSecretVar must be set for compose to start the stack.
	jwtSecretVar = "ORDERFLOW_JWT_SECRET"
	// jwtSecretMessage is what compose says when it is not.
	jwtSecretMessage = "set ORDERFLOW_JWT_SECRET, e.g. openssl rand -hex 32"
	// testSecret is the value the compose file is loaded with to check it.
	testSecret = "compose-test-secret"
)

// The sandbox payment provider's address inside its container, and the
// path its health check GETs: one that answers 200 and that the sandbox's
// injected faults never touch.
const (
	paymentsAddr       = "0.0.0.0:8081"
	paymentsURL        = "http://payments:8081"
	paymentsHealthPath = "/v1/sandbox/controls"
)

// probeTimeout is orderflow probe's default timeout; a health check must
// give it longer, or the runtime kills it before it says why it failed.
const probeTimeout = 3 * time.Second

// loadCompose loads compose YAML the way docker compose does, with env as
// the whole environment for interpolation: the process environment and
// .env files are not read, so nothing on the test machine changes the
// outcome.
func loadCompose(t testing.TB, yaml []byte, env map[string]string) (*types.Project, error) {
	t.Helper()
	dir := t.TempDir()
	path := filepath.Join(dir, "docker-compose.yml")
	if err := os.WriteFile(path, yaml, 0o644); err != nil {
		t.Fatal(err)
	}
	var kv []string
	for k, v := range env {
		kv = append(kv, k+"="+v)
	}
	opts, err := cli.NewProjectOptions([]string{path}, cli.WithWorkingDirectory(dir), cli.WithEnv(kv))
	if err != nil {
		t.Fatalf("compose options: %v", err)
	}
	return opts.LoadProject(context.Background())
}

func readCompose(t testing.TB) []byte {
	t.Helper()
	b, err := os.ReadFile(composeFile)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestComposeFile(t *testing.T) {
	yaml := readCompose(t)
	for _, p := range problems(t, yaml) {
		t.Error(p)
	}
	// The shared parts are extension fields merged into the services with
	// YAML anchors; compose keeps the fields and makes no service of them.
	p, err := loadCompose(t, yaml, map[string]string{jwtSecretVar: testSecret})
	if err != nil {
		t.Fatal(err)
	}
	for _, x := range []string{"x-orderflow", "x-orderflow-image"} {
		if _, ok := p.Extensions[x]; !ok {
			t.Errorf("the compose file has no %s extension field; extensions = %v", x, slices.Sorted(maps.Keys(p.Extensions)))
		}
	}
	if _, err := os.Stat("../Dockerfile"); err != nil {
		t.Errorf("the orderflow services build ../Dockerfile: %v", err)
	}
}

// TestComposeChecksCatchMistakes breaks the compose file in small ways and
// makes sure problems notices each.
func TestComposeChecksCatchMistakes(t *testing.T) {
	const (
		projections = "  # The read-model projections, customer notifications among them.\n  projections:\n    <<: *orderflow\n    command: [\"serve\", \"--roles=projections\"]\n"
		paymentsDep = "\n      payments:\n        condition: service_healthy"
		paymentsHC  = "    healthcheck:\n      <<: *orderflow-healthcheck\n      test: [\"CMD\", \"/usr/local/bin/orderflow\", \"probe\", \"--url\", \"http://127.0.0.1:8081/v1/sandbox/controls\"]\n"
		secret      = `"${ORDERFLOW_JWT_SECRET:?set ORDERFLOW_JWT_SECRET, e.g. openssl rand -hex 32}"`
	)
	tests := []struct {
		name, old, new, want string
	}{
		// Wiring to the event store and the database.
		{"roles start before postgres is healthy", "    postgres:\n      condition: service_healthy", "    postgres:\n      condition: service_started", `api depends_on`},
		{"event store URL names localhost", "esdb://eventstore:2113?tls=false", "esdb://localhost:2113?tls=false", `EVENTSTORE_URL`},
		{"database URL names another host", "@postgres:5432/", "@db:5432/", `DATABASE_URL`},
		{"database URL has the wrong password", "orderflow:orderflow@postgres", "orderflow:secret@postgres", `DATABASE_URL`},
		{"event store secure", `EVENTSTORE_INSECURE: "true"`, `EVENTSTORE_INSECURE: "false"`, `EVENTSTORE_INSECURE`},
		{"event store clustered", `EVENTSTORE_CLUSTER_SIZE: "1"`, `EVENTSTORE_CLUSTER_SIZE: "3"`, `EVENTSTORE_CLUSTER_SIZE`},
		{"event store append limit default", "to 1 MiB.\n      EVENTSTORE_MAX_APPEND_SIZE: \"2097152\"", "to 1 MiB.\n      EVENTSTORE_MAX_APPEND_SIZE: \"1048576\"", `eventstore EVENTSTORE_MAX_APPEND_SIZE`},
		{"orderflow told another append limit", "set on it below.\n    EVENTSTORE_MAX_APPEND_SIZE: \"2097152\"", "set on it below.\n    EVENTSTORE_MAX_APPEND_SIZE: \"1048576\"", `api EVENTSTORE_MAX_APPEND_SIZE`},

		// The services and their roles.
		{"a role missing", projections, "", `services =`},
		{"projections role also runs sagas", `["serve", "--roles=projections"]`, `["serve", "--roles=projections,sagas"]`, `projections command`},
		{"api replicas 1", "replicas: 2", "replicas: 1", `api replicas`},
		{"api port not published", `"8080-8081:8080"`, `"8080:8080"`, `api ports`},
		{"api serving on loopback only", `"--addr", "0.0.0.0:8080"]`, `"--addr", "127.0.0.1:8080"]`, `api command`},
		{"roles serving on loopback only", `ORDERFLOW_ADDR: "0.0.0.0:8080"`, `ORDERFLOW_ADDR: "127.0.0.1:8080"`, `projections ORDERFLOW_ADDR`},
		{"stray environment variable", projections, projections + "    environment:\n      ORDERFLOW_ROLES: all\n", `projections ORDERFLOW_ROLES`},

		// The payment provider and the sagas that charge through it.
		{"sagas start before payments is healthy", paymentsDep, "\n      payments:\n        condition: service_started", `sagas depends_on`},
		{"sagas do not wait for payments", paymentsDep, "", `sagas depends_on`},
		{"sagas charge elsewhere", `"http://payments:8081"`, `"http://127.0.0.1:8081"`, `sagas PAYMENT_PROVIDER_URL`},
		{"payments serving on loopback only", `"--addr", "0.0.0.0:8081"]`, `"--addr", "127.0.0.1:8081"]`, `payments command`},

		// Health checks and restart policies.
		{"postgres without healthcheck", `test: ["CMD", "pg_isready", "-U", "orderflow", "-d", "orderflow"]`, `disable: true`, `postgres healthcheck`},
		{"payments without healthcheck", paymentsHC, "", `payments healthcheck`},
		{"payments healthcheck on a path it lacks", "8081/v1/sandbox/controls", "8081/healthz", `payments healthcheck`},
		{"projections healthcheck disabled", projections, projections + "    healthcheck:\n      disable: true\n", `projections healthcheck`},
		{"roles checked for liveness only", "8080/readyz", "8080/healthz", `sagas healthcheck`},
		{"healthcheck timeout shorter than the probe's", "timeout: 5s # more than probe's own 3s", "timeout: 2s", `api healthcheck timeout`},
		{"no restart policy on the orderflow image", "  restart: unless-stopped\n\n# What every `orderflow serve`", "\n# What every `orderflow serve`", `payments restart`},
		{"sagas never restarted", `command: ["serve", "--roles=sagas"]`, `command: ["serve", "--roles=sagas"]` + "\n    restart: \"no\"", `sagas restart`},
		{"event store never restarted", "    restart: unless-stopped\n\n  postgres:", "\n  postgres:", `eventstore restart`},

		// The JWT secret: required, from the environment.
		{"hard-coded JWT secret", secret, `"changeme"`, `ORDERFLOW_JWT_SECRET`},
		{"JWT secret with a default", secret, `"${ORDERFLOW_JWT_SECRET:-changeme}"`, `ORDERFLOW_JWT_SECRET`},
		{"empty JWT secret accepted", "${ORDERFLOW_JWT_SECRET:?", "${ORDERFLOW_JWT_SECRET?", `ORDERFLOW_JWT_SECRET`},
		{"JWT secret required without saying how", secret, `"${ORDERFLOW_JWT_SECRET:?}"`, `ORDERFLOW_JWT_SECRET`},
	}
	original := string(readCompose(t))
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if strings.Count(original, tt.old) != 1 {
				t.Fatalf("the compose file no longer contains %q exactly once: update this case", tt.old)
			}
			broken := strings.Replace(original, tt.old, tt.new, 1)
			got := problems(t, []byte(broken))
			if !slices.ContainsFunc(got, func(p string) bool { return strings.Contains(p, tt.want) }) {
				t.Errorf("problems = %q, want one about %s", got, tt.want)
			}
		})
	}
}

// problems lists every way the compose YAML differs from the development
// stack orderflow expects. Loading it must fail, saying how to set
// ORDERFLOW_JWT_SECRET, when that variable is unset or empty; loaded with
// it set, the project must pass projectProblems.
func problems(t testing.TB, yaml []byte) []string {
	t.Helper()
	var out []string
	for _, c := range []struct {
		name string
		env  map[string]string
	}{
		{"an empty environment", nil},
		{jwtSecretVar + " empty", map[string]string{jwtSecretVar: ""}},
	} {
		if _, err := loadCompose(t, yaml, c.env); err == nil || !strings.Contains(err.Error(), jwtSecretMessage) {
			out = append(out, fmt.Sprintf("loading with %s: err = %v, want %s required with the message %q", c.name, err, jwtSecretVar, jwtSecretMessage))
		}
	}
	p, err := loadCompose(t, yaml, map[string]string{jwtSecretVar: testSecret})
	if err != nil {
		return append(out, fmt.Sprintf("load compose file with %s set: %v", jwtSecretVar, err))
	}
	return append(out, projectProblems(p)...)
}

// role is what differs between the `orderflow serve` services.
type role struct {
	name     string
	command  []string
	env      map[string]string // beyond what every role has
	deps     []string          // beyond eventstore and postgres
	replicas int
	ports    []types.ServicePortConfig
}

var roles = []role{
	{
		name:     "api",
		command:  []string{"serve", "--roles=api", "--addr", "0.0.0.0:8080"},
		replicas: 2,
		// One host port per replica.
		ports: []types.ServicePortConfig{{Published: "8080-8081", Target: 8080}},
	},
	{name: "projections", command: []string{"serve", "--roles=projections"}, replicas: 1},
	{
		name:     "sagas",
		command:  []string{"serve", "--roles=sagas"},
		env:      map[string]string{"PAYMENT_PROVIDER_URL": paymentsURL},
		deps:     []string{"payments"},
		replicas: 1,
	},
}

// projectProblems lists every way p differs from the development stack: an
// insecure single-node EventStoreDB, PostgreSQL 15, the sandbox payment
// provider, and orderflow's api (two replicas), projections and sagas
// roles, each in its own service, wired by service name, each restarted
// unless stopped and with a healthcheck.
func projectProblems(p *types.Project) []string {
	var out []string
	fail := func(format string, args ...any) { out = append(out, fmt.Sprintf(format, args...)) }

	want := []string{"eventstore", "postgres", "payments"}
	for _, r := range roles {
		want = append(want, r.name)
	}
	slices.Sort(want)
	if got := slices.Sorted(maps.Keys(p.Services)); !slices.Equal(got, want) {
		fail("services = %v, want %v", got, want)
		return out
	}
	for _, name := range want {
		if s := p.Services[name]; s.Restart != types.RestartPolicyUnlessStopped {
			fail("%s restart = %q, want %q", s.Name, s.Restart, types.RestartPolicyUnlessStopped)
		}
	}

	// EventStoreDB: one insecure node, no projections, healthchecked.
	es := p.Services["eventstore"]
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
	pg := p.Services["postgres"]
	if pg.Image != "postgres:15" {
		fail("postgres image = %q, want postgres:15", pg.Image)
	}
	pgUser, pgPassword, pgDB := env(pg, "POSTGRES_USER"), env(pg, "POSTGRES_PASSWORD"), env(pg, "POSTGRES_DB")
	checkHealth(pg, []string{"CMD", "pg_isready", "-U", pgUser, "-d", pgDB}, fail)

	// The sandbox payment provider: built here, reachable by the sagas,
	// healthchecked by orderflow probe on a path it serves.
	pay := p.Services["payments"]
	checkBuild(p, pay, fail)
	checkCommand(pay, []string{"payments-sandbox", "--addr", paymentsAddr}, fail)
	checkEnv(pay, map[string]string{"ORDERFLOW_LOG_LEVEL": "info"}, fail)
	checkDeps(pay, nil, fail)
	checkProbe(pay, "http://127.0.0.1:8081"+paymentsHealthPath, fail)
	checkPorts(pay, nil, fail)
	checkReplicas(pay, 1, fail)

	// orderflow serve, one service per role, wired to the stores by service
	// name, each serving its health endpoints on 0.0.0.0:8080.
	databaseURL := (&url.URL{
		Scheme: "postgres", User: url.UserPassword(pgUser, pgPassword), Host: "postgres:5432",
		Path: "/" + pgDB, RawQuery: "sslmode=disable",
	}).String()
	secret := p.Environment[jwtSecretVar]
	if secret == "" {
		fail("the project was loaded without %s", jwtSecretVar)
	}
	for _, r := range roles {
		s := p.Services[r.name]
		checkBuild(p, s, fail)
		checkCommand(s, r.command, fail)
		wantEnv := map[string]string{
			"DATABASE_URL":               databaseURL,
			"EVENTSTORE_URL":             "esdb://eventstore:2113?tls=false",
			"EVENTSTORE_MAX_APPEND_SIZE": "2097152", // the server's, above
			"ORDERFLOW_ADDR":             "0.0.0.0:8080",
			jwtSecretVar:                 secret,
			"ORDERFLOW_LOG_LEVEL":        "info",
		}
		maps.Copy(wantEnv, r.env)
		checkEnv(s, wantEnv, fail)
		checkDeps(s, append([]string{"eventstore", "postgres"}, r.deps...), fail)
		checkProbe(s, "http://127.0.0.1:8080/readyz", fail)
		checkPorts(s, r.ports, fail)
		checkReplicas(s, r.replicas, fail)
	}
	return out
}

// checkBuild wants s built from the Dockerfile at the root.
func checkBuild(p *types.Project, s types.ServiceConfig, fail func(string, ...any)) {
	if s.Build == nil || s.Build.Context != p.WorkingDir || s.Build.Dockerfile != "Dockerfile" {
		fail("%s build = %+v, want context . and Dockerfile", s.Name, s.Build)
	}
}

func checkCommand(s types.ServiceConfig, want []string, fail func(string, ...any)) {
	if !slices.Equal(s.Command, want) {
		fail("%s command = %q, want %q", s.Name, s.Command, want)
	}
}

// checkEnv wants s's environment to be exactly want.
func checkEnv(s types.ServiceConfig, want map[string]string, fail func(string, ...any)) {
	keys := slices.Collect(maps.Keys(want))
	for k := range s.Environment {
		if _, ok := want[k]; !ok {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	for _, k := range keys {
		got, set := s.Environment[k]
		w, wanted := want[k]
		switch {
		case !wanted:
			fail("%s %s is set, want it unset", s.Name, k)
		case !set || got == nil:
			fail("%s %s is unset, want %q", s.Name, k, w)
		case *got != w:
			fail("%s %s = %q, want %q", s.Name, k, *got, w)
		}
	}
}

// checkDeps wants s to depend on exactly the services named, each required
// and healthy before s starts.
func checkDeps(s types.ServiceConfig, names []string, fail func(string, ...any)) {
	want := map[string]string{}
	for _, n := range names {
		want[n] = types.ServiceConditionHealthy
	}
	got := map[string]string{}
	for name, d := range s.DependsOn {
		got[name] = d.Condition
		if !d.Required {
			fail("%s depends_on %s is not required", s.Name, name)
		}
	}
	if !reflect.DeepEqual(got, want) {
		fail("%s depends_on = %v, want %v", s.Name, got, want)
	}
}

// checkProbe wants s healthchecked by orderflow probe GETting target, with a
// timeout longer than the probe's own.
func checkProbe(s types.ServiceConfig, target string, fail func(string, ...any)) {
	if !checkHealth(s, []string{"CMD", "/usr/local/bin/orderflow", "probe", "--url", target}, fail) {
		return
	}
	if s.HealthCheck.Timeout == nil || time.Duration(*s.HealthCheck.Timeout) <= probeTimeout {
		fail("%s healthcheck timeout = %v, want more than the probe's %v", s.Name, s.HealthCheck.Timeout, probeTimeout)
	}
}

// checkHealth wants s's healthcheck to run want, with its timings set. It
// reports whether the test matched.
func checkHealth(s types.ServiceConfig, want []string, fail func(string, ...any)) bool {
	if s.HealthCheck == nil || s.HealthCheck.Disable || !reflect.DeepEqual([]string(s.HealthCheck.Test), want) {
		fail("%s healthcheck = %+v, want test %q", s.Name, s.HealthCheck, want)
		return false
	}
	if s.HealthCheck.Interval == nil || s.HealthCheck.Timeout == nil || s.HealthCheck.Retries == nil || s.HealthCheck.StartPeriod == nil {
		fail("%s healthcheck lacks interval, timeout, retries or start_period", s.Name)
	}
	return true
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

// checkReplicas wants n containers of s: deploy.replicas when n > 1.
func checkReplicas(s types.ServiceConfig, n int, fail func(string, ...any)) {
	if got := s.GetScale(); got != n || n > 1 && (s.Deploy == nil || s.Deploy.Replicas == nil) {
		fail("%s replicas = %d, want deploy.replicas %d", s.Name, got, n)
	}
}

// env returns the value of k in s's environment, "" when unset.
func env(s types.ServiceConfig, k string) string {
	if v := s.Environment[k]; v != nil {
		return *v
	}
	return ""
}
