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

// pageInfo is the GraphQL type PageInfo of a page walked forwards:
// HasPreviousPage is always false.
type pageInfo struct {
	HasNextPage     bool
	HasPreviousPage bool
	StartCursor     *string
	EndCursor       *string
}

// newPageInfo returns the page info of a page whose items have cursors.
func newPageInfo(cursors []string, hasNext bool) pageInfo {
	p := pageInfo{HasNextPage: hasNext}
	if len(cursors) > 0 {
		p.StartCursor, p.EndCursor = &cursors[0], &cursors[len(cursors)-1]
	}
	return p
}
