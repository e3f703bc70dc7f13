package httpx

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"runtime/debug"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// statusWriter remembers the status a handler wrote.
type statusWriter struct {
	http.ResponseWriter
	status int
	bytes  int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	n, err := w.ResponseWriter.Write(b)
	w.bytes += n
	return n, err
}

func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// Metrics are the HTTP metrics of one server.
type Metrics struct {
	requests *prometheus.CounterVec
	duration *prometheus.HistogramVec
}

// NewMetrics registers HTTP metrics for server on reg.
func NewMetrics(reg prometheus.Registerer, server string) *Metrics {
	m := &Metrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "pgw_http_requests_total", Help: "HTTP requests served.",
			ConstLabels: prometheus.Labels{"server": server},
		}, []string{"method", "route", "code"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "pgw_http_request_duration_seconds", Help: "Time to serve HTTP requests.",
			ConstLabels: prometheus.Labels{"server": server},
			Buckets:     []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5},
		}, []string{"method", "route"}),
	}
	reg.MustRegister(m.requests, m.duration)
	return m
}

// Wrap puts the common middleware around h: request id, panic recovery,
// access log and metrics. The access log never contains headers or bodies, so
// keys and secrets stay out of it.
func Wrap(h http.Handler, log *slog.Logger, m *Metrics) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		id := newRequestID(r)
		w.Header().Set("X-Request-ID", id)
		r = r.WithContext(context.WithValue(r.Context(), requestIDKey, id))
		sw := &statusWriter{ResponseWriter: w}
		defer func() {
			if p := recover(); p != nil {
				if p == http.ErrAbortHandler {
					panic(p)
				}
				log.Error("panic", "panic", fmt.Sprint(p), "requestId", id, "stack", string(debug.Stack()))
				if sw.status == 0 {
					WriteError(sw, r, http.StatusInternalServerError, "internal_error", "internal error")
				}
			}
			d := time.Since(start)
			route := r.Pattern
			if route == "" {
				route = "unmatched"
			}
			if m != nil {
				m.requests.WithLabelValues(r.Method, route, strconv.Itoa(sw.status)).Inc()
				m.duration.WithLabelValues(r.Method, route).Observe(d.Seconds())
			}
			level, msg := slog.LevelInfo, "request"
			switch {
			case sw.status == StatusClientClosed:
				msg = "request canceled by the client"
			case sw.status >= 500:
				level = slog.LevelError
			}
			log.Log(context.WithoutCancel(r.Context()), level, msg, "method", r.Method, "path", r.URL.Path, "status", sw.status,
				"bytes", sw.bytes, "durationMs", float64(d.Microseconds())/1000, "requestId", id)
		}()
		h.ServeHTTP(sw, r)
	})
}
