package read

import (
	"context"
	"sync/atomic"
	"time"

	"github.com/orderflow/orderflow/eventstore"
	"github.com/orderflow/orderflow/platform/auth"
)

// requestState is what the resolvers of one request share: the caller,
// the read-your-writes wait and the loaders of the connections below
// customers. It lives in the request's context.
type requestState struct {
	h             *Handler
	principal     auth.Principal
	authenticated bool
	fresh         *freshness

	// histories counts the orders whose history the request folded.
	histories atomic.Int64

	customerOrders *pageLoader[orderPage]
	notifications  *pageLoader[notificationPage]
}

func newRequestState(h *Handler, p auth.Principal, authenticated bool, minPos eventstore.Position, minSet bool, start time.Time) *requestState {
	rs := &requestState{
		h:             h,
		principal:     p,
		authenticated: authenticated,
		fresh:         newFreshness(h.pool, minPos, minSet, start.Add(h.maxWait)),
	}
	rs.customerOrders = newPageLoader(rs.fetchCustomerOrders)
	rs.notifications = newPageLoader(rs.fetchNotifications)
	return rs
}

// canSee reports whether the caller may see data owned by customerID.
func (rs *requestState) canSee(customerID string) bool {
	return rs.authenticated && rs.principal.CanSee(customerID)
}

type requestStateKey struct{}

func withRequestState(ctx context.Context, rs *requestState) context.Context {
	return context.WithValue(ctx, requestStateKey{}, rs)
}

// stateFrom returns the state of the request ctx belongs to.
func stateFrom(ctx context.Context) *requestState {
	rs, _ := ctx.Value(requestStateKey{}).(*requestState)
	return rs
}
