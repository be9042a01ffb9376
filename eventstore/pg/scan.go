package pg

import (
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"

	"github.com/orderflow/orderflow/eventstore"
)

// eventColumns is the select list scanEvents reads.
const eventColumns = `transaction_id, position, event_id, stream_id, revision, type, data, metadata, recorded_at`

// scanEvents reads rows of eventColumns into dst.
func scanEvents(rows pgx.Rows, dst []eventstore.RecordedEvent) ([]eventstore.RecordedEvent, error) {
	defer rows.Close()
	var (
		commit   uint64
		prepare  int64
		id       [16]byte
		stream   string
		revision int64
		typ      string
		data     []byte
		meta     pgtype.DriverBytes // valid until the next row: decoded at once
		recorded time.Time
	)
	for rows.Next() {
		if err := rows.Scan(&commit, &prepare, &id, &stream, &revision, &typ, &data, &meta, &recorded); err != nil {
			return dst, fmt.Errorf("scan event: %w", err)
		}
		m, err := eventstore.UnmarshalMetadata(meta)
		if err != nil {
			return dst, fmt.Errorf("event %x at %d.%d: %w", id, commit, prepare, err)
		}
		dst = append(dst, eventstore.RecordedEvent{
			ID:       id,
			Stream:   stream,
			Revision: uint64(revision),
			Position: eventstore.Position{Commit: commit, Prepare: uint64(prepare)},
			Type:     typ,
			Data:     data,
			Metadata: m,
			Recorded: recorded,
		})
	}
	return dst, rows.Err()
}

func isNoRows(err error) bool { return errors.Is(err, pgx.ErrNoRows) }
