package httpx

import (
	"io"
	"mime"
	"net/http"
	"strings"

	"github.com/andybalholm/brotli"
)

// Compress compresses text answers (HTML, CSS, JavaScript, JSON, SVG, plain
// text) with brotli or gzip, as the client's Accept-Encoding prefers, through
// github.com/andybalholm/brotli. Other answers, and answers already encoded,
// pass as they are.
func Compress(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ae := r.Header.Get("Accept-Encoding")
		if r.Method == http.MethodHead || !strings.Contains(ae, "br") && !strings.Contains(ae, "gzip") {
			h.ServeHTTP(w, r)
			return
		}
		cw := &compressWriter{ResponseWriter: w, r: r}
		defer cw.close()
		h.ServeHTTP(cw, r)
	})
}

type compressWriter struct {
	http.ResponseWriter
	r       *http.Request
	wc      io.WriteCloser
	decided bool
}

func (c *compressWriter) WriteHeader(status int) {
	c.decide(status)
	c.ResponseWriter.WriteHeader(status)
}

func (c *compressWriter) Write(b []byte) (int, error) {
	if !c.decided {
		c.WriteHeader(http.StatusOK)
	}
	if c.wc != nil {
		return c.wc.Write(b)
	}
	return c.ResponseWriter.Write(b)
}

// decide compresses the answer when its status and type allow, before its
// header goes out.
func (c *compressWriter) decide(status int) {
	if c.decided {
		return
	}
	c.decided = true
	h := c.Header()
	h.Add("Vary", "Accept-Encoding")
	if status < 200 || status == http.StatusNoContent || status == http.StatusNotModified || h.Get("Content-Encoding") != "" ||
		!compressible(h.Get("Content-Type")) {
		return
	}
	h.Del("Content-Length")
	c.wc = brotli.HTTPCompressor(c.ResponseWriter, c.r)
}

func (c *compressWriter) close() {
	if c.wc != nil {
		c.wc.Close() //nolint:errcheck // the client went away
	}
}

// Flush sends what is compressed so far.
func (c *compressWriter) Flush() {
	if f, ok := c.wc.(interface{ Flush() error }); ok {
		f.Flush() //nolint:errcheck // the client went away
	}
	if f, ok := c.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

// Unwrap gives http.ResponseController the underlying writer.
func (c *compressWriter) Unwrap() http.ResponseWriter { return c.ResponseWriter }

func compressible(contentType string) bool {
	mt, _, err := mime.ParseMediaType(contentType)
	if err != nil {
		return false
	}
	switch {
	case strings.HasPrefix(mt, "text/"), mt == "application/json", mt == "application/javascript", mt == "image/svg+xml",
		mt == "application/problem+json", strings.HasSuffix(mt, "+json"):
		return true
	}
	return false
}
