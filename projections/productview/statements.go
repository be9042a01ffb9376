package productview

import (
	"fmt"

	"github.com/orderflow/orderflow/projections/readmodels/rowcheck"
)

// registerSQL inserts a product: $1 sku, $2 name, $3 price_amount,
// $4 price_currency, $5 registered_at, $6 updated_at, $7 revision.
func registerSQL(schema string) string {
	return fmt.Sprintf(`INSERT INTO %s.products (sku, name, price_amount, price_currency, on_hand, reserved, registered_at, updated_at, revision)
VALUES ($1, $2, $3, $4, 0, 0, $5, $6, $7)`, schema)
}

// updateSQL applies any later inventory event: $1 sku, $2 revision,
// $3 updated_at, $4 price_amount and $5 price_currency (NULL: unchanged),
// $6 and $7 what to add to on_hand and reserved; $8 the message of the
// error when the product is not there.
//
// Stock changes add up in any order, a price change sets the price, and
// updated_at and revision follow the event of the highest revision: a
// parked event applied later by a redrive fills in what it says.
func updateSQL(schema string) string {
	return rowcheck.Require(schema, fmt.Sprintf(`UPDATE %s.products SET
    price_amount   = coalesce($4, price_amount),
    price_currency = coalesce($5, price_currency),
    on_hand        = on_hand + $6,
    reserved       = reserved + $7,
    updated_at     = CASE WHEN $2 > revision THEN $3 ELSE updated_at END,
    revision       = greatest(revision, $2)
WHERE sku = $1
RETURNING 1`, schema), 8)
}
