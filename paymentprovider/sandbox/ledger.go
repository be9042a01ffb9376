package sandbox

import "time"

// Charge statuses.
const (
	ChargeSucceeded = "succeeded"
	ChargeDeclined  = "declined"
)

// Decline codes.
const (
	// DeclineCardDeclined is the decline of every amount ending in 02.
	DeclineCardDeclined = "card_declined"
	// DeclineInsufficientFunds is the decline drawn by DeclineRate.
	DeclineInsufficientFunds = "insufficient_funds"
)

// RefundSucceeded is the status of every refund.
const RefundSucceeded = "succeeded"

// Charge is a charge as the API shows it.
type Charge struct {
	ID          string    `json:"id"`
	Status      string    `json:"status"`
	Amount      int64     `json:"amount"`
	Currency    string    `json:"currency"`
	Reference   string    `json:"reference"`
	DeclineCode string    `json:"declineCode,omitempty"`
	Created     time.Time `json:"created"`
}

// Refund is a refund as the API shows it: always of the whole charge.
type Refund struct {
	ID       string    `json:"id"`
	Charge   string    `json:"charge"`
	Amount   int64     `json:"amount"`
	Currency string    `json:"currency"`
	Status   string    `json:"status"`
	Created  time.Time `json:"created"`
}

// ledger is the sandbox's record of charges and refunds, each under the
// idempotency key and the request that made it.
type ledger struct {
	charges        map[string]chargeEntry // by idempotency key
	chargeKeys     map[string]string      // charge id -> idempotency key
	refunds        map[string]refundEntry // by idempotency key
	refundOfCharge map[string]string      // charge id -> refund id
}

type chargeEntry struct {
	req    chargeRequest
	charge Charge
}

type refundEntry struct {
	req    refundRequest
	refund Refund
}

func newLedger() ledger {
	return ledger{
		charges:        map[string]chargeEntry{},
		chargeKeys:     map[string]string{},
		refunds:        map[string]refundEntry{},
		refundOfCharge: map[string]string{},
	}
}

// chargeLocked returns the charge made under key, making it from req if
// there is none. replay is true when it was made earlier. A key made with
// another request is errKeyReused.
func (s *Sandbox) chargeLocked(key string, req chargeRequest) (c Charge, replay bool, err *apiError) {
	if e, ok := s.ledger.charges[key]; ok {
		if e.req != req {
			return Charge{}, false, errKeyReused
		}
		s.stats.Replays++
		return e.charge, true, nil
	}
	c = Charge{
		ID:        s.newIDLocked("ch_"),
		Status:    ChargeSucceeded,
		Amount:    req.Amount,
		Currency:  req.Currency,
		Reference: req.Reference,
		Created:   s.now().UTC(),
	}
	switch {
	case req.Amount%100 == 2:
		c.Status, c.DeclineCode = ChargeDeclined, DeclineCardDeclined
	case s.controls.DeclineRate > 0 && s.rand.Float64() < s.controls.DeclineRate:
		c.Status, c.DeclineCode = ChargeDeclined, DeclineInsufficientFunds
	}
	if c.Status == ChargeDeclined {
		s.stats.Declines++
	} else {
		s.stats.ChargesMade++
		s.stats.ChargesByReference[c.Reference]++
	}
	s.ledger.charges[key] = chargeEntry{req: req, charge: c}
	s.ledger.chargeKeys[c.ID] = key
	return c, false, nil
}

// refundLocked returns the refund made under key, making it from req if
// there is none. It refuses an unknown charge (errChargeNotFound), a
// declined one (errNotRefundable), one refunded under another key
// (errAlreadyRefunded) and a key made with another request (errKeyReused);
// a refusal records nothing.
func (s *Sandbox) refundLocked(key string, req refundRequest) (rf Refund, replay bool, err *apiError) {
	if e, ok := s.ledger.refunds[key]; ok {
		if e.req != req {
			return Refund{}, false, errKeyReused
		}
		s.stats.Replays++
		return e.refund, true, nil
	}
	chargeKey, ok := s.ledger.chargeKeys[req.Charge]
	if !ok {
		return Refund{}, false, errChargeNotFound
	}
	c := s.ledger.charges[chargeKey].charge
	if c.Status != ChargeSucceeded {
		return Refund{}, false, errNotRefundable
	}
	if _, done := s.ledger.refundOfCharge[c.ID]; done {
		return Refund{}, false, errAlreadyRefunded
	}
	rf = Refund{
		ID:       s.newIDLocked("re_"),
		Charge:   c.ID,
		Amount:   c.Amount,
		Currency: c.Currency,
		Status:   RefundSucceeded,
		Created:  s.now().UTC(),
	}
	s.stats.Refunds++
	s.ledger.refunds[key] = refundEntry{req: req, refund: rf}
	s.ledger.refundOfCharge[c.ID] = rf.ID
	return rf, false, nil
}

// lookupLocked returns the charge made under key.
func (s *Sandbox) lookupLocked(key string) (Charge, bool) {
	e, ok := s.ledger.charges[key]
	return e.charge, ok
}

const idAlphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"

// newIDLocked returns prefix and 24 random letters and digits.
func (s *Sandbox) newIDLocked(prefix string) string {
	b := make([]byte, len(prefix)+24)
	copy(b, prefix)
	for i := len(prefix); i < len(b); i++ {
		b[i] = idAlphabet[s.rand.IntN(len(idAlphabet))]
	}
	return string(b)
}
