package payment

// Category is the category of every payment stream: the part of the
// stream name before the first "-".
const Category = "payment"

// StreamID returns the name of the stream that holds the payment of order
// orderID, "payment-" + orderID. An order has one payment.
func StreamID(orderID string) string { return Category + "-" + orderID }
