// Package write is the command side of orderflow. Each bounded context owns
// its streams and rules in a package of its own (write/order,
// write/inventory, write/payment, write/shipping); write/command loads,
// decides and appends for all of them; write/api serves the REST command API.
package write
