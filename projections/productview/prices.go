package productview

import (
	"context"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/orderflow/orderflow/eventstore"
	"github.com/orderflow/orderflow/projections"
	"github.com/orderflow/orderflow/write/inventory"
	"github.com/orderflow/orderflow/write/money"
)

// Prices reads the current price of every product from the live products
// read model, as of its checkpoint: the head start of the command side's
// price catalog (service.PriceSource), which then follows the log from
// that checkpoint rather than from its start. It is safe for concurrent
// use.
type Prices struct {
	pool *pgxpool.Pool
}

// NewPrices returns the prices of the products read model in pool.
func NewPrices(pool *pgxpool.Pool) *Prices { return &Prices{pool: pool} }

// Prices returns the price of every product in the live products read
// model and the position of the log they are the prices as of: every
// price event up to pos is in them. A product with a parked event (its
// row may lack a price change) is left out, as is every product when the
// read model has not been built yet (pos is then eventstore.Start). It
// returns an error when the read model cannot be read.
func (p *Prices) Prices(ctx context.Context) (prices map[string]money.Money, pos eventstore.Position, err error) {
	prices = make(map[string]money.Money)
	_, err = projections.ReadLive(ctx, p.pool, Name, func(ctx context.Context, tx pgx.Tx, live projections.Live) error {
		rows, err := tx.Query(ctx, fmt.Sprintf(`SELECT sku, price_amount, price_currency FROM %s.products`, live.Schema))
		if err != nil {
			return err
		}
		var (
			sku   string
			price money.Money
		)
		if _, err := pgx.ForEachRow(rows, []any{&sku, &price.Amount, &price.Currency}, func() error {
			prices[sku] = price
			return nil
		}); err != nil {
			return err
		}
		for _, stream := range live.Parked {
			if sku, ok := strings.CutPrefix(stream, inventory.Category+"-"); ok {
				delete(prices, sku)
			}
		}
		pos = live.Position
		return nil
	})
	if err != nil {
		return nil, eventstore.Start, fmt.Errorf("product prices: %w", err)
	}
	return prices, pos, nil
}
