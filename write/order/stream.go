package order

// Category is the category of every order stream: the part of the stream
// name before the first "-".
const Category = "order"

// StreamID returns the name of the stream that holds order id's events,
// "order-" + id.
func StreamID(id string) string { return Category + "-" + id }

// ValidID reports whether id can name an order: 1 to 64 letters, digits,
// '-', '_' or '.'. No order exists under any other id.
func ValidID(id string) bool { return isID(id) }
