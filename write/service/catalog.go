package service

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"

	"github.com/orderflow/orderflow/eventstore"
	"github.com/orderflow/orderflow/write/inventory"
	"github.com/orderflow/orderflow/write/money"
)

// Catalog keeps the current price of every product in memory, fed by the
// inventory context's events, so that placing an order does not read a
// product stream per line. It answers only once it has read the log up to
// the head it found when it started: before that (a long history being
// read at start-up) it would know old prices, so a SKU is then read from
// its stream, as is one it has not seen yet (registered a moment ago). It
// never refuses a product that exists, and a price change reaches it
// within moments of being stored. It is safe for concurrent use.
//
// A catalog made with a PriceSource starts from the prices it gives and
// reads the log only after their position, so that a restart does not
// read the whole history again; without one it reads the log from its
// start.
type Catalog struct {
	// source gives Run its head start; nil reads the log from its start.
	source PriceSource
	mu     sync.RWMutex
	prices map[string]money.Money
	// pos is the position of the last event applied, of a checkpoint its
	// subscription handed out beyond it, or of the source's prices: a
	// restarted Run goes on from there (or from the source's
	// position, when that is further) rather than replay old prices over
	// new ones.
	pos eventstore.Position
	// current is set while Run follows the log, having caught up with it.
	current atomic.Bool
}

// catchUpPage is how many events a catch-up read of the log asks for.
const catchUpPage = 4096

// PriceSource gives a catalog a head start: the prices of products as of
// a position of the log, kept by a consumer of the log that commits them
// with its checkpoint (package projections/productview's Prices).
type PriceSource interface {
	// Prices returns the current price of products and the position of
	// the log they are current as of: the effect of every price event up
	// to pos. A product it cannot vouch for it leaves out; the catalog
	// then reads its stream until the log sets its price again.
	Prices(ctx context.Context) (prices map[string]money.Money, pos eventstore.Position, err error)
}

// NewCatalog returns an empty catalog; Run fills it from the log's start.
func NewCatalog() *Catalog {
	return &Catalog{prices: map[string]money.Money{}}
}

// NewCatalogFrom returns an empty catalog whose Run starts from the prices
// of source and reads the log only after them.
func NewCatalogFrom(source PriceSource) *Catalog {
	return &Catalog{prices: map[string]money.Money{}, source: source}
}

// Run reads the log of store up to its head, then follows the inventory
// events until ctx ends, and returns ctx's error, or the error that stopped
// it. The catalog answers from when the head is reached until Run returns.
func (c *Catalog) Run(ctx context.Context, store eventstore.Store) error {
	defer c.current.Store(false)
	stopped := func(err error) error {
		if ctx.Err() != nil || errors.Is(err, eventstore.ErrSubscriptionClosed) {
			return ctx.Err()
		}
		return fmt.Errorf("catalog: %w", err)
	}
	from, err := c.catchUp(ctx, store)
	if err != nil {
		return stopped(err)
	}
	c.current.Store(true)
	sub, err := store.Subscribe(ctx, eventstore.SubscribeOptions{From: from, Category: inventory.Category, Checkpoints: true})
	if err != nil {
		return stopped(err)
	}
	defer sub.Close()
	for {
		events, err := sub.Next(ctx)
		if err != nil {
			return stopped(err)
		}
		c.apply(events)
		c.pass(sub.Checkpoint())
	}
}

// pass moves the catalog's position to a checkpoint of its subscription
// beyond the last inventory event, so that the next Run does not read the
// other events up to it again.
func (c *Catalog) pass(to eventstore.Position) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.pos.Less(to) {
		c.pos = to
	}
}

// catchUp applies the log from where the catalog stands (or its source,
// when that is further) up to the head the store reports now, and returns
// the position it reached.
func (c *Catalog) catchUp(ctx context.Context, store eventstore.Store) (eventstore.Position, error) {
	head, err := store.Head(ctx)
	if err != nil {
		return eventstore.Start, err
	}
	if err := c.load(ctx); err != nil {
		return eventstore.Start, err
	}
	c.mu.RLock()
	from := c.pos
	c.mu.RUnlock()
	for from.Less(head) {
		events, err := store.ReadAll(ctx, from, catchUpPage)
		if err != nil {
			return from, err
		}
		if len(events) == 0 {
			return from, nil // nothing more to read: the head is an event the log does not show (a store's own)
		}
		c.apply(events)
		from = events[len(events)-1].Position
	}
	return from, nil
}

// load takes the prices of the source when they are further into the log
// than the catalog.
func (c *Catalog) load(ctx context.Context) error {
	if c.source == nil {
		return nil
	}
	prices, pos, err := c.source.Prices(ctx)
	if err != nil {
		return err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.pos.Less(pos) {
		return nil
	}
	if prices == nil {
		prices = map[string]money.Money{}
	}
	c.prices, c.pos = prices, pos
	return nil
}

// apply takes the prices events set.
func (c *Catalog) apply(events []eventstore.RecordedEvent) {
	if len(events) == 0 {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.pos = events[len(events)-1].Position
	for _, r := range events {
		if r.Type != inventory.TypeProductRegistered && r.Type != inventory.TypePriceChanged {
			continue
		}
		e, err := inventory.Decode(r.Type, r.Data)
		if err != nil {
			continue // the stream reader reports it when the SKU is asked for
		}
		switch e := e.(type) {
		case inventory.ProductRegistered:
			c.prices[e.SKU] = e.Price
		case inventory.PriceChanged:
			c.prices[e.SKU] = e.Price
		}
	}
}

// price returns the cached price of sku; false when the catalog does not
// know it, or is not following the log.
func (c *Catalog) price(sku string) (money.Money, bool) {
	if !c.current.Load() {
		return money.Money{}, false
	}
	c.mu.RLock()
	defer c.mu.RUnlock()
	p, ok := c.prices[sku]
	return p, ok
}
