package inventory

import (
	"bytes"
	"encoding/json"
	"fmt"

	"github.com/orderflow/orderflow/write/money"
)

// SnapshotVersion is the schema version of the snapshots EncodeSnapshot
// writes. A stored snapshot of another version is not read: the stream is
// folded from its start instead (and a new snapshot written). Bump it with
// any change to the encoding or to what State means.
const SnapshotVersion = 1

// snapshotV1 is State as a snapshot stores it.
type snapshotV1 struct {
	SKU        string      `json:"sku"`
	Name       string      `json:"name"`
	Price      money.Money `json:"price"`
	Registered bool        `json:"registered"`
	OnHand     int64       `json:"onHand"`
	Reserved   int64       `json:"reserved"`
	Version    int64       `json:"version"`
	// Active maps each active reservation's order id to its quantity.
	Active map[string]int64 `json:"active"`
	// Finished are the remembered finished reservations, oldest first.
	Finished []finishedV1 `json:"finished"`
}

// finishedV1 is one remembered finished reservation.
type finishedV1 struct {
	OrderID  string `json:"orderId"`
	Quantity int64  `json:"quantity"`
	Shipped  bool   `json:"shipped"`
}

// EncodeSnapshot returns s as a JSON snapshot of version SnapshotVersion,
// for DecodeSnapshot to read back. Its size grows with the active
// reservations and FinishedWindow, not with the history.
func EncodeSnapshot(s State) ([]byte, error) {
	v := snapshotV1{
		SKU: s.SKU, Name: s.Name, Price: s.Price, Registered: s.Registered,
		OnHand: s.OnHand, Reserved: s.Reserved, Version: s.Version,
		Active: make(map[string]int64), Finished: []finishedV1{},
	}
	for id, r := range s.Reservations {
		if r.Status == StatusActive {
			v.Active[id] = r.Quantity
		}
	}
	seen := make(map[string]bool, len(s.finished))
	for i := len(s.finished) - 1; i >= 0; i-- {
		id := s.finished[i]
		r, ok := s.Reservations[id]
		if !ok || r.Status == StatusActive || seen[id] {
			continue
		}
		seen[id] = true
		v.Finished = append(v.Finished, finishedV1{OrderID: id, Quantity: r.Quantity, Shipped: r.Status == StatusShipped})
	}
	for i, j := 0, len(v.Finished)-1; i < j; i, j = i+1, j-1 {
		v.Finished[i], v.Finished[j] = v.Finished[j], v.Finished[i]
	}
	return json.Marshal(v)
}

// DecodeSnapshot reads a snapshot EncodeSnapshot wrote back into a State.
// It returns an error when data is not such a snapshot (unknown fields are
// refused).
func DecodeSnapshot(data []byte) (State, error) {
	var v snapshotV1
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&v); err != nil {
		return State{}, fmt.Errorf("inventory snapshot: %w", err)
	}
	s := State{
		SKU: v.SKU, Name: v.Name, Price: v.Price, Registered: v.Registered,
		OnHand: v.OnHand, Reserved: v.Reserved, Version: v.Version,
	}
	if len(v.Active)+len(v.Finished) > 0 {
		s.Reservations = make(map[string]Reservation, len(v.Active)+len(v.Finished))
	}
	for id, q := range v.Active {
		s.Reservations[id] = Reservation{Quantity: q, Status: StatusActive}
	}
	for _, f := range v.Finished {
		st := StatusReleased
		if f.Shipped {
			st = StatusShipped
		}
		s.Reservations[f.OrderID] = Reservation{Quantity: f.Quantity, Status: st}
		s.finished = append(s.finished, f.OrderID)
	}
	return s, nil
}
