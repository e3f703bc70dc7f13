package apidoc

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"html/template"
	"io/fs"
	"net/http"
	"strings"

	"github.com/pgw/pgw/internal/httpx"
)

// uiVersion is the Swagger UI in swaggerui/, part of its assets' path so that
// a new one is never mixed with a cached old one.
const uiVersion = "5.35.0"

//go:embed swaggerui/swagger-ui-bundle.js swaggerui/swagger-ui.css swaggerui/init.js
var ui embed.FS

// Document serves a document (JSON) with an ETag, so clients that poll it
// fetch it again only when it changed.
func Document(doc []byte) http.Handler {
	sum := sha256.Sum256(doc)
	etag := `"` + hex.EncodeToString(sum[:12]) + `"`
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Type", "application/json")
		h.Set("Cache-Control", "no-cache")
		h.Set("ETag", etag)
		h.Set("Access-Control-Allow-Origin", "*")
		if strings.Contains(r.Header.Get("If-None-Match"), etag) {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		w.Write(doc) //nolint:errcheck // the client went away
	})
}

var page = template.Must(template.New("docs").Parse(`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Title}}</title>
<link rel="stylesheet" href="{{.Assets}}/swagger-ui.css">
</head>
<body>
<div id="reference" data-spec="{{.Spec}}"></div>
<script src="{{.Assets}}/swagger-ui-bundle.js"></script>
<script src="{{.Assets}}/init.js"></script>
</body>
</html>
`))

// AssetsPath is where Assets is mounted.
const AssetsPath = "/docs/assets/" + uiVersion + "/"

// Reference serves the HTML reference of the document at spec: Swagger UI,
// from this origin only.
func Reference(title, spec string) http.Handler {
	var b strings.Builder
	if err := page.Execute(&b, map[string]string{"Title": title, "Spec": spec, "Assets": strings.TrimSuffix(AssetsPath, "/")}); err != nil {
		panic(err) // a constant template with constant data
	}
	html := []byte(b.String())
	csp := httpx.StrictCSP().Set("style-src", "'self'", "'unsafe-inline'").Set("form-action", "'none'").String()
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Type", "text/html; charset=utf-8")
		h.Set("Content-Security-Policy", csp)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "same-origin")
		h.Set("X-Frame-Options", "DENY")
		w.Write(html) //nolint:errcheck // the client went away
	})
}

// Assets serves the reference's scripts and styles under AssetsPath; their
// path holds their version, so browsers keep them.
func Assets() http.Handler {
	sub, err := fs.Sub(ui, "swaggerui")
	if err != nil {
		panic(err) // the directory is embedded
	}
	files := http.StripPrefix(AssetsPath, http.FileServerFS(sub))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/") {
			http.NotFound(w, r) // no listings
			return
		}
		h := w.Header()
		h.Set("Cache-Control", "public, max-age=31536000, immutable")
		h.Set("X-Content-Type-Options", "nosniff")
		files.ServeHTTP(w, r)
	})
}
