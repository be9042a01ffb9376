package api

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"net/http"
	"strconv"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/orderflow/orderflow/platform/auth"
)

// MaxIdempotencyKeyLength is the longest Idempotency-Key accepted.
const MaxIdempotencyKeyLength = 255

// replayedHeaders are the response headers stored with a response and sent
// again with its replays (Retry-After only ever with a 503, never stored).
var replayedHeaders = []string{"Content-Type", "Location", "ETag", "Retry-After"}

// storedResponse is a response kept for replay.
type storedResponse struct {
	fingerprint []byte
	status      int
	headers     map[string]string
	body        []byte
}

// idempotencyStore keeps the first response to each Idempotency-Key, per
// idempotencyScope, in PostgreSQL.
type idempotencyStore struct{ pool *pgxpool.Pool }

// fingerprint identifies a request: the same method, path and body give the
// same fingerprint.
func fingerprint(r *http.Request, body []byte) []byte {
	h := sha256.New()
	fmt.Fprintf(h, "%s %s\n", r.Method, r.URL.Path)
	h.Write(body)
	return h.Sum(nil)
}

// idempotencyScope is what an Idempotency-Key is unique within: the
// caller (the subject of the request's principal, quoted so that no
// subject can pass for another), the method and the path. The same key
// sent by two callers is two keys: neither gets the other's stored
// response, and a key-derived order id differs between them.
func idempotencyScope(r *http.Request) string {
	subject := ""
	if p, ok := auth.FromContext(r.Context()); ok {
		subject = p.Subject
	}
	return strconv.Quote(subject) + " " + r.Method + " " + r.URL.Path
}

func validKey(key string) bool {
	if key == "" || len(key) > MaxIdempotencyKeyLength {
		return false
	}
	for i := 0; i < len(key); i++ {
		if key[i] < 0x21 || key[i] > 0x7e {
			return false
		}
	}
	return true
}

// lookup returns the stored response for (scope, key), if any.
func (s idempotencyStore) lookup(ctx context.Context, scope, key string) (storedResponse, bool, error) {
	var r storedResponse
	err := s.pool.QueryRow(ctx,
		`SELECT fingerprint, status, headers, body FROM api.idempotency WHERE scope = $1 AND key = $2`,
		scope, key).Scan(&r.fingerprint, &r.status, &r.headers, &r.body)
	if errors.Is(err, pgx.ErrNoRows) {
		return storedResponse{}, false, nil
	}
	if err != nil {
		return storedResponse{}, false, fmt.Errorf("look up idempotency key: %w", err)
	}
	return r, true, nil
}

// save stores r for (scope, key) unless a response is stored already, and
// returns the response that is stored now: r, or the one that won.
func (s idempotencyStore) save(ctx context.Context, scope, key string, r storedResponse) (storedResponse, error) {
	tag, err := s.pool.Exec(ctx,
		`INSERT INTO api.idempotency (scope, key, fingerprint, status, headers, body)
		 VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (scope, key) DO NOTHING`,
		scope, key, r.fingerprint, r.status, r.headers, r.body)
	if err != nil {
		return storedResponse{}, fmt.Errorf("store idempotent response: %w", err)
	}
	if tag.RowsAffected() == 1 {
		return r, nil
	}
	won, ok, err := s.lookup(ctx, scope, key)
	if err != nil {
		return storedResponse{}, err
	}
	if !ok {
		return storedResponse{}, errors.New("store idempotent response: the stored response vanished")
	}
	return won, nil
}
