package read_test

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/vektah/gqlparser/v2"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/orderflow/orderflow/sagas/fulfillment"
	"github.com/orderflow/orderflow/schema"
	"github.com/orderflow/orderflow/write/money"
)

// ownershipCase says what customer c-a gets when it asks a root field for
// customer c-b's data (other), and what an admin gets for the same query
// (admin, a substring of the data: proof the data exists, so that the
// customer's answer is the ownership rule at work, not an empty store).
type ownershipCase struct {
	query string
	other string // the whole response body, JSON
	admin string
}

// TestEveryRootFieldHasAnOwnershipCase is generated from the schema: every
// field of Query must have a case below, and runs it; a field added
// without one fails the suite, and so does a case whose field is gone.
// Every field anywhere in the schema that takes an ID must be a root
// field, so that this table covers every way an id reaches the API.
func TestEveryRootFieldHasAnOwnershipCase(t *testing.T) {
	const forbidden = `{"errors":[{"message":"forbidden","path":["%s"],"extensions":{"code":"FORBIDDEN"}}],"data":{"%s":null}}`
	forbid := func(field string) string { return strings.ReplaceAll(forbidden, "%s", field) }
	cases := map[string]ownershipCase{
		"order":            {`{ order(id: "o-b") { id customerId } }`, `{"data":{"order":null}}`, `"o-b"`},
		"orders":           {`{ orders { edges { node { id } } } }`, `{"data":{"orders":{"edges":[{"node":{"id":"o-a"}}]}}}`, `"o-b"`},
		"product":          {`{ product(sku: "SKU-1") { sku } }`, `{"data":{"product":{"sku":"SKU-1"}}}`, `"SKU-1"`}, // public
		"products":         {`{ products(first: 1) { edges { node { sku } } } }`, `{"data":{"products":{"edges":[{"node":{"sku":"SKU-1"}}]}}}`, `"SKU-1"`},
		"customer":         {`{ customer(id: "c-b") { id orders { edges { node { id } } } } }`, `{"data":{"customer":null}}`, `"c-b"`},
		"fulfillment":      {`{ fulfillment(orderId: "o-b") { orderId state } }`, `{"data":{"fulfillment":null}}`, `"o-b"`},
		"projections":      {`{ projections { name } }`, forbid("projections"), `"orders"`},
		"fulfillments":     {`{ fulfillments { edges { node { orderId } } } }`, forbid("fulfillments"), `"o-b"`},
		"fulfillmentStats": {`{ fulfillmentStats { byState { state count } } }`, forbid("fulfillmentStats"), `"RUNNING"`},
	}

	s, err := gqlparser.LoadSchema(&ast.Source{Name: "orderflow.graphql", Input: schema.GraphQL()})
	if err != nil {
		t.Fatal(err)
	}
	var roots []string
	for _, f := range s.Query.Fields {
		if !strings.HasPrefix(f.Name, "__") {
			roots = append(roots, f.Name)
		}
	}
	for _, name := range roots {
		if _, ok := cases[name]; !ok {
			t.Errorf("root field %s has no ownership case: add one to this test", name)
		}
	}
	for name := range cases {
		if !slices.Contains(roots, name) {
			t.Errorf("the ownership case of %s names no root field of the schema", name)
		}
	}
	for _, typ := range s.Types {
		if typ.Kind != ast.Object || typ == s.Query || strings.HasPrefix(typ.Name, "__") {
			continue
		}
		for _, f := range typ.Fields {
			for _, a := range f.Arguments {
				if a.Type.Name() == "ID" {
					t.Errorf("%s.%s takes an ID (%s): only root fields may, so that the ownership cases cover it", typ.Name, f.Name, a.Name)
				}
			}
		}
	}
	if t.Failed() {
		return
	}

	e := newEnv(t)
	e.catalog()
	e.placeAt("o-a", "c-a", t0)
	e.placeAt("o-b", "c-b", t0.Add(time.Minute))
	e.appendSaga("o-b", fulfillment.Started{V: 1, OrderID: "o-b", CustomerID: "c-b",
		Lines: []fulfillment.Line{{SKU: "SKU-1", Quantity: 1}}, Total: money.Money{Amount: 1999, Currency: "EUR"},
		Address:         fulfillment.Address{Name: "A. Buyer", Line1: "1 Main St", City: "Berlin", PostalCode: "10115", Country: "DE"},
		PaymentDeadline: t0.Add(time.Hour), StartedAt: t0})
	e.CaughtUp(allProjections...)
	for _, name := range roots {
		tc := cases[name]
		t.Run(name, func(t *testing.T) {
			e := *e
			e.t = t
			r := e.do(customer("c-a"), request{Query: tc.query})
			var body map[string]any
			if err := json.Unmarshal(r.body, &body); err != nil {
				t.Fatal(err)
			}
			delete(body, "extensions")
			got, _ := json.Marshal(body)
			sameJSON(t, got, tc.other)
			if data := e.data(admin, tc.query, nil); !strings.Contains(string(data), tc.admin) {
				t.Fatalf("an admin got %s, want it to hold %s", data, tc.admin)
			}
		})
	}
}
