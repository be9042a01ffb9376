package order

// Category is the category of every order stream: the part of the stream
// name before the first "-".
const Category = "order"

// StreamID returns the name of the stream that holds order id's events,
// "order-" + id.
func StreamID(id string) string { return Category + "-" + id }
