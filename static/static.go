// Package static holds the hosted pages' assets, embedded in the binary and
// served under names that change with their content.
package static

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"io/fs"
	"net/http"
	"path"
	"strings"
)

//go:embed css js img
var files embed.FS

// Assets serves the embedded files under content-hashed names, so that they
// can be cached for a year and still change with a release.
type Assets struct {
	byHashed map[string]string // hashed name -> embedded path
	hashed   map[string]string // embedded path -> hashed name
}

// New indexes the embedded files.
func New() *Assets {
	a := &Assets{byHashed: map[string]string{}, hashed: map[string]string{}}
	fs.WalkDir(files, ".", func(p string, d fs.DirEntry, err error) error { //nolint:errcheck // embedded FS
		if err != nil || d.IsDir() {
			return err
		}
		b, _ := files.ReadFile(p)
		sum := sha256.Sum256(b)
		ext := path.Ext(p)
		name := strings.TrimSuffix(p, ext) + "." + hex.EncodeToString(sum[:])[:12] + ext
		a.byHashed[name] = p
		a.hashed[p] = name
		return nil
	})
	return a
}

// URL returns the path under which an embedded file is served ("/static/css/page.1a2b3c4d5e6f.css").
func (a *Assets) URL(p string) string { return "/static/" + a.hashed[p] }

// ServeHTTP serves GET /static/{name...}.
func (a *Assets) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	p, ok := a.byHashed[strings.TrimPrefix(r.URL.Path, "/static/")]
	if !ok {
		http.NotFound(w, r)
		return
	}
	b, _ := files.ReadFile(p)
	switch path.Ext(p) {
	case ".css":
		w.Header().Set("Content-Type", "text/css; charset=utf-8")
	case ".js":
		w.Header().Set("Content-Type", "text/javascript; charset=utf-8")
	case ".svg":
		w.Header().Set("Content-Type", "image/svg+xml")
	}
	w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Write(b) //nolint:errcheck // the client went away
}
