package requestid_test

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/google/uuid"

	"github.com/orderflow/orderflow/platform/requestid"
)

// seen is what the handler saw of a request's id.
type seen struct {
	fromContext string
	inContext   bool
	header      string
}

// serveIDs serves Middleware over a handler that answers what it saw as
// "fromContext|inContext|header".
func serveIDs(t *testing.T) string {
	t.Helper()
	srv := httptest.NewServer(requestid.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id, ok := requestid.FromContext(r.Context())
		_, _ = fmt.Fprintf(w, "%s|%t|%s", id, ok, r.Header.Get(requestid.Header))
	})))
	t.Cleanup(srv.Close)
	return srv.URL
}

// send sends GET with the given X-Request-ID values and returns the
// response's id and what the handler saw.
func send(t *testing.T, url string, ids ...string) (string, seen) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range ids {
		req.Header.Add(requestid.Header, id)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	parts := strings.SplitN(string(b), "|", 3)
	if len(parts) != 3 {
		t.Fatalf("handler answered %q", b)
	}
	return resp.Header.Get(requestid.Header), seen{parts[0], parts[1] == "true", parts[2]}
}

func TestMiddlewareKeepsSaneIDs(t *testing.T) {
	url := serveIDs(t)
	for _, id := range []string{
		"req-42",
		"a",
		"0af7651916cd43dd8448eb211c80319c",
		"svc.orders:2024-01-01_17",
		strings.Repeat("x", requestid.MaxLength),
	} {
		got, s := send(t, url, id)
		if got != id || s != (seen{id, true, id}) {
			t.Errorf("X-Request-ID %q: response %q, handler saw %+v; want it kept everywhere", id, got, s)
		}
	}
}

func TestMiddlewareReplacesOtherIDs(t *testing.T) {
	url := serveIDs(t)
	tests := []struct {
		name string
		ids  []string // X-Request-ID values sent
	}{
		{"missing", nil},
		{"empty", []string{""}},
		{"too long", []string{strings.Repeat("x", requestid.MaxLength+1)}},
		{"space", []string{"req 42"}},
		{"slash", []string{"../../etc/passwd"}},
		{"markup", []string{"<script>alert(1)</script>"}},
		{"quote", []string{`req"42`}},
		{"non-ASCII", []string{"réq-42"}},
		{"tab", []string{"req\t42"}},
		{"two headers", []string{"req-1", "req-2"}},
	}
	generated := map[string]bool{}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, s := send(t, url, tc.ids...)
			u, err := uuid.Parse(got)
			if err != nil || u.Version() != 4 || u.String() != got {
				t.Fatalf("response X-Request-ID %q, want a new UUID v4", got)
			}
			if s != (seen{got, true, got}) {
				t.Errorf("handler saw %+v, want %q in the context and the header", s, got)
			}
			if generated[got] {
				t.Errorf("id %q generated twice", got)
			}
			generated[got] = true
		})
	}
}

func TestValid(t *testing.T) {
	tests := []struct {
		id   string
		want bool
	}{
		{"req-42", true},
		{"A.b_c:d-9", true},
		{strings.Repeat("z", 128), true},
		{"", false},
		{strings.Repeat("z", 129), false},
		{"a b", false},
		{"a\nb", false},
		{"a/b", false},
		{"a=b", false},
		{"ä", false},
	}
	for _, tc := range tests {
		if got := requestid.Valid(tc.id); got != tc.want {
			t.Errorf("Valid(%q) = %t, want %t", tc.id, got, tc.want)
		}
	}
}
