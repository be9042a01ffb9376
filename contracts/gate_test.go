package contracts_test

import (
	"testing"

	"github.com/orderflow/orderflow/contracts"
)

// TestCompatibleWithReleased is the compatibility gate: the contracts the
// code serves now must not break the released ones. Each breaking change
// is one error naming it.
func TestCompatibleWithReleased(t *testing.T) {
	changes, err := contracts.Check()
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range changes {
		t.Errorf("breaking change against the released contract: %s", c)
	}
	if len(changes) > 0 {
		t.Log("Keep the old field, route or value working and add the new one beside it (deprecate the old one), " +
			"or, after a deliberate decision and with a new API version for a breaking change, release a new baseline " +
			"with `make contracts-release` (README.md, Compatibility).")
	}
}

// TestReleasedLoads: the released baselines load, and a contract
// compared with itself breaks nothing.
func TestReleasedLoads(t *testing.T) {
	released, err := contracts.Released()
	if err != nil {
		t.Fatal(err)
	}
	changes, err := contracts.Breaking(released, released)
	if err != nil {
		t.Fatal(err)
	}
	if len(changes) != 0 {
		t.Fatalf("the released contracts break themselves: %v", changes)
	}
	if len(released.OpenAPI) == 0 || len(released.GraphQL) == 0 {
		t.Fatal("a released contract is empty")
	}
}
