package console

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"io/fs"
	"mime"
	"path"
	"strings"
)

// files are the page's static files; static/index.html is the page.
//
//go:embed static
var files embed.FS

// asset is one static file, read once.
type asset struct {
	body        []byte
	contentType string
	etag        string // a strong ETag: a hash of body, quoted
}

// contentTypes are the media types of the extensions the console ships.
// Types are set here, not guessed from the system's MIME tables, so that
// every machine serves the same ones.
var contentTypes = map[string]string{
	".html": "text/html; charset=utf-8",
	".css":  "text/css; charset=utf-8",
	".js":   "text/javascript; charset=utf-8",
	".svg":  "image/svg+xml",
	".ico":  "image/x-icon",
	".txt":  "text/plain; charset=utf-8",
}

// loadAssets reads every embedded file into memory, keyed by its path
// below static ("index.html", "js/main.js"). It fails on a file whose
// extension has no known content type.
func loadAssets() (map[string]asset, error) {
	out := make(map[string]asset)
	err := fs.WalkDir(files, "static", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		body, err := files.ReadFile(p)
		if err != nil {
			return err
		}
		ext := path.Ext(p)
		ct, ok := contentTypes[ext]
		if !ok {
			if ct = mime.TypeByExtension(ext); ct == "" {
				return fmt.Errorf("console: no content type for %s", p)
			}
		}
		sum := sha256.Sum256(body)
		out[strings.TrimPrefix(p, "static/")] = asset{body: body, contentType: ct, etag: `"` + hex.EncodeToString(sum[:16]) + `"`}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("console: read the embedded files: %w", err)
	}
	if _, ok := out["index.html"]; !ok {
		return nil, fmt.Errorf("console: the embedded files lack index.html")
	}
	return out, nil
}
