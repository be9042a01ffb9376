package lease

import "fmt"

// fenceSQL is Fence's condition.
const fenceSQL = `EXISTS (SELECT FROM leases.leases l
	WHERE l.name = $%d AND l.owner = $%d AND l.epoch = $%d AND l.expires_at > clock_timestamp() FOR SHARE)`

// Fence returns a SQL condition that holds while the tenure whose name,
// owner and epoch are the statement's parameters first, first+1 and
// first+2 (Tenure.Args) is current and unexpired. It locks the lease row
// until the transaction ends, so that a takeover waits: a write
// conditioned on it commits before any takeover, or changes nothing.
func Fence(first int) string { return fmt.Sprintf(fenceSQL, first, first+1, first+2) }

// renewOneSQL is RenewSQL's statement.
const renewOneSQL = `UPDATE leases.leases SET expires_at = clock_timestamp() + $%d * interval '1 millisecond'
	WHERE name = $%d AND owner = $%d AND epoch = $%d RETURNING 1`

// RenewSQL returns a statement, for a WITH clause of the caller's own,
// that renews by ttl milliseconds the tenure whose name, owner and epoch
// are at parameters first, first+1 and first+2 (Tenure.Args) and the TTL
// at first+3 (Holder.RenewArgs gives all four), and returns one row if it
// was still current, none if it was lost. It locks the lease row until the
// transaction ends, as Fence does.
func RenewSQL(first int) string {
	return fmt.Sprintf(renewOneSQL, first+3, first, first+1, first+2)
}

// Args returns t's name, owner and epoch, the parameters of Fence.
func (t Tenure) Args() []any { return []any{t.Name, t.Owner, t.Epoch} }

// RenewArgs returns t's name, owner, epoch and the holder's TTL in
// milliseconds, the parameters of RenewSQL.
func (h *Holder) RenewArgs(t Tenure) []any {
	return []any{t.Name, t.Owner, t.Epoch, h.ttl.Milliseconds()}
}
