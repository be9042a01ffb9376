package read

import "fmt"

// Limits bound what one request may ask for. Documents over a limit are
// refused before any resolver runs.
type Limits struct {
	// MaxBodyBytes is the largest POST body read; larger is answered 413.
	MaxBodyBytes int64
	// MaxQueryBytes is the longest query document accepted.
	MaxQueryBytes int
	// MaxDepth is how deeply fields may nest: in { order { lines { sku } } }
	// sku is at depth 3. Fragments add no depth of their own.
	MaxDepth int
	// MaxFirst is the largest page (the argument first) a connection
	// serves.
	MaxFirst int
	// ListFactor is how many items a list field without a first argument
	// (an order's lines, its timeline) counts for in the cost.
	ListFactor int
	// MaxCost is the highest cost a document may have. The cost counts
	// each field as often as it may resolve: once at the root; below a
	// connection (a field with a first argument) times its first (a
	// first of 0 as 1); below any other list times ListFactor, except the
	// edges of a connection, which its first counted already. Aliases and
	// fragment spreads count every time they appear; introspection
	// fields, when allowed, count nothing.
	MaxCost int
	// MaxFields is how many selections a document may make in all:
	// every field, fragment spread and inline fragment counts once for
	// each time it is reached from an operation or a fragment definition,
	// so a fragment counts where it is defined and again each time it is
	// spread. Checked in time linear in the document, before anything
	// else walks it.
	MaxFields int
	// MaxFieldsPerSet is how many fields one selection set may select,
	// the fields its fragments bring in and those of fields it merges
	// with (same response key) included: { a: sku a: sku } selects 2.
	MaxFieldsPerSet int
	// MaxResponseBytes is the largest response body served. A larger one
	// is replaced by the single error RESPONSE_TOO_LARGE.
	MaxResponseBytes int
	// CostPerUnit is how many points of cost one rate-limit unit buys;
	// QueryBytesPerUnit how many bytes of request (a body, or a GET's
	// query string). A request is charged the most of 1, its root
	// fields, its cost divided by CostPerUnit and its length divided by
	// QueryBytesPerUnit (both rounded up), refused or not; see the
	// package documentation.
	CostPerUnit       int
	QueryBytesPerUnit int
}

// DefaultLimits returns the limits a zero Limits field takes: 64 KiB
// bodies, 8 KiB documents, depth 10, pages of up to 100, lists counted as
// 10 items, cost 25,000 (a page of 100 orders with their lines, timelines,
// fulfillment histories and customers costs about 16,000), 1,000
// selections in all and 100 per selection set (the standard
// introspection query makes 429; a page of orders with everything 32),
// responses of 4 MiB (that page of 100 orders comes to about half a MiB
// when every order has 10 lines, timeline entries and history records of
// usual lengths), and a rate-limit unit per 1,000 of cost and per KiB of
// request.
func DefaultLimits() Limits {
	return Limits{
		MaxBodyBytes:      64 << 10,
		MaxQueryBytes:     8 << 10,
		MaxDepth:          10,
		MaxFirst:          100,
		ListFactor:        10,
		MaxCost:           25_000,
		MaxFields:         1_000,
		MaxFieldsPerSet:   100,
		MaxResponseBytes:  4 << 20,
		CostPerUnit:       1_000,
		QueryBytesPerUnit: 1 << 10,
	}
}

// defaultFirst is the page size of a connection whose first is absent or
// null, as the SDL says.
const defaultFirst = 20

// withDefaults fills the zero fields from DefaultLimits() and refuses
// negative ones.
func (l Limits) withDefaults() (Limits, error) {
	if l.MaxBodyBytes < 0 || l.MaxQueryBytes < 0 || l.MaxDepth < 0 || l.MaxFirst < 0 || l.ListFactor < 0 || l.MaxCost < 0 ||
		l.MaxFields < 0 || l.MaxFieldsPerSet < 0 || l.MaxResponseBytes < 0 || l.CostPerUnit < 0 || l.QueryBytesPerUnit < 0 {
		return l, fmt.Errorf("limits must not be negative: %+v", l)
	}
	d := DefaultLimits()
	if l.MaxBodyBytes == 0 {
		l.MaxBodyBytes = d.MaxBodyBytes
	}
	if l.MaxQueryBytes == 0 {
		l.MaxQueryBytes = d.MaxQueryBytes
	}
	if l.MaxDepth == 0 {
		l.MaxDepth = d.MaxDepth
	}
	if l.MaxFirst == 0 {
		l.MaxFirst = d.MaxFirst
	}
	if l.ListFactor == 0 {
		l.ListFactor = d.ListFactor
	}
	if l.MaxCost == 0 {
		l.MaxCost = d.MaxCost
	}
	if l.MaxFields == 0 {
		l.MaxFields = d.MaxFields
	}
	if l.MaxFieldsPerSet == 0 {
		l.MaxFieldsPerSet = d.MaxFieldsPerSet
	}
	if l.MaxResponseBytes == 0 {
		l.MaxResponseBytes = d.MaxResponseBytes
	}
	if l.CostPerUnit == 0 {
		l.CostPerUnit = d.CostPerUnit
	}
	if l.QueryBytesPerUnit == 0 {
		l.QueryBytesPerUnit = d.QueryBytesPerUnit
	}
	return l, nil
}
