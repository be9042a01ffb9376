package fulfillment_test

import (
	"os/exec"
	"strings"
	"testing"
)

// TestImportsTheSagaAlone: the saga package depends on no database, no
// resilience library, no payment provider client and nothing of the
// runner's; and read models that decode saga events get none of the
// runner's dependencies through it (they use PostgreSQL themselves).
func TestImportsTheSagaAlone(t *testing.T) {
	const module = "github.com/orderflow/orderflow/"
	runnerDeps := []string{"github.com/failsafe-go/failsafe-go", module + "paymentprovider", module + "sagas/fulfillment/runner"}
	for _, tc := range []struct {
		pkg    string
		banned []string
	}{
		{"sagas/fulfillment", append(runnerDeps, "github.com/jackc/pgx", module+"platform/lease", module+"eventstore/pg", module+"write/service")},
		{"projections/fulfillmentview", runnerDeps},
		{"projections/timelineview", runnerDeps},
	} {
		out, err := exec.Command("go", "list", "-deps", module+tc.pkg).Output()
		if err != nil {
			t.Fatalf("go list -deps %s: %v", tc.pkg, err)
		}
		deps := strings.Fields(string(out))
		if len(deps) < 10 || deps[len(deps)-1] != module+tc.pkg {
			t.Fatalf("go list -deps %s listed %d packages, ending in %q", tc.pkg, len(deps), deps[len(deps)-1])
		}
		for _, dep := range deps {
			for _, banned := range tc.banned {
				if dep == banned || strings.HasPrefix(dep, banned+"/") {
					t.Errorf("%s depends on %s", tc.pkg, dep)
				}
			}
		}
	}
}
