package shipping

// Limits Decide enforces on commands, in characters.
const (
	// MaxAddressFieldLength is the longest address field; PostalCode is
	// shorter.
	MaxAddressFieldLength = 200
	// MaxPostalCodeLength is the longest postal code.
	MaxPostalCodeLength = 20
	// MaxCarrierLength is the longest carrier name.
	MaxCarrierLength = 100
	// MaxTrackingNumberLength is the longest tracking number.
	MaxTrackingNumberLength = 100
	// MaxReasonLength is the longest cancellation reason.
	MaxReasonLength = 500
)

// Command is a request to change one order's shipment. Only this package's
// command types satisfy it; pass them as values.
type Command interface {
	isCommand()
}

// Schedule asks Carrier to take an order to Address. ServedCountries is the
// carrier's coverage (ISO 3166-1 alpha-2 codes), which the caller looks up:
// an address outside it gets the shipment rejected.
type Schedule struct {
	OrderID         string
	Address         Address
	Carrier         string
	ServedCountries []string
}

// Cancel stops a scheduled shipment before it leaves.
type Cancel struct {
	Reason string
}

// Dispatch records that the carrier took a scheduled shipment.
type Dispatch struct {
	TrackingNumber string
}

// Deliver records that a dispatched shipment arrived.
type Deliver struct{}

func (Schedule) isCommand() {}
func (Cancel) isCommand()   {}
func (Dispatch) isCommand() {}
func (Deliver) isCommand()  {}
