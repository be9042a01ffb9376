package read

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// productRow is a row of readmodel.products.
type productRow struct {
	sku, name                   string
	price                       money
	available, reserved, onHand int64
	registeredAt, updatedAt     time.Time
	revision                    int64
}

const productColumns = `sku, name, price_amount, price_currency, available, reserved, on_hand, registered_at, updated_at, revision`

func scanProduct(row pgx.Row) (productRow, error) {
	var p productRow
	var amount int64
	err := row.Scan(&p.sku, &p.name, &amount, &p.price.Currency, &p.available, &p.reserved, &p.onHand, &p.registeredAt, &p.updatedAt, &p.revision)
	p.price.Amount = int64Scalar(amount)
	return p, err
}

const productBySKUSQL = `SELECT ` + productColumns + ` FROM readmodel.products WHERE sku = $1`

// loadProduct returns the product sku, nil when there is none.
func (rs *requestState) loadProduct(ctx context.Context, sku string) (*productResolver, error) {
	if !validKey(sku) {
		return nil, nil
	}
	if err := rs.fresh.wait(ctx, projProducts); err != nil {
		return nil, err
	}
	p, err := scanProduct(rs.h.pool.QueryRow(ctx, productBySKUSQL, sku))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read product %s: %w", sku, err)
	}
	return &productResolver{row: p}, nil
}

const productsSQL = `SELECT ` + productColumns + ` FROM readmodel.products WHERE sku > $1 ORDER BY sku LIMIT $2`

// loadProducts returns a page of products in SKU order.
func (rs *requestState) loadProducts(ctx context.Context, args connectionArgs) (*productConnection, error) {
	pa, err := args.page(rs.h.limits.MaxFirst, cursorProduct)
	if err != nil {
		return nil, err
	}
	if pa.first == 0 {
		return &productConnection{Edges: []productEdge{}}, nil
	}
	after := ""
	if pa.after != "" {
		after, _ = decodeCursor(cursorProduct, pa.after)
	}
	if err := rs.fresh.wait(ctx, projProducts); err != nil {
		return nil, err
	}
	rows, err := rs.h.pool.Query(ctx, productsSQL, after, pa.first+1)
	if err != nil {
		return nil, fmt.Errorf("read products: %w", err)
	}
	list, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (productRow, error) { return scanProduct(r) })
	if err != nil {
		return nil, fmt.Errorf("read products: %w", err)
	}
	hasNext := len(list) > pa.first
	list = list[:min(len(list), pa.first)]
	c := &productConnection{Edges: make([]productEdge, len(list))}
	cursors := make([]string, len(list))
	for i, p := range list {
		cursors[i] = encodeCursor(cursorProduct, p.sku)
		c.Edges[i] = productEdge{Cursor: cursors[i], Node: &productResolver{row: p}}
	}
	c.PageInfo = newPageInfo(cursors, hasNext)
	return c, nil
}

// productResolver resolves the GraphQL type Product.
type productResolver struct{ row productRow }

// SKU is the product's stock keeping unit.
func (p *productResolver) SKU() string { return p.row.sku }

// Name is the product's name.
func (p *productResolver) Name() string { return p.row.name }

// Price is the catalog price of one unit.
func (p *productResolver) Price() money { return p.row.price }

// Available is on hand and not reserved.
func (p *productResolver) Available() int64Scalar { return int64Scalar(p.row.available) }

// Reserved is reserved by orders, not yet shipped or released.
func (p *productResolver) Reserved() int64Scalar { return int64Scalar(p.row.reserved) }

// OnHand is added and not yet shipped.
func (p *productResolver) OnHand() int64Scalar { return int64Scalar(p.row.onHand) }

// RegisteredAt is when the product was registered.
func (p *productResolver) RegisteredAt() timeScalar { return timeScalar(p.row.registeredAt) }

// UpdatedAt is the recorded time of the product's last event.
func (p *productResolver) UpdatedAt() timeScalar { return timeScalar(p.row.updatedAt) }

// Revision is the revision of the product's last event.
func (p *productResolver) Revision() int64Scalar { return int64Scalar(p.row.revision) }

// productConnection resolves the GraphQL type ProductConnection.
type productConnection struct {
	Edges    []productEdge
	PageInfo pageInfo
}

// productEdge resolves the GraphQL type ProductEdge.
type productEdge struct {
	Cursor string
	Node   *productResolver
}
