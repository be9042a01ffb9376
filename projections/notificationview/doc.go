// Package notificationview is the customer_notifications read model: what
// the notification context told each customer, one row per order event
// that caused a notification, worded by notifications.Describe. Projection
// keeps it from the order-{id} streams; the projection runtime (package
// projections) runs it. docs/readmodels.md describes the columns.
package notificationview
