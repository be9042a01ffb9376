package console_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"path"
	"regexp"
	"strings"
	"testing"

	"github.com/orderflow/orderflow/console"
)

// serve runs the console's Handler, mounted at its Prefix, on a real
// socket.
func serve(t *testing.T) string {
	t.Helper()
	h, err := console.New()
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.Handle(console.Prefix, h)
	mux.Handle(console.Prefix+"/", h)
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv.URL
}

// get sends a request with the headers (name, value, ...) and returns the
// answer with its body read, redirects not followed.
func get(t *testing.T, method, url string, headers ...string) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequest(method, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return res, string(body)
}

// TestFiles: the page and every file it loads come with their content
// type, a strong ETag, revalidation and the security headers; an
// If-None-Match that matches is answered 304 with no body.
func TestFiles(t *testing.T) {
	base := serve(t)
	res, page := get(t, http.MethodGet, base+"/console/")
	if res.StatusCode != http.StatusOK || res.Header.Get("Content-Type") != "text/html; charset=utf-8" {
		t.Fatalf("the page: %d %s", res.StatusCode, res.Header.Get("Content-Type"))
	}
	if strings.Contains(page, "<script>") || regexp.MustCompile(`\son[a-z]+=`).MatchString(page) || strings.Contains(page, "style=") {
		t.Fatal("the page has inline script, event handlers or styles, which its policy forbids")
	}
	refs := regexp.MustCompile(`(?:src|href)="(assets/[^"]+)"`).FindAllStringSubmatch(page, -1)
	if len(refs) != 6 {
		t.Fatalf("the page loads %v, want its icon, its stylesheets and the charts', uPlot's script and its own", refs)
	}
	files := map[string]string{"/console/": "text/html; charset=utf-8"}
	types := map[string]string{".js": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8", ".svg": "image/svg+xml"}
	for _, r := range refs {
		files["/console/"+r[1]] = types[path.Ext(r[1])]
	}
	// The modules main.js imports, and theirs.
	for _, m := range []string{"api.js", "dom.js", "format.js", "poller.js", "tabs.js", "projections.js", "sagas.js", "deadletters.js", "resilience.js", "orders.js", "history.js", "streams.js", "charts.js"} {
		files["/console/assets/js/"+m] = "text/javascript; charset=utf-8"
	}
	// uPlot's licence, shipped with it.
	files["/console/assets/vendor/uplot/LICENSE.txt"] = "text/plain; charset=utf-8"
	for path, ct := range files {
		res, body := get(t, http.MethodGet, base+path)
		h := res.Header
		if res.StatusCode != http.StatusOK || h.Get("Content-Type") != ct || body == "" {
			t.Errorf("%s: %d %q, want 200 %q with a body", path, res.StatusCode, h.Get("Content-Type"), ct)
			continue
		}
		if h.Get("Content-Security-Policy") != console.ContentSecurityPolicy || h.Get("X-Content-Type-Options") != "nosniff" ||
			h.Get("Referrer-Policy") != "no-referrer" || h.Get("Cache-Control") != "no-cache" {
			t.Errorf("%s: headers %v", path, h)
		}
		etag := h.Get("ETag")
		if !regexp.MustCompile(`^"[0-9a-f]{32}"$`).MatchString(etag) {
			t.Errorf("%s: ETag %q, want a strong hash", path, etag)
			continue
		}
		again, body := get(t, http.MethodGet, base+path, "If-None-Match", etag)
		if again.StatusCode != http.StatusNotModified || body != "" || again.Header.Get("ETag") != etag {
			t.Errorf("%s with If-None-Match %s: %d %q", path, etag, again.StatusCode, body)
		}
		changed, _ := get(t, http.MethodGet, base+path, "If-None-Match", `"something-else"`)
		if changed.StatusCode != http.StatusOK {
			t.Errorf("%s with another If-None-Match: %d", path, changed.StatusCode)
		}
	}
}

// TestPolicy: scripts, styles and calls come from the console's own
// origin; nothing inline, nothing framed.
func TestPolicy(t *testing.T) {
	for _, directive := range []string{"default-src 'none'", "script-src 'self'", "style-src 'self'", "connect-src 'self'", "frame-ancestors 'none'"} {
		if !strings.Contains(console.ContentSecurityPolicy, directive+";") && !strings.HasSuffix(console.ContentSecurityPolicy, directive) {
			t.Errorf("the policy lacks %q: %s", directive, console.ContentSecurityPolicy)
		}
	}
	if strings.Contains(console.ContentSecurityPolicy, "unsafe") {
		t.Errorf("the policy allows something unsafe: %s", console.ContentSecurityPolicy)
	}
}

// TestAddresses: the console's bare prefix redirects to the page; other
// paths are 404 and other methods 405, as problems, with the policy.
func TestAddresses(t *testing.T) {
	base := serve(t)
	cases := []struct {
		name, method, path string
		status             int
		location           string
	}{
		{"the bare prefix", http.MethodGet, "/console", http.StatusMovedPermanently, "/console/"},
		{"HEAD of the page", http.MethodHead, "/console/", http.StatusOK, ""},
		{"an unknown file", http.MethodGet, "/console/assets/nope.js", http.StatusNotFound, ""},
		{"the page under assets", http.MethodGet, "/console/assets/index.html", http.StatusNotFound, ""},
		{"a path outside assets", http.MethodGet, "/console/js/main.js", http.StatusNotFound, ""},
		{"a directory", http.MethodGet, "/console/assets/js/", http.StatusNotFound, ""},
		{"POST", http.MethodPost, "/console/", http.StatusMethodNotAllowed, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			res, _ := get(t, tc.method, base+tc.path)
			if res.StatusCode != tc.status || res.Header.Get("Location") != tc.location {
				t.Fatalf("%s %s = %d (Location %q), want %d (%q)", tc.method, tc.path, res.StatusCode, res.Header.Get("Location"), tc.status, tc.location)
			}
			if res.Header.Get("Content-Security-Policy") != console.ContentSecurityPolicy {
				t.Fatalf("no policy on %d", res.StatusCode)
			}
			if res.StatusCode >= 400 && res.Header.Get("Content-Type") != "application/problem+json" {
				t.Fatalf("%d as %q, want a problem", res.StatusCode, res.Header.Get("Content-Type"))
			}
		})
	}
	if res, _ := get(t, http.MethodPost, base+"/console/"); res.Header.Get("Allow") != "GET, HEAD" {
		t.Fatalf("405 with Allow %q", res.Header.Get("Allow"))
	}
}

// TestNoClimbingOut: a path that climbs out of the assets, as a router
// that does not clean paths passes it on, names no file.
func TestNoClimbingOut(t *testing.T) {
	h, err := console.New()
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{"/console/assets/../handler.go", "/console/assets/../../go.mod", "/console/assets//js/main.js", "/consolex/"} {
		rec := httptest.NewRecorder()
		req := httptest.NewRequest(http.MethodGet, "/", nil)
		req.URL.Path = p
		h.ServeHTTP(rec, req)
		if rec.Code != http.StatusNotFound {
			t.Errorf("GET %s = %d, want 404", p, rec.Code)
		}
	}
}
