package read

import (
	"encoding/base64"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Cursors are opaque to clients: base64url of the connection's kind and
// the sort key of the last item of a page. The kind keeps a cursor of one
// connection from being taken by another.
const (
	cursorOrder        = "order"
	cursorProduct      = "product"
	cursorNotification = "notification"
)

// timeKey is the sort key of connections ordered newest first: a time
// (microseconds, the precision PostgreSQL keeps) and an id.
type timeKey struct {
	at time.Time
	id string
}

func encodeCursor(kind, key string) string {
	return base64.RawURLEncoding.EncodeToString([]byte(kind + ":" + key))
}

func decodeCursor(kind, cursor string) (string, bool) {
	raw, err := base64.RawURLEncoding.DecodeString(cursor)
	if err != nil {
		return "", false
	}
	k, key, ok := strings.Cut(string(raw), ":")
	if !ok || k != kind || !validKey(key) {
		return "", false
	}
	return key, true
}

// validKey reports whether s can be a key of a read model: non-empty
// UTF-8 without NUL, which PostgreSQL's text refuses. A key that cannot
// be stored is not looked up: nothing has it.
func validKey(s string) bool {
	return s != "" && utf8.ValidString(s) && !strings.ContainsRune(s, 0)
}

func encodeTimeCursor(kind string, k timeKey) string {
	return encodeCursor(kind, strconv.FormatInt(k.at.UnixMicro(), 10)+":"+k.id)
}

func decodeTimeCursor(kind, cursor string) (timeKey, bool) {
	key, ok := decodeCursor(kind, cursor)
	if !ok {
		return timeKey{}, false
	}
	micros, id, ok := strings.Cut(key, ":")
	if !ok || id == "" {
		return timeKey{}, false
	}
	us, err := strconv.ParseInt(micros, 10, 64)
	if err != nil {
		return timeKey{}, false
	}
	return timeKey{at: time.UnixMicro(us), id: id}, true
}
