package console

import (
	"bytes"
	"net/http"
	"strings"
	"time"

	"github.com/orderflow/orderflow/platform/problem"
)

// Prefix is where cmd/orderflow mounts the Handler: the page is
// Prefix + "/", its files below Prefix + "/assets/".
const Prefix = "/console"

// Handler serves the console's page and files. It is safe for concurrent
// use.
type Handler struct {
	assets map[string]asset
}

var _ http.Handler = (*Handler)(nil)

// New returns the Handler of the embedded files. It fails only when the
// binary was built without them.
func New() (*Handler, error) {
	a, err := loadAssets()
	if err != nil {
		return nil, err
	}
	return &Handler{assets: a}, nil
}

// ServeHTTP answers GET and HEAD:
//
//	Prefix              301 to Prefix + "/"
//	Prefix + "/"        the page (index.html)
//	Prefix + "/assets/P" the embedded file static/P (CSS, JavaScript)
//
// Each file comes with its content type, a strong ETag (304 when
// If-None-Match matches) and Cache-Control: no-cache, so browsers keep it
// and revalidate it on each load. Other paths are 404 and other methods
// 405, as problem+json.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	secure(w.Header())
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		problem.Write(w, problem.Details{Status: http.StatusMethodNotAllowed})
		return
	}
	rest, ok := strings.CutPrefix(r.URL.Path, Prefix)
	if !ok {
		problem.Write(w, problem.Details{Status: http.StatusNotFound})
		return
	}
	var name string
	switch {
	case rest == "":
		http.Redirect(w, r, Prefix+"/", http.StatusMovedPermanently)
		return
	case rest == "/":
		name = "index.html"
	case strings.HasPrefix(rest, "/assets/"):
		name = strings.TrimPrefix(rest, "/assets/")
		if name == "index.html" {
			name = "" // the page has one address
		}
	}
	a, found := h.assets[name]
	if !found {
		problem.Write(w, problem.Details{Status: http.StatusNotFound})
		return
	}
	hd := w.Header()
	hd.Set("Content-Type", a.contentType)
	hd.Set("ETag", a.etag)
	hd.Set("Cache-Control", "no-cache")
	http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(a.body))
}
