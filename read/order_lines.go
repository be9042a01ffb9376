package read

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
)

// orderLine is the GraphQL type OrderLine.
type orderLine struct {
	SKU       string
	Quantity  int32
	UnitPrice money
}

const linesSQL = `SELECT order_id, sku, quantity, unit_amount, unit_currency
FROM readmodel.order_lines WHERE order_id = ANY($1) ORDER BY order_id, line_no`

// fetchLines loads the lines of orders, in placement order.
func (rs *requestState) fetchLines(ctx context.Context, orderIDs []string) (map[string][]orderLine, error) {
	if err := rs.fresh.wait(ctx, projOrders); err != nil {
		return nil, err
	}
	rows, err := rs.h.pool.Query(ctx, linesSQL, orderIDs)
	if err != nil {
		return nil, fmt.Errorf("read order lines: %w", err)
	}
	out := make(map[string][]orderLine, len(orderIDs))
	var (
		id     string
		l      orderLine
		amount int64
	)
	_, err = pgx.ForEachRow(rows, []any{&id, &l.SKU, &l.Quantity, &amount, &l.UnitPrice.Currency}, func() error {
		l.UnitPrice.Amount = int64Scalar(amount)
		out[id] = append(out[id], l)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("read order lines: %w", err)
	}
	for _, id := range orderIDs {
		if _, ok := out[id]; !ok {
			out[id] = []orderLine{}
		}
	}
	return out, nil
}
