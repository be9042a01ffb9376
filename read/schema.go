package read

import (
	"context"
	"fmt"
	"runtime/debug"

	graphql "github.com/graph-gophers/graphql-go"
	gqlerrors "github.com/graph-gophers/graphql-go/errors"

	"github.com/orderflow/orderflow/schema"
)

// overlapPairLimit bounds the pairs of selections graphql-go's
// validation compares for overlapping fields in one document: within
// MaxFields and MaxFieldsPerSet a document stays far below it.
const overlapPairLimit = 100_000

// parseSchema binds the SDL to the resolvers. Introspection is off unless
// the Config allows it; panics in resolvers are logged with their stack and
// answered as "internal error".
func (h *Handler) parseSchema() (*graphql.Schema, error) {
	opts := []graphql.SchemaOpt{
		graphql.UseStringDescriptions(),
		graphql.UseFieldResolvers(),
		graphql.Logger(panicLogger{h}),
		graphql.PanicHandler(panicHandler{}),
		// A second guard behind checkShape, which refuses first the
		// documents that would make validation compare many pairs.
		graphql.OverlapValidationLimit(overlapPairLimit),
	}
	if !h.introspection {
		opts = append(opts,
			graphql.RestrictIntrospection(func(context.Context) bool { return false }),
			// A second guard: the analyzer refuses deeper documents first,
			// naming the limit. (Its depth leaves introspection out, which
			// nests deeper than any query of data; the executor's counts it.)
			graphql.MaxDepth(h.limits.MaxDepth))
	}
	s, err := graphql.ParseSchema(schema.GraphQL(), &queryResolver{}, opts...)
	if err != nil {
		return nil, fmt.Errorf("parse the GraphQL schema: %w", err)
	}
	return s, nil
}

// panicLogger logs a panic of a resolver with its stack.
type panicLogger struct{ h *Handler }

// LogPanic logs value and the stack of the panicking goroutine.
func (l panicLogger) LogPanic(ctx context.Context, value any) {
	l.h.logger.ErrorContext(ctx, "graphql resolver panicked", "panic", fmt.Sprint(value), "stack", string(debug.Stack()))
}

// panicHandler answers a panic as "internal error".
type panicHandler struct{}

// MakePanicError returns the error the client sees for a panic.
func (panicHandler) MakePanicError(context.Context, any) *gqlerrors.QueryError {
	return &gqlerrors.QueryError{Message: errInternal.message, Extensions: errInternal.Extensions()}
}
