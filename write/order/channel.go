package order

import "strings"

// Channel is where a customer placed an order: the sales channel. Its
// values are part of the stored data (order.placed v2) and of the APIs:
// never rename one; a new one is an addition clients must be ready for.
type Channel string

// The sales channels.
const (
	// ChannelWeb: the shop's website.
	ChannelWeb Channel = "web"
	// ChannelMobile: the shop's mobile app.
	ChannelMobile Channel = "mobile"
	// ChannelMarketplace: a third-party marketplace that passes its orders on.
	ChannelMarketplace Channel = "marketplace"
	// ChannelPhone: taken by phone, by the shop's staff.
	ChannelPhone Channel = "phone"
	// ChannelStore: taken in a physical store, at the counter.
	ChannelStore Channel = "store"
	// ChannelAPI: a program calling the command API that names no other
	// channel. An order that names none is an api order.
	ChannelAPI Channel = "api"
)

// Channels returns every sales channel, in the order they are documented.
func Channels() []Channel {
	return []Channel{ChannelWeb, ChannelMobile, ChannelMarketplace, ChannelPhone, ChannelStore, ChannelAPI}
}

// Valid reports whether c is one of Channels.
func (c Channel) Valid() bool {
	for _, k := range Channels() {
		if c == k {
			return true
		}
	}
	return false
}

// ChannelNames returns the channels as a comma-separated list, in the
// order of Channels, for messages.
func ChannelNames() string {
	names := make([]string, 0, len(Channels()))
	for _, c := range Channels() {
		names = append(names, string(c))
	}
	return strings.Join(names, ", ")
}
