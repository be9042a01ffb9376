package domain

// Event is a domain event. Its type name is a stored constant
// ("order.placed"), never derived from the Go type, and its JSON encoding
// is the stored payload, which carries its schema version in "v".
type Event interface {
	EventType() string
}
