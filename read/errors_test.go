package read_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/orderflow/orderflow/projections"
	"github.com/orderflow/orderflow/read"
)

// TestInternalErrorsDoNotLeak: a failing database, a failing dependency
// and a panicking resolver are each answered "internal error", with
// nothing of the cause in the response; the cause is logged.
func TestInternalErrorsDoNotLeak(t *testing.T) {
	t.Run("database", func(t *testing.T) {
		e := newEnv(t, withoutProjections())
		// Views that exist but do not have the columns the handler reads:
		// every query fails in PostgreSQL.
		for _, view := range []string{"orders", "products"} {
			if _, err := e.Pool.Exec(context.Background(), "CREATE VIEW readmodel."+view+" AS SELECT 1 AS nothing"); err != nil {
				t.Fatal(err)
			}
		}
		r := e.do(admin, request{Query: `{ order(id: "o-1") { id } products { edges { cursor } } }`})
		if r.status != 200 {
			t.Fatalf("%d %s", r.status, r.body)
		}
		g := r.gql(t)
		slices.SortFunc(g.Errors, func(a, b map[string]any) int { // root fields resolve concurrently
			return strings.Compare(fmt.Sprint(a["path"]), fmt.Sprint(b["path"]))
		})
		body, _ := json.Marshal(g)
		sameJSON(t, body, `{"errors":[
			{"message":"internal error","path":["order"],"extensions":{"code":"INTERNAL"}},
			{"message":"internal error","path":["products"],"extensions":{"code":"INTERNAL"}}],"data":null,"extensions":null}`)
		if logs := e.logs.String(); !strings.Contains(logs, `column \"order_id\" does not exist`) || !strings.Contains(logs, `column \"sku\" does not exist`) {
			t.Fatalf("the causes were not logged: %s", logs)
		}
	})
	t.Run("read model not built yet", func(t *testing.T) {
		e := newEnv(t, withoutProjections()) // no read models: every view is missing
		r := e.do(admin, request{Query: `{ order(id: "o-1") { id } products { edges { cursor } } }`})
		g := r.gql(t)
		slices.SortFunc(g.Errors, func(a, b map[string]any) int {
			return strings.Compare(fmt.Sprint(a["path"]), fmt.Sprint(b["path"]))
		})
		body, _ := json.Marshal(g)
		const msg = "this read model is still being built for the first time; try again in a moment"
		sameJSON(t, body, `{"errors":[
			{"message":"`+msg+`","path":["order"],"extensions":{"code":"NOT_READY"}},
			{"message":"`+msg+`","path":["products"],"extensions":{"code":"NOT_READY"}}],"data":null,"extensions":null}`)
	})
	t.Run("dependency", func(t *testing.T) {
		e := newEnv(t, withoutProjections(), withConfig(read.Config{Status: func(context.Context) ([]projections.Status, error) {
			return nil, errors.New(`pq: SELECT secret FROM projections.checkpoints`)
		}}))
		r := e.do(admin, request{Query: `{ projections { name } }`})
		sameJSON(t, r.body, `{"errors":[{"message":"internal error","path":["projections"],"extensions":{"code":"INTERNAL"}}],"data":{"projections":null}}`)
		if !strings.Contains(e.logs.String(), "SELECT secret") {
			t.Fatalf("the cause was not logged: %s", e.logs.String())
		}
	})
	t.Run("panic", func(t *testing.T) {
		e := newEnv(t, withoutProjections(), withConfig(read.Config{Status: func(context.Context) ([]projections.Status, error) {
			panic("secret state")
		}}))
		r := e.do(admin, request{Query: `{ projections { name } }`})
		if r.status != 200 || strings.Contains(string(r.body), "secret") || strings.Contains(string(r.body), "goroutine") {
			t.Fatalf("%d %s", r.status, r.body)
		}
		sameJSON(t, r.body, `{"errors":[{"message":"internal error","path":["projections"],"extensions":{"code":"INTERNAL"}}],"data":{"projections":null}}`)
		if logs := e.logs.String(); !strings.Contains(logs, "secret state") || !strings.Contains(logs, "goroutine") {
			t.Fatalf("the panic and its stack were not logged: %s", logs)
		}
	})
}
