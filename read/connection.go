package read

import "fmt"

// connectionArgs are the arguments of a connection field.
type connectionArgs struct {
	First *int32
	After *string
}

// page checks the arguments: first from 0 to maxFirst (absent or null
// means defaultFirst), after a cursor of kind. The analyzer refuses a bad first
// before the document runs; this is the resolvers' own guard.
func (a connectionArgs) page(maxFirst int, kind string) (pageArgs, error) {
	p := pageArgs{first: defaultFirst}
	if a.First != nil {
		p.first = int(*a.First)
	}
	if p.first < 0 || p.first > maxFirst {
		return pageArgs{}, &fieldError{code: codeFirstOutOfRange,
			message: fmt.Sprintf("first must be a whole number from 0 to %d", maxFirst)}
	}
	if a.After != nil {
		if _, ok := decodeCursor(kind, *a.After); !ok {
			return pageArgs{}, errInvalidCursor
		}
		p.after = *a.After
	}
	return p, nil
}

// pageInfo is the GraphQL type PageInfo of a page walked forwards.
type pageInfo struct {
	hasNext    bool
	start, end *string
}

// HasNextPage reports whether items follow the page.
func (p pageInfo) HasNextPage() bool { return p.hasNext }

// HasPreviousPage is always false: pages are only walked forwards.
func (p pageInfo) HasPreviousPage() bool { return false }

// StartCursor is the cursor of the page's first item, nil when it is
// empty.
func (p pageInfo) StartCursor() *string { return p.start }

// EndCursor is the cursor of the page's last item, nil when it is empty;
// pass it as after for the next page.
func (p pageInfo) EndCursor() *string { return p.end }

// newPageInfo returns the page info of a page whose items have cursors.
func newPageInfo(cursors []string, hasNext bool) pageInfo {
	p := pageInfo{hasNext: hasNext}
	if len(cursors) > 0 {
		p.start, p.end = &cursors[0], &cursors[len(cursors)-1]
	}
	return p
}
