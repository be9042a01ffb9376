package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/orderflow/orderflow/platform/auth"
	"github.com/orderflow/orderflow/platform/dbtest"
)

// TestNewcomerIsACustomerAtOnce runs what make run runs, serve --demo
// --insecure-dev without ORDERFLOW_JWT_SECRET, and checks that the customer
// token it logs sees the demo customer's orders, that orderflow token in
// the same checkout mints tokens serve accepts, and that a restart keeps
// the secret.
func TestNewcomerIsACustomerAtOnce(t *testing.T) {
	secretFile := filepath.Join(t.TempDir(), "data", "dev-jwt-secret")
	vars := map[string]string{"DATABASE_URL": dbtest.New(t), "ORDERFLOW_DEV_SECRET_FILE": secretFile}
	first := startServeWith(t, vars, "--demo", "--insecure-dev", "--roles", "api,projections")
	rec := first.logs.WaitFor(t, devTokensMessage, 30*time.Second)
	adminToken, customerToken := rec["admin_token"].(string), rec["customer_token"].(string)
	if rec["customer_id"] != demoCustomer || rec["secret_from"] != secretFile || rec["secret_from_env"] != false {
		t.Fatalf("the tokens' line says %v", rec)
	}
	first.logs.WaitFor(t, "made a development JWT secret; serve --insecure-dev and orderflow token in this checkout sign with it", time.Second)

	info, err := os.Stat(secretFile)
	if err != nil {
		t.Fatal(err)
	}
	if info.Mode().Perm() != 0o600 {
		t.Fatalf("the secret file has mode %v, want 0600", info.Mode().Perm())
	}
	if dir, err := os.Stat(filepath.Dir(secretFile)); err != nil || dir.Mode().Perm() != 0o700 {
		t.Fatalf("the secret's folder: %v, %v; want mode 0700", dir.Mode(), err)
	}
	secret, err := os.ReadFile(secretFile)
	if err != nil {
		t.Fatal(err)
	}
	v, err := auth.NewVerifier(auth.Config{Secret: bytes.TrimSpace(secret), Issuer: "orderflow", Audience: "orderflow-api"})
	if err != nil {
		t.Fatal(err)
	}
	if p, err := v.Verify(customerToken); err != nil || p != (auth.Principal{Subject: demoCustomer, Role: auth.RoleCustomer}) {
		t.Fatalf("the customer token: %+v, %v", p, err)
	}

	// The logged customer token sees the demo orders, and only its own.
	waitUntil(t, 30*time.Second, "the demo customer's orders", func() bool {
		ids, ok := tryOrders(t, first.base, customerToken)
		got := strings.Join(ids, ",")
		return ok && (got == "demo-2,demo-1" || got == "demo-1,demo-2")
	})

	// orderflow token, without ORDERFLOW_JWT_SECRET, signs with the same
	// secret and says so.
	var stdout, stderr bytes.Buffer
	if err := run(context.Background(), []string{"token", "--sub", "c-9", "--role", "customer"}, envOf(vars), &stdout, &stderr); err != nil {
		t.Fatalf("orderflow token: %v (%s)", err, stderr.String())
	}
	if !strings.Contains(stderr.String(), "ORDERFLOW_JWT_SECRET is unset: signing with the development secret in "+secretFile) {
		t.Fatalf("orderflow token says %q", stderr.String())
	}
	minted := lastLine(stdout.String())
	if got := newcomerOrders(t, first.base, minted); len(got) != 0 {
		t.Fatalf("customer c-9 sees orders %v", got)
	}

	// The README's commands, as written: tokens from orderflow token, a
	// product and its stock as the admin, an order as customer c-1.
	mint := func(sub, role string) string {
		var out bytes.Buffer
		if err := run(context.Background(), []string{"token", "--sub", sub, "--role", role}, envOf(vars), &out, io.Discard); err != nil {
			t.Fatal(err)
		}
		return lastLine(out.String())
	}
	admin, customer := mint("ops", "admin"), mint("c-1", "customer")
	callJSON(t, first.base, http.MethodPost, "/api/v1/products", admin,
		json.RawMessage(`{"sku":"SKU-9","name":"Widget","price":{"amount":1999,"currency":"EUR"}}`), http.StatusAccepted, nil)
	callJSON(t, first.base, http.MethodPost, "/api/v1/products/SKU-9/stock", admin, json.RawMessage(`{"quantity":10}`), http.StatusAccepted, nil)
	callJSON(t, first.base, http.MethodPost, "/api/v1/orders", customer,
		json.RawMessage(`{"lines":[{"sku":"SKU-9","quantity":2}],"shippingAddress":{"name":"A. Buyer","line1":"1 Main St","city":"Berlin","postalCode":"10115","country":"DE"}}`),
		http.StatusAccepted, nil, "Idempotency-Key", "7c1e")
	waitUntil(t, 30*time.Second, "the README's order among c-1's", func() bool {
		ids, ok := tryOrders(t, first.base, customer)
		return ok && len(ids) == 3
	})

	// A restart reuses the secret: the tokens of the first run still work.
	first.cancel()
	<-first.done
	second := startServeWith(t, vars, "--demo", "--insecure-dev", "--roles", "api,projections")
	second.logs.WaitFor(t, devTokensMessage, 30*time.Second)
	for _, r := range second.logs.Records(t) {
		if r["msg"] == "made a development JWT secret; serve --insecure-dev and orderflow token in this checkout sign with it" {
			t.Fatal("the restart made a new secret")
		}
	}
	if got := newcomerOrders(t, second.base, customerToken); len(got) != 3 {
		t.Fatalf("after a restart the first run's customer token sees %v", got)
	}
	req, _ := http.NewRequest(http.MethodGet, second.base+"/api/v1/admin/projections/", nil)
	req.Header.Set("Authorization", "Bearer "+adminToken)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusOK {
		t.Fatalf("after a restart the first run's admin token got %d", res.StatusCode)
	}
}

// newcomerOrders returns the ids of the orders the token's GraphQL
// orders query answers, failing the test when it is refused.
func newcomerOrders(t *testing.T, base, token string) []string {
	t.Helper()
	ids, ok := tryOrders(t, base, token)
	if !ok {
		t.Fatal("the orders query failed")
	}
	return ids
}

// tryOrders returns the ids of the orders the token's GraphQL orders
// query answers, and false (logging why) when it answers with errors.
func tryOrders(t *testing.T, base, token string) ([]string, bool) {
	t.Helper()
	body := `{"query":"{ orders(first: 10) { edges { node { id } } } }"}`
	req, _ := http.NewRequest(http.MethodPost, base+"/api/v1/graphql", strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	var r struct {
		Data struct {
			Orders struct {
				Edges []struct{ Node struct{ ID string } }
			}
		}
		Errors []any
	}
	if err := json.Unmarshal(raw, &r); err != nil || res.StatusCode != http.StatusOK || len(r.Errors) > 0 {
		t.Logf("orders: %d %s", res.StatusCode, raw)
		return nil, false
	}
	ids := []string{}
	for _, e := range r.Data.Orders.Edges {
		ids = append(ids, e.Node.ID)
	}
	return ids, true
}
