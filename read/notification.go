package read

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"
	graphql "github.com/graph-gophers/graphql-go"
	"github.com/jackc/pgx/v5"
)

// notification is the GraphQL type Notification.
type notification struct {
	ID        graphql.ID
	OrderID   graphql.ID
	Kind      string
	Message   string
	CreatedAt timeScalar
}

// notificationPage is one page of a customer's notifications.
type notificationPage struct {
	items   []notification
	hasNext bool
}

// notificationConnection resolves the GraphQL type NotificationConnection.
type notificationConnection struct {
	Edges    []notificationEdge
	PageInfo pageInfo
}

// notificationEdge resolves the GraphQL type NotificationEdge.
type notificationEdge struct {
	Cursor string
	Node   notification
}

func (p notificationPage) connection() *notificationConnection {
	c := &notificationConnection{Edges: make([]notificationEdge, len(p.items))}
	cursors := make([]string, len(p.items))
	for i, n := range p.items {
		cursors[i] = encodeTimeCursor(cursorNotification, timeKey{at: time.Time(n.CreatedAt), id: string(n.ID)})
		c.Edges[i] = notificationEdge{Cursor: cursors[i], Node: n}
	}
	c.PageInfo = newPageInfo(cursors, p.hasNext)
	return c
}

// notificationsSQL reads a page of notifications per customer, newest
// first and, for the same time, by event id, as the view's index keeps
// them.
const notificationsSQL = `SELECT n.customer_id, n.event_id::text, n.order_id, n.kind, n.message, n.created_at
FROM unnest($1::text[]) AS c(id)
CROSS JOIN LATERAL (
    SELECT customer_id, event_id, order_id, kind, message, created_at FROM readmodel.customer_notifications
    WHERE customer_id = c.id
      AND ($3::timestamptz IS NULL OR created_at < $3 OR (created_at = $3 AND event_id > $4::uuid))
    ORDER BY created_at DESC, event_id LIMIT $2) n
ORDER BY n.customer_id, n.created_at DESC, n.event_id`

// fetchNotifications loads a page of notifications for each customer,
// all with the same arguments, in one query.
func (rs *requestState) fetchNotifications(ctx context.Context, pa pageArgs, customers []string) (map[string]notificationPage, error) {
	out := make(map[string]notificationPage, len(customers))
	for _, c := range customers {
		out[c] = notificationPage{}
	}
	if pa.first == 0 {
		return out, nil
	}
	var (
		at *time.Time
		id *string
	)
	if pa.after != "" {
		k, _ := decodeTimeCursor(cursorNotification, pa.after)
		if _, err := uuid.Parse(k.id); err != nil {
			return nil, errInvalidCursor
		}
		at, id = &k.at, &k.id
	}
	if err := rs.fresh.wait(ctx, projNotifications); err != nil {
		return nil, err
	}
	rows, err := rs.h.pool.Query(ctx, notificationsSQL, customers, pa.first+1, at, id)
	if err != nil {
		return nil, fmt.Errorf("read notifications: %w", err)
	}
	var (
		customer  string
		n         notification
		eventID   string
		orderID   string
		createdAt time.Time
	)
	_, err = pgx.ForEachRow(rows, []any{&customer, &eventID, &orderID, &n.Kind, &n.Message, &createdAt}, func() error {
		p := out[customer]
		if len(p.items) == pa.first {
			p.hasNext = true
		} else {
			n.ID, n.OrderID, n.CreatedAt = graphql.ID(eventID), graphql.ID(orderID), timeScalar(createdAt)
			p.items = append(p.items, n)
		}
		out[customer] = p
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("read notifications: %w", err)
	}
	return out, nil
}
