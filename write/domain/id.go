package domain

import "fmt"

// MaxIDLength is the longest aggregate id (an order id, a SKU) accepted.
const MaxIDLength = 64

// CheckID says what is wrong with an aggregate id, or returns "" when it is
// fine. An id becomes part of a stream name ("order-" + id), so it is 1 to
// MaxIDLength characters, each one of A-Z, a-z, 0-9, '-', '_' and '.'.
func CheckID(id string) string {
	if id == "" {
		return "it is empty"
	}
	if len(id) > MaxIDLength {
		return fmt.Sprintf("it is longer than %d characters", MaxIDLength)
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		ok := c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.'
		if !ok {
			return "only letters A-Z and a-z, digits and - _ . are allowed"
		}
	}
	return ""
}
