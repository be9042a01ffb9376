package productview

import (
	"fmt"

	"github.com/orderflow/orderflow/projections/readmodels/rowcheck"
)

// Tables implements projections.Projection: the table products, read by
// its primary key (one product, or all in SKU order), with available
// computed from on_hand and reserved; and the row check function.
func (*Projection) Tables(schema string) []string {
	return []string{
		fmt.Sprintf(`CREATE TABLE %s.products (
    sku            text        PRIMARY KEY,
    name           text        NOT NULL,
    price_amount   bigint      NOT NULL,
    price_currency text        NOT NULL,
    on_hand        bigint      NOT NULL,
    reserved       bigint      NOT NULL,
    available      bigint      NOT NULL GENERATED ALWAYS AS (on_hand - reserved) STORED,
    registered_at  timestamptz NOT NULL,
    updated_at     timestamptz NOT NULL,
    revision       bigint      NOT NULL)`, schema),
		rowcheck.Function(schema),
	}
}
