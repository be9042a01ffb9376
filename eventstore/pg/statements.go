package pg

import (
	"encoding/binary"

	"github.com/orderflow/orderflow/eventstore"
)

// The append statements. Each writes one request and checks its expected
// revision on the way, with at most one index probe; a retry, a conflict or
// a lost race shows as no row inserted, a conflict status or a unique-key
// violation, and only then does the request go through eventstore.append,
// which tells them apart.

// insertNewSQL appends the first event of a stream (expected NoStream):
// revision 0, so an existing stream fails on the (stream_id, revision) key.
const insertNewSQL = `INSERT INTO eventstore.events (event_id, stream_id, category, revision, type, data, metadata)
VALUES ($1, $2, $3, 0, $4, $5, $6)
RETURNING revision, transaction_id, position`

// insertAfterSQL appends one event after revision $7 (expected Exact). The
// stream's revisions are dense, so when revision $7 exists and $7+1 is
// free, $7 is the stream's last.
const insertAfterSQL = `INSERT INTO eventstore.events (event_id, stream_id, category, revision, type, data, metadata)
SELECT $1, $2, $3, $7::bigint + 1, $4, $5, $6
 WHERE EXISTS (SELECT FROM eventstore.events e WHERE e.stream_id = $2 AND e.revision = $7::bigint)
RETURNING revision, transaction_id, position`

// insertLastSQL appends one event after the stream's last (expected Any,
// or StreamExists when $7 is true).
const insertLastSQL = `INSERT INTO eventstore.events (event_id, stream_id, category, revision, type, data, metadata)
SELECT $1, $2, $3, coalesce(c.cur, -1) + 1, $4, $5, $6
  FROM (SELECT max(e.revision) AS cur FROM eventstore.events e WHERE e.stream_id = $2) c
 WHERE NOT $7::boolean OR c.cur IS NOT NULL
RETURNING revision, transaction_id, position`

// Each one-event statement has a twin that also announces the append, for
// a direct append that finds a NOTIFY due (see notifier): the NOTIFY is
// delivered when the append commits, at no extra round trip or commit, and
// not at all when the statement inserts nothing.
const (
	notifyingSelect      = ` SELECT a.revision, a.transaction_id, a.position FROM a, pg_notify('` + channel + `', '') n`
	insertNewNotifySQL   = `WITH a AS (` + insertNewSQL + `)` + notifyingSelect
	insertAfterNotifySQL = `WITH a AS (` + insertAfterSQL + `)` + notifyingSelect
	insertLastNotifySQL  = `WITH a AS (` + insertLastSQL + `)` + notifyingSelect
)

// notifySQL announces appends on its own. Sent in a group commit, beside
// its appends, it is delivered when they commit.
const notifySQL = `SELECT pg_notify('` + channel + `', '')`

// appendManySQL appends the events $3-$6 to stream $1 at expected revision
// $2 (-1 any, -2 no stream, -3 stream exists, n exact). It returns one row:
// whether it appended (0) or the expected revision did not hold (1), the
// stream's revision after it (or the actual revision, NULL for no stream,
// on a conflict), and the transaction and position of the last event. It
// does not look for stored event ids: a retried batch fails on the
// event_id unique key.
const appendManySQL = `WITH ok AS (
  SELECT c.cur, ($2::bigint = -1 OR ($2::bigint = -2 AND c.cur IS NULL) OR ($2::bigint = -3 AND c.cur IS NOT NULL)
                 OR ($2::bigint >= 0 AND c.cur IS NOT DISTINCT FROM $2::bigint)) AS ok
    FROM (SELECT max(e.revision) AS cur FROM eventstore.events e WHERE e.stream_id = $1) c
), ins AS (
  INSERT INTO eventstore.events (event_id, stream_id, category, revision, type, data, metadata)
  SELECT u.id, $1, split_part($1, '-', 1), coalesce(ok.cur, -1) + u.o, u.typ, u.dat, u.meta
    FROM ok, unnest($3::uuid[], $4::text[], $5::bytea[], $6::bytea[]) WITH ORDINALITY AS u(id, typ, dat, meta, o)
   WHERE ok.ok
   ORDER BY u.o
  RETURNING position, transaction_id
)
SELECT CASE WHEN ok.ok THEN 0 ELSE 1 END::smallint,
       CASE WHEN ok.ok THEN coalesce(ok.cur, -1) + cardinality($3::uuid[]) ELSE ok.cur END,
       (SELECT max(ins.transaction_id) FROM ins), (SELECT max(ins.position) FROM ins)
  FROM ok`

// statement returns the statement that writes req in a group commit, with
// its arguments for pgx: the one-event statement that fits its expected
// revision, or appendManySQL for several events. Neither carries a NOTIFY:
// the group sends notifySQL beside them.
func statement(req appendRequest) (string, []any) {
	if len(req.ids) > 1 {
		return appendManySQL, []any{req.stream, expectedCode(req.expected), req.ids, req.types, req.data, req.meta}
	}
	sql, extra := oneSQL(req.expected, false)
	args := []any{req.ids[0], req.stream, eventstore.Category(req.stream), req.types[0], req.data[0], req.meta[0]}
	if extra != nil {
		args = append(args, extra)
	}
	return sql, args
}

// oneSQL returns the one-event statement that fits expected, its notifying
// twin when notify is set, and the parameter it takes after the event's
// six: none (nil), whether the stream must exist (bool), or the revision
// to append after (int64).
func oneSQL(expected eventstore.ExpectedRevision, notify bool) (string, any) {
	switch {
	case expected.IsNoStream():
		return pick(notify, insertNewSQL, insertNewNotifySQL), nil
	case expected.IsAny() || expected.IsStreamExists():
		return pick(notify, insertLastSQL, insertLastNotifySQL), expected.IsStreamExists()
	default:
		rev, _ := expected.Revision()
		return pick(notify, insertAfterSQL, insertAfterNotifySQL), int64(rev)
	}
}

// binaryFormats marks every parameter and result column as PostgreSQL's
// binary format.
var binaryFormats = []int16{1, 1, 1, 1, 1, 1, 1}

// oneParams returns the one-event statement that writes req (see oneSQL)
// and its parameters in PostgreSQL's binary format: uuid, text, text,
// text, bytea, bytea and then bool or int8.
func oneParams(req appendRequest, notify bool) (string, [][]byte) {
	sql, extra := oneSQL(req.expected, notify)
	params := make([][]byte, 6, 7)
	params[0] = req.ids[0][:]
	params[1] = []byte(req.stream)
	params[2] = []byte(eventstore.Category(req.stream))
	params[3] = []byte(req.types[0])
	params[4] = req.data[0]
	params[5] = req.meta[0]
	switch v := extra.(type) {
	case bool:
		params = append(params, []byte{0})
		if v {
			params[6][0] = 1
		}
	case int64:
		params = append(params, binary.BigEndian.AppendUint64(nil, uint64(v)))
	}
	return sql, params
}

// decodeOne decodes the row a one-event statement returns, in binary
// format: revision int8, transaction_id xid8, position int8.
func decodeOne(values [][]byte) (eventstore.AppendResult, bool) {
	if len(values) != 3 || len(values[0]) != 8 || len(values[1]) != 8 || len(values[2]) != 8 {
		return eventstore.AppendResult{}, false
	}
	return eventstore.AppendResult{
		Revision: binary.BigEndian.Uint64(values[0]),
		Position: eventstore.Position{Commit: binary.BigEndian.Uint64(values[1]), Prepare: binary.BigEndian.Uint64(values[2])},
	}, true
}

// pick returns plain, or notifying when notify is set.
func pick(notify bool, plain, notifying string) string {
	if notify {
		return notifying
	}
	return plain
}
