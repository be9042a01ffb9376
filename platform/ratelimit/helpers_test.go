package ratelimit_test

import (
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/orderflow/orderflow/platform/auth"
	"github.com/orderflow/orderflow/platform/ratelimit"
)

var secret = []byte("0123456789abcdef0123456789abcdef-test")

// server is a limited handler behind authentication, served over a real
// socket.
type server struct {
	url  string
	hits atomic.Int32
}

// serve starts verifier middleware (which charges refused tokens with
// the limiter's Refused), then the limiter for cfg, then a
// handler that charges the request what its "cost" query parameter says
// (with "parallel" set, from that many goroutines at once) and answers
// "ok", or the 429 of a refused charge.
func serve(t testing.TB, cfg ratelimit.Config) *server {
	t.Helper()
	l, err := ratelimit.New(cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	v, err := auth.NewVerifier(auth.Config{Secret: secret, Issuer: "orderflow", Audience: "orderflow-api", Refused: l.Refused})
	if err != nil {
		t.Fatal(err)
	}
	s := &server{}
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.hits.Add(1)
		if c := r.URL.Query().Get("cost"); c != "" {
			n, _ := strconv.Atoi(c)
			parallel, _ := strconv.Atoi(r.URL.Query().Get("parallel"))
			errs := make([]error, max(parallel, 1))
			var wg sync.WaitGroup
			for i := range errs {
				wg.Go(func() { errs[i] = ratelimit.Cost(r.Context(), n) })
			}
			wg.Wait()
			for _, err := range errs {
				var exceeded *ratelimit.ExceededError
				if errors.As(err, &exceeded) {
					exceeded.WriteProblem(w)
					return
				}
			}
		}
		_, _ = io.WriteString(w, "ok")
	})
	srv := httptest.NewServer(v.Middleware(l.Middleware(h)))
	t.Cleanup(srv.Close)
	s.url = srv.URL
	return s
}

// client sends requests from a loopback address of its own, so that the
// server sees different peers.
type client struct {
	http *http.Client
}

func newClient(t testing.TB, localIP string) *client {
	t.Helper()
	d := &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(localIP)}, Timeout: 5 * time.Second}
	tr := &http.Transport{DialContext: d.DialContext}
	t.Cleanup(tr.CloseIdleConnections)
	return &client{http: &http.Client{Transport: tr, Timeout: 10 * time.Second}}
}

type response struct {
	status int
	header http.Header
	body   string
}

// get sends GET path with header pairs.
func (c *client) get(t testing.TB, s *server, path string, headers ...string) response {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, s.url+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Add(headers[i], headers[i+1])
	}
	resp, err := c.http.Do(req)
	if err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return response{status: resp.StatusCode, header: resp.Header, body: string(b)}
}

// token returns an Authorization value for sub.
func token(t testing.TB, sub string) string {
	t.Helper()
	tok, err := auth.Mint(secret, "orderflow", "orderflow-api", sub, auth.RoleCustomer, time.Hour, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	return "Bearer " + tok
}

// expect fails the test unless the statuses of the responses are want.
func expect(t testing.TB, what string, got []int, want ...int) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: statuses %v, want %v", what, got, want)
	}
	for i := range got {
		if got[i] != want[i] {
			t.Fatalf("%s: statuses %v, want %v", what, got, want)
		}
	}
}

// statuses sends n requests and returns their statuses.
func (c *client) statuses(t testing.TB, s *server, n int, path string, headers ...string) []int {
	t.Helper()
	out := make([]int, n)
	for i := range out {
		out[i] = c.get(t, s, path, headers...).status
	}
	return out
}
