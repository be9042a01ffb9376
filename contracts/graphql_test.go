package contracts_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/orderflow/orderflow/contracts"
)

// sdlEdit replaces old by new in an SDL, exactly once; within the block
// that starts with in (a type's header, up to its closing brace) when in
// is set.
type sdlEdit struct{ old, new, in string }

// apply makes the edit, or says why it cannot.
func (e sdlEdit) apply(sdl string) (string, error) {
	start, end := 0, len(sdl)
	if e.in != "" {
		start = strings.Index(sdl, e.in)
		if start < 0 || strings.Count(sdl, e.in) != 1 {
			return "", fmt.Errorf("%q occurs %d times in the SDL, want once", e.in, strings.Count(sdl, e.in))
		}
		end = start + strings.Index(sdl[start:], "\n}") + 2
	}
	block := sdl[start:end]
	if n := strings.Count(block, e.old); n != 1 {
		return "", fmt.Errorf("%q occurs %d times in %q of the SDL, want once", e.old, n, e.in)
	}
	return sdl[:start] + strings.Replace(block, e.old, e.new, 1) + sdl[end:], nil
}

// TestGraphQLMutations applies each kind of breaking change to the
// current SDL and requires the gate to name it, and each kind of additive
// change and requires it to pass.
func TestGraphQLMutations(t *testing.T) {
	cases := []struct {
		name  string
		edits []sdlEdit
		want  []string
	}{
		{"field removed", []sdlEdit{{"  trackingNumber: String\n", "", "\ntype Order {"}},
			[]string{"graphql FIELD_REMOVED: field Order.trackingNumber removed"}},
		{"field renamed", []sdlEdit{{"  cancelReason: String\n", "  cancellationReason: String\n", "\ntype Order {"}},
			[]string{"graphql FIELD_REMOVED: field Order.cancelReason removed"}},
		{"field type narrowed", []sdlEdit{{"  lag: Float!\n", "  lag: Int!\n", ""}},
			[]string{"graphql FIELD_TYPE_CHANGED: field ProjectionStatus.lag changed type from Float! to Int!"}},
		{"field type changed", []sdlEdit{{"  revision: Int64!\n  status: OrderStatus!", "  revision: Int!\n  status: OrderStatus!", ""}},
			[]string{"graphql FIELD_TYPE_CHANGED: field Order.revision changed type from Int64! to Int!"}},
		{"list field made single", []sdlEdit{{"  lines: [OrderLine!]!\n", "  lines: OrderLine!\n", "\ntype Order {"}},
			[]string{"graphql FIELD_TYPE_CHANGED: field Order.lines changed type from [OrderLine!]! to OrderLine!"}},
		{"output nullability loosened", []sdlEdit{{"  total: Money!\n", "  total: Money\n", ""}},
			[]string{"graphql FIELD_NULLABLE: field Order.total changed type from Money! to Money: it may now be null"}},
		{"list item nullability loosened", []sdlEdit{{"  lines: [OrderLine!]!\n", "  lines: [OrderLine]!\n", "\ntype Order {"}},
			[]string{"graphql FIELD_NULLABLE: field Order.lines changed type from [OrderLine!]! to [OrderLine]!: it may now be null"}},
		{"type removed", []sdlEdit{{"  \"What causationId names: an earlier entry of this timeline, or a command.\"\n  causedBy: Cause!\n", "", ""}, {"type Cause {", "type Causation {", ""}},
			[]string{"graphql TYPE_REMOVED: type Cause removed", "graphql FIELD_REMOVED: field TimelineEntry.causedBy removed"}},
		{"type renamed", []sdlEdit{{"  causedBy: Cause!\n", "  causedBy: Causation!\n", ""}, {"type Cause {", "type Causation {", ""}},
			[]string{"graphql TYPE_REMOVED: type Cause removed", "graphql FIELD_TYPE_CHANGED: field TimelineEntry.causedBy changed type from Cause! to Causation!"}},
		{"type kind changed", []sdlEdit{{"type Money {", "interface Money {", ""}},
			[]string{"graphql TYPE_KIND_CHANGED: type Money changed from OBJECT to INTERFACE"}},
		{"argument removed", []sdlEdit{{"after: String, status: OrderStatus, placedAfter", "after: String, placedAfter", ""}},
			[]string{"graphql ARGUMENT_REMOVED: argument Query.orders(status:) removed"}},
		{"argument renamed", []sdlEdit{{"product(sku: String!)", "product(id: String!)", ""}},
			[]string{"graphql ARGUMENT_REMOVED: argument Query.product(sku:) removed", "graphql REQUIRED_ARGUMENT_ADDED: required argument Query.product(id:) added"}},
		{"argument made required", []sdlEdit{{"products(first: Int,", "products(first: Int!,", ""}},
			[]string{"graphql ARGUMENT_REQUIRED: argument Query.products(first:) changed type from Int to Int!: it is now required"}},
		{"argument type changed", []sdlEdit{{"order(id: ID!)", "order(id: String!)", ""}},
			[]string{"graphql ARGUMENT_TYPE_CHANGED: argument Query.order(id:) changed type from ID! to String!"}},
		{"argument list made single", []sdlEdit{{"fulfillments(state: [FulfillmentState!],", "fulfillments(state: FulfillmentState,", ""}},
			[]string{"graphql ARGUMENT_TYPE_CHANGED: argument Query.fulfillments(state:) changed type from [FulfillmentState!] to FulfillmentState"}},
		{"list argument items made required", []sdlEdit{{"fulfillments(state: [FulfillmentState!],", "fulfillments(state: [FulfillmentState!]!,", ""}},
			[]string{"graphql ARGUMENT_REQUIRED: argument Query.fulfillments(state:) changed type from [FulfillmentState!] to [FulfillmentState!]!: it is now required"}},
		{"required argument added", []sdlEdit{{"customer(id: ID!)", "customer(id: ID!, region: String!)", ""}},
			[]string{"graphql REQUIRED_ARGUMENT_ADDED: required argument Query.customer(region:) added"}},
		{"argument default changed", []sdlEdit{{"products(first: Int,", "products(first: Int = 10,", ""}},
			[]string{"graphql ARGUMENT_DEFAULT_CHANGED: argument Query.products(first:) default changed from none to 10"}},
		{"enum value removed", []sdlEdit{{"  PAID\n", "", ""}},
			[]string{"graphql ENUM_VALUE_REMOVED: enum value OrderStatus.PAID removed"}},
		{"enum value renamed", []sdlEdit{{"  CANCELLED\n}", "  CANCELED\n}", ""}},
			[]string{"graphql ENUM_VALUE_REMOVED: enum value OrderStatus.CANCELLED removed"}},
		{"root type renamed", []sdlEdit{{"  query: Query\n", "  query: Root\n", ""}, {"\ntype Query {", "\ntype Root {", ""}, {"extend type Query {", "extend type Root {", ""}},
			[]string{"graphql ROOT_TYPE_CHANGED: the query root type changed from Query to Root", "graphql TYPE_REMOVED: type Query removed"}},

		{"type added", []sdlEdit{{"type Money {", "type Tax {\n  rate: Float!\n}\n\ntype Money {", ""}}, nil},
		{"field added", []sdlEdit{{"  trackingNumber: String\n", "  trackingNumber: String\n  giftMessage: String!\n", "\ntype Order {"}}, nil},
		{"optional argument added", []sdlEdit{{"customer(id: ID!)", "customer(id: ID!, region: String)", ""}}, nil},
		{"required argument with a default added", []sdlEdit{{"customer(id: ID!)", "customer(id: ID!, region: String! = \"EU\")", ""}}, nil},
		{"enum value added", []sdlEdit{{"  PAID\n", "  PAID\n  ON_HOLD\n", ""}}, nil},
		{"output nullability tightened", []sdlEdit{{"  cancelReason: String\n", "  cancelReason: String!\n", "\ntype Order {"}}, nil},
		{"list nullability tightened", []sdlEdit{{"  projections: [ProjectionStatus!]\n", "  projections: [ProjectionStatus!]!\n", ""}}, nil},
		{"input nullability loosened", []sdlEdit{{"order(id: ID!)", "order(id: ID)", ""}, {"fulfillments(state: [FulfillmentState!],", "fulfillments(state: [FulfillmentState],", ""}}, nil},
		{"field deprecated", []sdlEdit{{"  trackingNumber: String\n", "  trackingNumber: String @deprecated(reason: \"Use shipment.\")\n", "\ntype Order {"}}, nil},
		{"description changed", []sdlEdit{{`"Where an order is in its life."`, `"The stage of an order."`, ""}}, nil},
	}
	current := contracts.Current().GraphQL
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			revision := current
			for _, e := range tc.edits {
				var err error
				if revision, err = e.apply(revision); err != nil {
					t.Fatal(err)
				}
			}
			changes, err := contracts.GraphQLBreaking(current, revision)
			if err != nil {
				t.Fatal(err)
			}
			requireChanges(t, changes, tc.want)
		})
	}
}

// TestGraphQLMutationsOfUnusedKinds covers the kinds of type the schema
// does not use yet (input objects, unions, interfaces, directives), on a
// schema that does.
func TestGraphQLMutationsOfUnusedKinds(t *testing.T) {
	const base = `
directive @auth(role: String!) on FIELD_DEFINITION | OBJECT
interface Node { id: ID! }
type Order implements Node { id: ID! }
type Product implements Node { id: ID! }
union SearchResult = Order | Product
input OrderFilter { status: String, placedAfter: String! = "2020-01-01", limit: Int }
type Mutation { hold(id: ID!): Order }
type Query {
  node(id: ID!): Node @auth(role: "admin")
  search(filter: OrderFilter): [SearchResult!]!
}
`
	cases := []struct {
		name  string
		edits []sdlEdit
		want  []string
	}{
		{"input field removed", []sdlEdit{{"status: String, ", "", ""}},
			[]string{"graphql INPUT_FIELD_REMOVED: input field OrderFilter.status removed"}},
		{"input field made required", []sdlEdit{{"limit: Int }", "limit: Int! }", ""}},
			[]string{"graphql INPUT_FIELD_REQUIRED: input field OrderFilter.limit changed type from Int to Int!: it is now required"}},
		{"input field type changed", []sdlEdit{{"limit: Int }", "limit: String }", ""}},
			[]string{"graphql INPUT_FIELD_TYPE_CHANGED: input field OrderFilter.limit changed type from Int to String"}},
		{"input field default changed", []sdlEdit{{`= "2020-01-01"`, `= "2024-01-01"`, ""}},
			[]string{`graphql INPUT_FIELD_DEFAULT_CHANGED: input field OrderFilter.placedAfter default changed from "2020-01-01" to "2024-01-01"`}},
		{"required input field added", []sdlEdit{{"limit: Int }", "limit: Int, region: String! }", ""}},
			[]string{"graphql REQUIRED_INPUT_FIELD_ADDED: required input field OrderFilter.region added"}},
		{"union member removed", []sdlEdit{{"= Order | Product", "= Order", ""}},
			[]string{"graphql UNION_MEMBER_REMOVED: union SearchResult no longer includes Product"}},
		{"interface removed", []sdlEdit{{"type Product implements Node {", "type Product {", ""}},
			[]string{"graphql INTERFACE_REMOVED: type Product no longer implements Node"}},
		{"directive removed", []sdlEdit{{"directive @auth(role: String!) on FIELD_DEFINITION | OBJECT\n", "", ""}, {` @auth(role: "admin")`, "", ""}},
			[]string{"graphql DIRECTIVE_REMOVED: directive @auth removed"}},
		{"directive location removed", []sdlEdit{{"on FIELD_DEFINITION | OBJECT", "on FIELD_DEFINITION", ""}},
			[]string{"graphql DIRECTIVE_LOCATION_REMOVED: directive @auth no longer allowed on OBJECT"}},
		{"directive argument made required", []sdlEdit{{"directive @auth(role: String!)", "directive @auth(role: String!, scope: String!)", ""}, {`@auth(role: "admin")`, `@auth(role: "admin", scope: "orders")`, ""}},
			[]string{"graphql REQUIRED_ARGUMENT_ADDED: required argument @auth(scope:) added"}},
		{"mutation root removed", []sdlEdit{{"type Mutation { hold(id: ID!): Order }\n", "", ""}},
			[]string{"graphql ROOT_TYPE_CHANGED: the mutation root type Mutation removed", "graphql TYPE_REMOVED: type Mutation removed"}},

		{"optional input field added", []sdlEdit{{"limit: Int }", "limit: Int, region: String }", ""}}, nil},
		{"input field made optional", []sdlEdit{{`placedAfter: String! = "2020-01-01"`, `placedAfter: String = "2020-01-01"`, ""}}, nil},
		{"union member added", []sdlEdit{{"= Order | Product", "= Order | Product | Customer\ntype Customer { id: ID! }", ""}}, nil},
		{"interface added", []sdlEdit{{"interface Node { id: ID! }", "interface Node { id: ID! }\ninterface Entity { id: ID! }", ""}, {"type Order implements Node", "type Order implements Node & Entity", ""}}, nil},
		{"directive location added", []sdlEdit{{"on FIELD_DEFINITION | OBJECT", "on FIELD_DEFINITION | OBJECT | INTERFACE", ""}}, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			revision := base
			for _, e := range tc.edits {
				if n := strings.Count(revision, e.old); n != 1 {
					t.Fatalf("%q occurs %d times in the SDL, want once", e.old, n)
				}
				revision = strings.Replace(revision, e.old, e.new, 1)
			}
			changes, err := contracts.GraphQLBreaking(base, revision)
			if err != nil {
				t.Fatal(err)
			}
			requireChanges(t, changes, tc.want)
		})
	}
}

// TestGraphQLUnloadable: an SDL that does not load is an error, not a
// pass.
func TestGraphQLUnloadable(t *testing.T) {
	current := contracts.Current().GraphQL
	_, err := contracts.GraphQLBreaking(current, current+"\ntype Broken { x: Missing }")
	if err == nil || !strings.Contains(err.Error(), "load the revision GraphQL schema") {
		t.Fatalf("err = %v, want the revision refused", err)
	}
}
