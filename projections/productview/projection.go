package productview

import (
	"context"
	"fmt"
	"strings"

	"github.com/orderflow/orderflow/eventstore"
	"github.com/orderflow/orderflow/projections"
	"github.com/orderflow/orderflow/write/inventory"
)

// Name is the projection's name.
const Name = "products"

// Projection keeps the products read model. It has no state of its own
// and is safe for concurrent use.
type Projection struct{}

var _ projections.Projection = (*Projection)(nil)

// New returns the products projection.
func New() *Projection { return &Projection{} }

// Name implements projections.Projection.
func (*Projection) Name() string { return Name }

// Version implements projections.Projection.
func (*Projection) Version() int { return 1 }

// Views implements projections.Projection: products.
func (*Projection) Views() []string { return []string{"products"} }

// change is what an inventory event after the registration does to its
// product.
type change struct {
	priceAmount                *int64
	priceCurrency              *string
	onHandDelta, reservedDelta int64
}

// Apply implements projections.Projection. It applies the events of the
// inventory-{sku} streams and ignores every other event, and inventory
// event types it does not know. An inventory event it cannot decode, one
// whose SKU is not its stream's, a registration that is not the first
// event of its stream, and a later event of a product never registered
// are refused.
func (*Projection) Apply(_ context.Context, w *projections.Writer, e eventstore.RecordedEvent) error {
	sku, ok := strings.CutPrefix(e.Stream, inventory.Category+"-")
	if !ok || !known(e.Type) {
		return nil
	}
	ev, err := inventory.Decode(e.Type, e.Data)
	if err != nil {
		return fmt.Errorf("product %s revision %d: %w", sku, e.Revision, err)
	}
	var (
		c        change
		eventSKU string
	)
	switch ev := ev.(type) {
	case inventory.ProductRegistered:
		if ev.SKU != sku {
			return fmt.Errorf("product %s: %s names SKU %q", sku, e.Type, ev.SKU)
		}
		if e.Revision != 0 {
			return fmt.Errorf("product %s: %s at revision %d, not the first event of its stream", sku, e.Type, e.Revision)
		}
		w.Exec(registerSQL(w.Schema()), sku, ev.Name, ev.Price.Amount, ev.Price.Currency, ev.RegisteredAt, e.Recorded, int64(e.Revision))
		return nil
	case inventory.PriceChanged:
		eventSKU, c.priceAmount, c.priceCurrency = ev.SKU, &ev.Price.Amount, &ev.Price.Currency
	case inventory.StockAdded:
		eventSKU, c.onHandDelta = ev.SKU, ev.Quantity
	case inventory.StockReserved:
		eventSKU, c.reservedDelta = ev.SKU, ev.Quantity
	case inventory.StockReservationRejected:
		eventSKU = ev.SKU
	case inventory.ReservationReleased:
		eventSKU, c.reservedDelta = ev.SKU, -ev.Quantity
	case inventory.StockShipped:
		eventSKU, c.onHandDelta, c.reservedDelta = ev.SKU, -ev.Quantity, -ev.Quantity
	}
	if eventSKU != sku {
		return fmt.Errorf("product %s: %s names SKU %q", sku, e.Type, eventSKU)
	}
	w.Exec(updateSQL(w.Schema()), sku, int64(e.Revision), e.Recorded, c.priceAmount, c.priceCurrency, c.onHandDelta, c.reservedDelta,
		e.Type+" of product "+sku+", which was never registered")
	return nil
}

// known reports whether typ is an inventory event type the projection
// applies.
func known(typ string) bool {
	switch typ {
	case inventory.TypeProductRegistered, inventory.TypePriceChanged, inventory.TypeStockAdded, inventory.TypeStockReserved,
		inventory.TypeStockReservationRejected, inventory.TypeReservationReleased, inventory.TypeStockShipped:
		return true
	}
	return false
}
