package api

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"mime"
	"net/http"
	"net/http/httptest"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"testing/iotest"
	"time"

	"github.com/go-chi/chi/v5"

	"github.com/orderflow/orderflow/eventstore"
	"github.com/orderflow/orderflow/platform/auth"
	"github.com/orderflow/orderflow/platform/problem"
	"github.com/orderflow/orderflow/write/command"
	"github.com/orderflow/orderflow/write/inventory"
	"github.com/orderflow/orderflow/write/money"
	"github.com/orderflow/orderflow/write/order"
	"github.com/orderflow/orderflow/write/service"
	"github.com/orderflow/orderflow/write/shipping"
)

// openAPICommand is a command route with the Go types its handler decodes
// and answers with, and the errors it can end in beyond those every
// command shares (commonCommandErrors) and those the probes in
// TestOpenAPIErrors provoke.
type openAPICommand struct {
	path     string
	request  any
	response any
	ifMatch  bool
	errors   []error
}

var openAPICommands = []openAPICommand{
	{
		path: "/products", request: registerProductRequest{}, response: productResponse{},
		errors: []error{inventory.ErrInvalidSKU, inventory.ErrInvalidName, inventory.ErrInvalidPrice, inventory.ErrProductAlreadyRegistered},
	},
	{
		path: "/products/{sku}/stock", request: addStockRequest{}, response: productResponse{},
		errors: []error{inventory.ErrInvalidQuantity, inventory.ErrProductNotFound, inventory.ErrStockOverflow},
	},
	{
		path: "/orders", request: placeOrderRequest{}, response: orderResponse{},
		errors: []error{
			order.ErrInvalidCustomerID, order.ErrNoLines, order.ErrTooManyLines, order.ErrInvalidSKU, order.ErrDuplicateSKU,
			order.ErrInvalidQuantity, order.ErrInvalidAddress, order.ErrUnknownSKU, order.ErrInvalidPrice,
			order.ErrMixedCurrencies, order.ErrTotalTooLarge, order.ErrOrderExists, errOrderForAnotherCustomer, errOverloaded,
		},
	},
	{
		path: "/orders/{id}/cancel", request: cancelOrderRequest{}, response: orderResponse{}, ifMatch: true,
		errors: []error{order.ErrInvalidReason, order.ErrOrderNotFound, order.ErrOrderNotCancellable, service.ErrRevisionMismatch},
	},
	{
		path: "/shipments/{orderId}/dispatched", request: dispatchedRequest{}, response: shipmentResponse{},
		errors: []error{
			shipping.ErrInvalidTrackingNumber, shipping.ErrShipmentNotFound, shipping.ErrShipmentRejected,
			shipping.ErrShipmentCancelled, shipping.ErrAlreadyDispatched,
			order.ErrInvalidTrackingNumber, order.ErrOrderNotFound, order.ErrOrderNotShippable, order.ErrAlreadyShipped,
			inventory.ErrNotReserved, inventory.ErrReservationReleased, inventory.ErrProductNotFound,
		},
	},
	{
		path: "/shipments/{orderId}/delivered", request: struct{}{}, response: shipmentResponse{},
		errors: []error{
			shipping.ErrShipmentNotFound, shipping.ErrNotDispatched, shipping.ErrShipmentRejected, shipping.ErrShipmentCancelled,
			order.ErrOrderNotFound, order.ErrOrderNotDeliverable,
		},
	},
}

// commonCommandErrors are errors every command can end in after its body
// was read: a reused key, a busy or refusing event store, a timeout, a
// failure nobody expected.
func commonCommandErrors(t testing.TB) []error {
	t.Helper()
	r := httptest.NewRequest(http.MethodPost, "/", iotest.ErrReader(errors.New("connection reset")))
	r.Header.Set("Content-Type", "application/json")
	_, unreadable := readBody(r)
	if unreadable == nil {
		t.Fatal("readBody of a failing body: no error")
	}
	return []error{
		unreadable,
		errIdempotencyKeyReused,
		fmt.Errorf("order-1: %w", command.ErrTooManyConflicts),
		&eventstore.ConflictError{Stream: "order-1"},
		fmt.Errorf("%w: event too large", eventstore.ErrInvalid),
		fmt.Errorf("append to order-1: %w", eventstore.ErrTooLarge),
		fmt.Errorf("append to order-1: %w", eventstore.ErrUnavailable),
		context.DeadlineExceeded,
		errors.New("connection refused"),
	}
}

// openAPIMethods are the operation keys of an OpenAPI path item.
var openAPIMethods = []string{"get", "put", "post", "delete", "options", "head", "patch", "trace"}

// commandHeaders are the request headers every command reads.
var commandHeaders = []string{"Idempotency-Key", "X-Request-ID", "traceparent", "tracestate"}

func TestOpenAPIDocument(t *testing.T) {
	d := loadOpenAPI(t)
	if d.root["openapi"] != "3.1.0" {
		t.Errorf("openapi = %v, want 3.1.0", d.root["openapi"])
	}
	if got, want := d.root["servers"], []any{map[string]any{"url": Prefix}}; !reflect.DeepEqual(got, want) {
		t.Errorf("servers = %v, want %v", got, want)
	}
	// Every $ref resolves, every security requirement names a scheme, and
	// every component is referenced.
	used := map[string]bool{}
	walkJSON(d.root, func(m map[string]any) {
		if ref, ok := m["$ref"].(string); ok {
			d.pointer(t, strings.TrimPrefix(ref, "#"))
			used[ref] = true
		}
	})
	for _, req := range d.securityRequirements(t) {
		for name := range d.object(t, req, "security requirement") {
			d.pointer(t, "/components/securitySchemes/"+name)
			used["#/components/securitySchemes/"+name] = true
		}
	}
	for kind, set := range d.object(t, d.root["components"], "components") {
		for name := range d.object(t, set, "components/"+kind) {
			if ref := "#/components/" + kind + "/" + name; !used[ref] {
				t.Errorf("%s is never referenced", ref)
			}
		}
	}
	ids := map[string]string{}
	for _, o := range d.operations(t) {
		id, _ := o.op["operationId"].(string)
		if id == "" || ids[id] != "" {
			t.Errorf("%s %s: operationId %q is missing or taken by %s", o.method, o.path, id, ids[id])
		}
		ids[id] = o.method + " " + o.path
	}
}

// TestOpenAPIRoutes holds the documented operations to the router: the
// same methods on the same paths, nothing more, nothing less.
func TestOpenAPIRoutes(t *testing.T) {
	d := loadOpenAPI(t)
	var routed []string
	err := chi.Walk(New(Config{}).Routes(), func(method, route string, _ http.Handler, _ ...func(http.Handler) http.Handler) error {
		routed = append(routed, method+" "+templatePath(route))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	var documented []string
	for _, o := range d.operations(t) {
		documented = append(documented, strings.ToUpper(o.method)+" "+o.path)
	}
	slices.Sort(routed)
	slices.Sort(documented)
	if !slices.Equal(routed, documented) {
		t.Errorf("routes and document differ\nrouted:     %q\ndocumented: %q", routed, documented)
	}
}

// TestOpenAPICommands holds each documented command to the Go types its
// handler decodes and answers with, and to the headers it reads.
func TestOpenAPICommands(t *testing.T) {
	d := loadOpenAPI(t)
	commands := map[string]openAPICommand{}
	for _, c := range openAPICommands {
		commands[c.path] = c
	}
	for _, o := range d.operations(t) {
		if o.method != "post" {
			continue
		}
		c, ok := commands[o.path]
		if !ok {
			t.Errorf("POST %s is documented but openAPICommands does not know its Go types", o.path)
			continue
		}
		t.Run(o.path, func(t *testing.T) {
			headers, pathParams := map[string]bool{}, map[string]bool{}
			for i, p := range d.array(t, o.op["parameters"], "parameters") {
				p := d.resolve(t, p)
				name, _ := p["name"].(string)
				switch p["in"] {
				case "header":
					headers[name] = true
				case "path":
					if p["required"] != true {
						t.Errorf("path parameter %s is not required", name)
					}
					pathParams[name] = true
				default:
					t.Errorf("parameter %d (%s) is in %v", i, name, p["in"])
				}
			}
			wantHeaders := slices.Clone(commandHeaders)
			if c.ifMatch {
				wantHeaders = append(wantHeaders, "If-Match")
			}
			if got := slices.Sorted(maps.Keys(headers)); !slices.Equal(got, slices.Sorted(slices.Values(wantHeaders))) {
				t.Errorf("header parameters %q, want %q", got, wantHeaders)
			}
			if got, want := slices.Sorted(maps.Keys(pathParams)), pathNames(o.path); !slices.Equal(got, want) {
				t.Errorf("path parameters %q, want %q", got, want)
			}

			body := d.resolve(t, o.op["requestBody"])
			if body["required"] != true {
				t.Error("requestBody is not required")
			}
			content := d.object(t, body["content"], "requestBody.content")
			if got := slices.Sorted(maps.Keys(content)); !slices.Equal(got, []string{"application/json"}) {
				t.Errorf("requestBody media types %q, want only application/json", got)
			}
			media := d.resolve(t, content["application/json"])
			d.matchSchema(t, media["schema"], reflect.TypeOf(c.request), true, "request")

			responses := d.object(t, o.op["responses"], "responses")
			accepted := d.resolve(t, responses["202"])
			content = d.object(t, accepted["content"], "202.content")
			if got := slices.Sorted(maps.Keys(content)); !slices.Equal(got, []string{"application/json"}) {
				t.Errorf("202 media types %q, want only application/json", got)
			}
			media = d.resolve(t, content["application/json"])
			d.matchSchema(t, media["schema"], reflect.TypeOf(c.response), false, "202")
			for h := range d.object(t, accepted["headers"], "202.headers") {
				if h == "Content-Type" || !slices.Contains(replayedHeaders, h) {
					t.Errorf("202 header %s is not one the API sends and replays (%q)", h, replayedHeaders)
				}
			}
			for status := range responses {
				if n, err := strconv.Atoi(status); err != nil || n != http.StatusAccepted && n < 400 {
					t.Errorf("response %q: a command answers 202 or an error", status)
				}
			}
		})
	}
	for _, c := range openAPICommands {
		if d.operation(t, "post", c.path) == nil {
			t.Errorf("openAPICommands has POST %s, which the document does not", c.path)
		}
	}
}

// TestOpenAPIResponseStatuses holds the status enums of the 202 bodies to
// the statuses the handlers answer with.
func TestOpenAPIResponseStatuses(t *testing.T) {
	d := loadOpenAPI(t)
	tests := []struct {
		schema string
		want   []string
	}{
		{"OrderAccepted", []string{order.StatusPending.String(), order.StatusCancelled.String()}},
		{"ShipmentAccepted", []string{shipping.StatusDispatched.String(), shipping.StatusDelivered.String()}},
	}
	for _, tt := range tests {
		t.Run(tt.schema, func(t *testing.T) {
			status := d.resolve(t, d.pointer(t, "/components/schemas/"+tt.schema+"/properties/status"))
			var got []string
			for _, v := range d.array(t, status["enum"], "status enum") {
				got = append(got, fmt.Sprint(v))
			}
			if !slices.Equal(slices.Sorted(slices.Values(got)), slices.Sorted(slices.Values(tt.want))) {
				t.Errorf("status enum %v, want %v", status["enum"], tt.want)
			}
		})
	}
	etagSchema := d.resolve(t, d.pointer(t, "/components/headers/ETag/schema"))
	pattern := regexp.MustCompile(etagSchema["pattern"].(string))
	for _, rev := range []int64{0, 7, 1234567} {
		if !pattern.MatchString(etag(rev)) {
			t.Errorf("ETag %s does not match the documented pattern %s", etag(rev), pattern)
		}
	}
}

// TestOpenAPIErrors holds the documented error responses of each command
// to what it can answer with: the errors it can end in, mapped by
// problemFor, and the answers the router gives to malformed requests. Each
// (status, code) pair must be documented on the route, in the schema's
// code enum and in the description, and nothing else may be.
func TestOpenAPIErrors(t *testing.T) {
	d := loadOpenAPI(t)
	common := commonCommandErrors(t)
	router := New(Config{}).Routes()
	problemProps := d.object(t, d.resolve(t, d.pointer(t, "/components/schemas/Problem"))["properties"], "Problem.properties")
	for _, c := range openAPICommands {
		t.Run(c.path, func(t *testing.T) {
			want := map[string]bool{}
			for _, err := range append(slices.Clone(common), c.errors...) {
				p, _ := problemFor(err)
				want[fmt.Sprintf("%d %s", p.Status, p.Extensions["code"])] = true
			}
			for _, pr := range malformedRequests(c) {
				req := httptest.NewRequest(http.MethodPost, concretePath(c.path), strings.NewReader(pr.body))
				if pr.caller != nil {
					req = req.WithContext(auth.WithPrincipal(req.Context(), *pr.caller))
				}
				req.Header.Set("Content-Type", "application/json")
				for k, v := range pr.headers {
					req.Header.Set(k, v)
				}
				rec := httptest.NewRecorder()
				router.ServeHTTP(rec, req)
				if ct := rec.Header().Get("Content-Type"); ct != problem.ContentType {
					t.Errorf("%s: status %d, Content-Type %q, want %s", pr.name, rec.Code, ct, problem.ContentType)
					continue
				}
				var body map[string]any
				if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil {
					t.Errorf("%s: problem body %q: %v", pr.name, rec.Body, err)
					continue
				}
				for member := range body {
					if _, ok := problemProps[member]; !ok {
						t.Errorf("%s: problem member %q is not in the Problem schema", pr.name, member)
					}
				}
				if body["code"] == nil || body["type"] != ProblemTypePrefix+fmt.Sprint(body["code"]) {
					t.Errorf("%s: problem %s has no code, or a type that does not follow it", pr.name, rec.Body)
				}
				want[fmt.Sprintf("%d %s", rec.Code, body["code"])] = true
			}

			documented := map[string]bool{}
			responses := d.object(t, d.operation(t, "post", c.path)["responses"], "responses")
			for status, r := range responses {
				if status == "202" {
					continue
				}
				r := d.resolve(t, r)
				content := d.object(t, r["content"], status+".content")
				if got := slices.Sorted(maps.Keys(content)); !slices.Equal(got, []string{problem.ContentType}) {
					t.Errorf("%s: media types %q, want only %s", status, got, problem.ContentType)
					continue
				}
				schema := d.resolve(t, d.resolve(t, content[problem.ContentType])["schema"])
				allOf := d.array(t, schema["allOf"], status+" allOf")
				if len(allOf) != 1 || d.object(t, allOf[0], "allOf")["$ref"] != "#/components/schemas/Problem" {
					t.Errorf("%s: schema is not allOf the shared Problem", status)
				}
				codeSchema := d.object(t, d.object(t, schema["properties"], status+" properties")["code"], status+" code")
				desc, _ := r["description"].(string)
				for _, code := range d.array(t, codeSchema["enum"], status+" code enum") {
					if !strings.Contains(desc, "`"+fmt.Sprint(code)+"`") {
						t.Errorf("%s: the description does not explain code %v", status, code)
					}
					documented[fmt.Sprintf("%s %v", status, code)] = true
				}
			}
			if missing := setDiff(want, documented); len(missing) > 0 {
				t.Errorf("the route can answer with %q, which the document does not list", missing)
			}
			if extra := setDiff(documented, want); len(extra) > 0 {
				t.Errorf("the document lists %q, which the route cannot answer with (or openAPICommands misses the error)", extra)
			}
		})
	}
}

// malformedRequest is a request the API refuses before it runs a command.
type malformedRequest struct {
	name    string
	body    string
	headers map[string]string
	// caller is who sends it; nil is nobody: an anonymous request.
	caller *auth.Principal
}

// The callers of the probes.
var (
	probeAdmin    = auth.Principal{Subject: "admin-1", Role: auth.RoleAdmin}
	probeCustomer = auth.Principal{Subject: "c-1", Role: auth.RoleCustomer}
)

// malformedRequests are the probes of command c: malformed requests from
// an admin, an anonymous request and a customer's malformed one (refused
// for its role where customers may not use the route, for its body where
// they may).
func malformedRequests(c openAPICommand) []malformedRequest {
	prs := []malformedRequest{
		{name: "not JSON", body: "{}", headers: map[string]string{"Content-Type": "text/plain"}},
		{name: "no Content-Type", body: "{}", headers: map[string]string{"Content-Type": ""}},
		{name: "too large", body: strings.Repeat(" ", MaxBodyBytes+1)},
		{name: "not UTF-8", body: "{\"a\":\"\xff\"}"},
		{name: "empty", body: ""},
		{name: "malformed", body: "{"},
		{name: "an array", body: "[]"},
		{name: "unknown field", body: `{"surely_not_a_field":1}`},
		{name: "trailing data", body: "{} {}"},
		{name: "bad Idempotency-Key", body: "{}", headers: map[string]string{"Idempotency-Key": "has space"}},
	}
	if fields := jsonFields(reflect.TypeOf(c.request)); len(fields) > 0 {
		name := slices.Sorted(maps.Keys(fields))[0]
		prs = append(prs, malformedRequest{name: "wrong type", body: `{"` + name + `":true}`})
	}
	if c.ifMatch {
		prs = append(prs, malformedRequest{name: "bad If-Match", body: "{}", headers: map[string]string{"If-Match": "W/abc"}})
	}
	for i := range prs {
		prs[i].caller = &probeAdmin
	}
	return append(prs,
		malformedRequest{name: "anonymous", body: "{}"},
		malformedRequest{name: "a customer's malformed request", body: "{", caller: &probeCustomer},
	)
}

// TestOpenAPILimits holds the documented limits and patterns to the
// domain: a value at a documented limit passes the domain's check and one
// beyond it fails, and a documented pattern accepts exactly what the
// domain accepts.
func TestOpenAPILimits(t *testing.T) {
	d := loadOpenAPI(t)
	var now time.Time
	eur := func(amount int64) money.Money { return money.Money{Amount: amount, Currency: "EUR"} }
	validAddress := order.Address{Name: "A. Buyer", Line1: "1 Main St", City: "Berlin", PostalCode: "10115", Country: "DE"}
	place := func(edit func(*order.Place)) error {
		p := order.Place{OrderID: "o-1", CustomerID: "c-1", Lines: []order.LineRequest{{SKU: "S", Quantity: 1}}, ShippingAddress: validAddress}
		edit(&p)
		_, err := order.Decide(order.State{}, p, now)
		return err
	}
	address := func(edit func(*order.Address, string)) func(int) bool {
		return func(n int) bool {
			return errors.Is(place(func(p *order.Place) { edit(&p.ShippingAddress, strings.Repeat("a", n)) }), order.ErrInvalidAddress)
		}
	}
	tests := []struct {
		schema  string // JSON pointer to a schema in the document
		keyword string // minLength, maxLength, minItems, maxItems, minimum or maximum
		fails   func(n int) bool
	}{
		{"/components/schemas/Sku", "minLength", func(n int) bool { return inventory.ValidateSKU(strings.Repeat("a", n)) != nil }},
		{"/components/schemas/Sku", "maxLength", func(n int) bool { return inventory.ValidateSKU(strings.Repeat("a", n)) != nil }},
		{"/components/schemas/Sku", "maxLength", func(n int) bool {
			return errors.Is(place(func(p *order.Place) { p.Lines[0].SKU = strings.Repeat("a", n) }), order.ErrInvalidSKU)
		}},
		{"/components/schemas/OrderId", "minLength", func(n int) bool { return !order.ValidID(strings.Repeat("a", n)) }},
		{"/components/schemas/OrderId", "maxLength", func(n int) bool { return !order.ValidID(strings.Repeat("a", n)) }},
		{"/components/schemas/OrderId", "maxLength", func(n int) bool { return shipping.ValidateOrderID(strings.Repeat("a", n)) != nil }},
		{"/components/schemas/RegisterProductRequest/properties/name", "minLength", registerFails(func(c *inventory.RegisterProduct, n int) { c.Name = strings.Repeat("a", n) }, inventory.ErrInvalidName)},
		{"/components/schemas/RegisterProductRequest/properties/name", "maxLength", registerFails(func(c *inventory.RegisterProduct, n int) { c.Name = strings.Repeat("a", n) }, inventory.ErrInvalidName)},
		{"/components/schemas/Price/properties/amount", "minimum", registerFails(func(c *inventory.RegisterProduct, n int) { c.Price = eur(int64(n)) }, inventory.ErrInvalidPrice)},
		{"/components/schemas/AddStockRequest/properties/quantity", "minimum", addStockFails},
		{"/components/schemas/AddStockRequest/properties/quantity", "maximum", addStockFails},
		{"/components/schemas/PlaceOrderRequest/properties/customerId", "minLength", func(n int) bool {
			return errors.Is(place(func(p *order.Place) { p.CustomerID = strings.Repeat("a", n) }), order.ErrInvalidCustomerID)
		}},
		{"/components/schemas/PlaceOrderRequest/properties/customerId", "maxLength", func(n int) bool {
			return errors.Is(place(func(p *order.Place) { p.CustomerID = strings.Repeat("a", n) }), order.ErrInvalidCustomerID)
		}},
		{"/components/schemas/PlaceOrderRequest/properties/lines", "minItems", linesFail(place)},
		{"/components/schemas/PlaceOrderRequest/properties/lines", "maxItems", linesFail(place)},
		{"/components/schemas/OrderLine/properties/quantity", "minimum", func(n int) bool {
			return errors.Is(place(func(p *order.Place) { p.Lines[0].Quantity = n }), order.ErrInvalidQuantity)
		}},
		{"/components/schemas/OrderLine/properties/quantity", "maximum", func(n int) bool {
			return errors.Is(place(func(p *order.Place) { p.Lines[0].Quantity = n }), order.ErrInvalidQuantity)
		}},
		{"/components/schemas/Address/properties/name", "minLength", address(func(a *order.Address, s string) { a.Name = s })},
		{"/components/schemas/Address/properties/name", "maxLength", address(func(a *order.Address, s string) { a.Name = s })},
		{"/components/schemas/Address/properties/line1", "minLength", address(func(a *order.Address, s string) { a.Line1 = s })},
		{"/components/schemas/Address/properties/line1", "maxLength", address(func(a *order.Address, s string) { a.Line1 = s })},
		{"/components/schemas/Address/properties/line2", "maxLength", address(func(a *order.Address, s string) { a.Line2 = s })},
		{"/components/schemas/Address/properties/city", "minLength", address(func(a *order.Address, s string) { a.City = s })},
		{"/components/schemas/Address/properties/city", "maxLength", address(func(a *order.Address, s string) { a.City = s })},
		{"/components/schemas/Address/properties/postalCode", "minLength", address(func(a *order.Address, s string) { a.PostalCode = s })},
		{"/components/schemas/Address/properties/postalCode", "maxLength", address(func(a *order.Address, s string) { a.PostalCode = s })},
		{"/components/schemas/CancelOrderRequest/properties/reason", "minLength", func(n int) bool {
			_, err := order.Decide(order.State{}, order.Cancel{Reason: strings.Repeat("a", n), ByCustomer: true}, now)
			return errors.Is(err, order.ErrInvalidReason)
		}},
		{"/components/schemas/CancelOrderRequest/properties/reason", "maxLength", func(n int) bool {
			_, err := order.Decide(order.State{}, order.Cancel{Reason: strings.Repeat("a", n), ByCustomer: true}, now)
			return errors.Is(err, order.ErrInvalidReason)
		}},
		{"/components/schemas/DispatchedRequest/properties/trackingNumber", "minLength", dispatchFails},
		{"/components/schemas/DispatchedRequest/properties/trackingNumber", "maxLength", dispatchFails},
		{"/components/schemas/DispatchedRequest/properties/trackingNumber", "maxLength", func(n int) bool {
			_, err := order.Decide(order.State{}, order.MarkShipped{TrackingNumber: strings.Repeat("a", n)}, now)
			return errors.Is(err, order.ErrInvalidTrackingNumber)
		}},
		{"/components/parameters/IdempotencyKey/schema", "minLength", func(n int) bool { return !validKey(strings.Repeat("a", n)) }},
		{"/components/parameters/IdempotencyKey/schema", "maxLength", func(n int) bool { return !validKey(strings.Repeat("a", n)) }},
	}
	for _, tt := range tests {
		t.Run(tt.schema+"/"+tt.keyword, func(t *testing.T) {
			schema := d.resolve(t, d.pointer(t, tt.schema))
			limit, ok := schema[tt.keyword].(float64)
			if !ok {
				t.Fatalf("no %s", tt.keyword)
			}
			n, beyond := int(limit), int(limit)+1
			if strings.HasPrefix(tt.keyword, "min") {
				beyond = n - 1
			}
			if tt.fails(n) {
				t.Errorf("the domain refuses %d, the documented %s", n, tt.keyword)
			}
			if !tt.fails(beyond) {
				t.Errorf("the domain accepts %d, beyond the documented %s %d", beyond, tt.keyword, n)
			}
		})
	}

	patterns := []struct {
		schema  string
		samples []string
		valid   func(string) bool
	}{
		{"/components/schemas/Sku", idSamples, func(s string) bool { return inventory.ValidateSKU(s) == nil }},
		{"/components/schemas/Sku", idSamples, func(s string) bool {
			return !errors.Is(place(func(p *order.Place) { p.Lines[0].SKU = s }), order.ErrInvalidSKU)
		}},
		{"/components/schemas/OrderId", idSamples, order.ValidID},
		{"/components/schemas/OrderId", idSamples, func(s string) bool { return shipping.ValidateOrderID(s) == nil }},
		{"/components/schemas/Currency", []string{"EUR", "USD", "eur", "EU", "EURO", "E1R", "", "ÄUR"}, func(s string) bool {
			return money.ValidateCurrency(s) == nil
		}},
		{"/components/schemas/Address/properties/country", []string{"DE", "FR", "de", "D", "DEU", "D1", "", "ÄT"}, func(s string) bool {
			return !errors.Is(place(func(p *order.Place) { p.ShippingAddress.Country = s }), order.ErrInvalidAddress)
		}},
		{"/components/parameters/IdempotencyKey/schema", []string{"k-1", "5f0c2a9e-3b6d", "~!{}", "", "has space", "tab\there", "é", strings.Repeat("k", 255), strings.Repeat("k", 256)}, validKey},
		{"/components/parameters/IfMatch/schema", []string{`"3"`, `3`, `"0"`, `"3`, `3"`, `""`, `W/"3"`, `*`, `-1`, `"-1"`, `1.5`, `abc`}, func(s string) bool {
			r := httptest.NewRequest(http.MethodPost, "/", nil)
			r.Header.Set("If-Match", s)
			rev, err := ifMatch(r)
			return err == nil && rev != nil
		}},
	}
	for _, tt := range patterns {
		schema := d.resolve(t, d.pointer(t, tt.schema))
		src, _ := schema["pattern"].(string)
		re, err := regexp.Compile(src)
		if err != nil {
			t.Errorf("%s: pattern %q: %v", tt.schema, src, err)
			continue
		}
		for _, s := range tt.samples {
			if re.MatchString(s) != tt.valid(s) {
				t.Errorf("%s: pattern %s matches %q: %v, the domain accepts it: %v", tt.schema, src, s, re.MatchString(s), tt.valid(s))
			}
		}
	}

	if desc := d.resolve(t, d.pointer(t, "/components/responses/BodyTooLarge"))["description"].(string); !strings.Contains(desc, strconv.Itoa(MaxBodyBytes)) {
		t.Errorf("the 413 description does not say the limit, %d bytes", MaxBodyBytes)
	}
}

var idSamples = []string{"SKU-1", "a.b_c-D9", "3b2f6c1e-8d4a-5e7f-9a0b-1c2d3e4f5a6b", "", strings.Repeat("a", 64), strings.Repeat("a", 65), "a b", "a/b", "a+b", "é", "a\n"}

func registerFails(edit func(*inventory.RegisterProduct, int), want error) func(int) bool {
	return func(n int) bool {
		c := inventory.RegisterProduct{SKU: "S", Name: "Widget", Price: money.Money{Amount: 1999, Currency: "EUR"}}
		edit(&c, n)
		_, err := inventory.Decide(inventory.State{}, c, time.Time{})
		return errors.Is(err, want)
	}
}

func addStockFails(n int) bool {
	_, err := inventory.Decide(inventory.State{}, inventory.AddStock{Quantity: int64(n)}, time.Time{})
	return errors.Is(err, inventory.ErrInvalidQuantity)
}

func dispatchFails(n int) bool {
	_, err := shipping.Decide(shipping.State{}, shipping.Dispatch{TrackingNumber: strings.Repeat("a", n)}, time.Time{})
	return errors.Is(err, shipping.ErrInvalidTrackingNumber)
}

func linesFail(place func(func(*order.Place)) error) func(int) bool {
	return func(n int) bool {
		err := place(func(p *order.Place) {
			p.Lines = nil
			for i := range n {
				p.Lines = append(p.Lines, order.LineRequest{SKU: "S" + strconv.Itoa(i), Quantity: 1})
			}
		})
		return errors.Is(err, order.ErrNoLines) || errors.Is(err, order.ErrTooManyLines)
	}
}

// TestOpenAPIServed fetches the document over a real socket, where the
// server mounts the API.
func TestOpenAPIServed(t *testing.T) {
	r := chi.NewRouter()
	r.Mount(Prefix, New(Config{}).Routes())
	srv := httptest.NewServer(r)
	t.Cleanup(srv.Close)

	resp, err := http.Get(srv.URL + Prefix + "/openapi.json")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d, want 200", resp.StatusCode)
	}
	if media, _, err := mime.ParseMediaType(resp.Header.Get("Content-Type")); err != nil || media != "application/json" {
		t.Errorf("Content-Type %q, want application/json", resp.Header.Get("Content-Type"))
	}
	var doc map[string]any
	if err := json.Unmarshal(body, &doc); err != nil {
		t.Fatalf("the served document is not JSON: %v", err)
	}
	if doc["openapi"] != "3.1.0" {
		t.Errorf("openapi = %v, want 3.1.0", doc["openapi"])
	}
	if _, ok := doc["paths"].(map[string]any)["/openapi.json"]; !ok {
		t.Error("the served document does not describe /openapi.json")
	}
}

// openAPIDoc is the parsed document with helpers to walk it.
type openAPIDoc struct{ root map[string]any }

func loadOpenAPI(t testing.TB) openAPIDoc {
	t.Helper()
	var root map[string]any
	if err := json.Unmarshal(openAPIDocument, &root); err != nil {
		t.Fatalf("openapi.json: %v", err)
	}
	return openAPIDoc{root: root}
}

// documentedOperation is one method on one path.
type documentedOperation struct {
	method, path string
	op           map[string]any
}

// operations lists every operation, failing on path item members that are
// neither an operation nor a known path item field.
func (d openAPIDoc) operations(t testing.TB) []documentedOperation {
	t.Helper()
	var ops []documentedOperation
	for path, item := range d.object(t, d.root["paths"], "paths") {
		for key, v := range d.object(t, item, path) {
			switch {
			case slices.Contains(openAPIMethods, key):
				ops = append(ops, documentedOperation{method: key, path: path, op: d.object(t, v, path+" "+key)})
			case key == "summary" || key == "description":
			default:
				t.Errorf("paths[%s].%s is not an operation; put parameters and servers on the operations", path, key)
			}
		}
	}
	return ops
}

// securityRequirements returns every security requirement object of the
// document: the global ones and those of each operation.
func (d openAPIDoc) securityRequirements(t testing.TB) []any {
	t.Helper()
	reqs := slices.Clone(d.array(t, d.root["security"], "security"))
	for _, o := range d.operations(t) {
		reqs = append(reqs, d.array(t, o.op["security"], o.method+" "+o.path+" security")...)
	}
	return reqs
}

func (d openAPIDoc) operation(t testing.TB, method, path string) map[string]any {
	t.Helper()
	item, _ := d.object(t, d.root["paths"], "paths")[path].(map[string]any)
	op, _ := item[method].(map[string]any)
	return op
}

// resolve follows $ref until it reaches an object.
func (d openAPIDoc) resolve(t testing.TB, v any) map[string]any {
	t.Helper()
	m := d.object(t, v, "reference")
	for seen := 0; m["$ref"] != nil; seen++ {
		if seen > 10 {
			t.Fatalf("$ref loop at %v", m["$ref"])
		}
		ref, _ := m["$ref"].(string)
		if !strings.HasPrefix(ref, "#/") {
			t.Fatalf("$ref %q is not local", ref)
		}
		m = d.object(t, d.pointer(t, strings.TrimPrefix(ref, "#")), ref)
	}
	return m
}

// pointer returns what the JSON pointer ptr names, resolving references
// on the way.
func (d openAPIDoc) pointer(t testing.TB, ptr string) any {
	t.Helper()
	var v any = d.root
	for _, seg := range strings.Split(strings.TrimPrefix(ptr, "/"), "/") {
		seg = strings.ReplaceAll(strings.ReplaceAll(seg, "~1", "/"), "~0", "~")
		next, ok := d.resolve(t, v)[seg]
		if !ok {
			t.Fatalf("%s: no %q", ptr, seg)
		}
		v = next
	}
	return v
}

func (d openAPIDoc) object(t testing.TB, v any, what string) map[string]any {
	t.Helper()
	if v == nil {
		return nil
	}
	m, ok := v.(map[string]any)
	if !ok {
		t.Fatalf("%s is %T, not an object", what, v)
	}
	return m
}

func (d openAPIDoc) array(t testing.TB, v any, what string) []any {
	t.Helper()
	if v == nil {
		return nil
	}
	a, ok := v.([]any)
	if !ok {
		t.Fatalf("%s is %T, not an array", what, v)
	}
	return a
}

// matchSchema checks that schema describes the JSON encoding of typ: the
// same JSON types, and for objects exactly the members of its json tags,
// closed to others when closed is set.
func (d openAPIDoc) matchSchema(t testing.TB, schema any, typ reflect.Type, closed bool, where string) {
	t.Helper()
	s := d.resolve(t, schema)
	wantType := ""
	switch typ.Kind() {
	case reflect.Pointer:
		d.matchSchema(t, schema, typ.Elem(), closed, where)
		return
	case reflect.Struct:
		wantType = "object"
		if closed && s["additionalProperties"] != false {
			t.Errorf("%s: additionalProperties is %v, want false", where, s["additionalProperties"])
		}
		props := d.object(t, s["properties"], where+".properties")
		fields := jsonFields(typ)
		if got, want := slices.Sorted(maps.Keys(props)), slices.Sorted(maps.Keys(fields)); !slices.Equal(got, want) {
			t.Errorf("%s: properties %q, want the json tags of %s: %q", where, got, typ, want)
		}
		for name, ft := range fields {
			if p, ok := props[name]; ok {
				d.matchSchema(t, p, ft, closed, where+"."+name)
			}
		}
		for _, r := range d.array(t, s["required"], where+".required") {
			if _, ok := fields[fmt.Sprint(r)]; !ok {
				t.Errorf("%s: required %v is not a property", where, r)
			}
		}
	case reflect.Slice, reflect.Array:
		wantType = "array"
		d.matchSchema(t, s["items"], typ.Elem(), closed, where+"[]")
	case reflect.String:
		wantType = "string"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		wantType = "integer"
	case reflect.Float32, reflect.Float64:
		wantType = "number"
	case reflect.Bool:
		wantType = "boolean"
	default:
		t.Errorf("%s: no JSON type for %s", where, typ)
	}
	if s["type"] != wantType {
		t.Errorf("%s: type %v, want %s for %s", where, s["type"], wantType, typ)
	}
}

// jsonFields returns the members encoding/json gives typ, with the type
// of each, promoting the fields of embedded structs without a tag.
func jsonFields(typ reflect.Type) map[string]reflect.Type {
	fields := map[string]reflect.Type{}
	for i := range typ.NumField() {
		f := typ.Field(i)
		tag := f.Tag.Get("json")
		if tag == "-" {
			continue
		}
		name, _, _ := strings.Cut(tag, ",")
		if f.Anonymous && name == "" && f.Type.Kind() == reflect.Struct {
			maps.Copy(fields, jsonFields(f.Type))
			continue
		}
		if !f.IsExported() {
			continue
		}
		if name == "" {
			name = f.Name
		}
		fields[name] = f.Type
	}
	return fields
}

var pathParam = regexp.MustCompile(`\{([^}:]+)(:[^}]*)?\}`)

// templatePath turns a chi route into an OpenAPI path template:
// {id:[0-9]+} becomes {id}.
func templatePath(route string) string { return pathParam.ReplaceAllString(route, "{$1}") }

// pathNames returns the sorted parameter names of a path template.
func pathNames(path string) []string {
	var names []string
	for _, m := range pathParam.FindAllStringSubmatch(path, -1) {
		names = append(names, m[1])
	}
	slices.Sort(names)
	return names
}

// concretePath fills every parameter of a path template with a valid id.
func concretePath(path string) string { return pathParam.ReplaceAllString(path, "x-1") }

func walkJSON(v any, visit func(map[string]any)) {
	switch v := v.(type) {
	case map[string]any:
		visit(v)
		for _, e := range v {
			walkJSON(e, visit)
		}
	case []any:
		for _, e := range v {
			walkJSON(e, visit)
		}
	}
}

func setDiff(a, b map[string]bool) []string {
	var out []string
	for k := range a {
		if !b[k] {
			out = append(out, k)
		}
	}
	slices.Sort(out)
	return out
}
