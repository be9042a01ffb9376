package eventschema

import (
	"context"
	"errors"
	"fmt"

	"github.com/orderflow/orderflow/eventstore"
	"github.com/orderflow/orderflow/write/domain"
)

// Undecodable is a stored event that Decode refuses.
type Undecodable struct {
	Position eventstore.Position
	Stream   string
	Revision uint64
	Type     string
	// V is the payload's schema version; 0 when it has none.
	V   int
	Err error
}

// VerifyResult is what Verify found.
type VerifyResult struct {
	// Events is how many events it read.
	Events int64
	// Undecodable is how many of them do not decode.
	Undecodable int64
	// Head is the position of the last event read.
	Head eventstore.Position
}

// VerifyOptions configures Verify.
type VerifyOptions struct {
	// PageSize is how many events one ReadAll returns at most; zero means
	// DefaultPageSize.
	PageSize int
	// Progress, when set, is called after every page with the number of
	// events read so far.
	Progress func(done int64)
	// Undecodable, when set, is called with every event that does not
	// decode, in log order.
	Undecodable func(Undecodable)
}

// DefaultPageSize is the page size of a Verify whose options name none.
const DefaultPageSize = 1000

// Verify reads the whole global log of store, through ReadAll a page at a
// time, and decodes every event with Decode, reporting each one it
// cannot decode to opts.Undecodable. It returns what it found, and an
// error only when reading fails (with what it found until then). It
// holds no more than one page in memory, whatever the log's length.
func Verify(ctx context.Context, store eventstore.Store, opts VerifyOptions) (VerifyResult, error) {
	size := opts.PageSize
	if size <= 0 {
		size = DefaultPageSize
	}
	var res VerifyResult
	for {
		page, err := store.ReadAll(ctx, res.Head, size)
		if err != nil {
			return res, fmt.Errorf("read the log after %s: %w", res.Head, err)
		}
		if len(page) == 0 {
			return res, nil
		}
		for _, e := range page {
			if _, err := Decode(e); err != nil {
				res.Undecodable++
				if opts.Undecodable != nil {
					v, _ := domain.SchemaVersion(e.Data)
					opts.Undecodable(Undecodable{Position: e.Position, Stream: e.Stream, Revision: e.Revision, Type: e.Type, V: v, Err: err})
				}
			}
		}
		res.Events += int64(len(page))
		res.Head = page[len(page)-1].Position
		if opts.Progress != nil {
			opts.Progress(res.Events)
		}
		if err := ctx.Err(); err != nil {
			return res, err
		}
	}
}

// ErrUndecodable is wrapped by the error of a verification that found
// events that do not decode.
var ErrUndecodable = errors.New("stored events do not decode")
