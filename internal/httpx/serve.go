package httpx

import (
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Pinger reports whether the database answers.
type Pinger interface {
	Ping(ctx context.Context) error
}

// Health adds /health (the process is up) and /health/ready (the database
// answers) to mux.
func Health(mux Mux, db Pinger) {
	mux.HandleFunc("GET /health", func(w http.ResponseWriter, r *http.Request) {
		WriteJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	})
	mux.HandleFunc("GET /health/ready", func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
		defer cancel()
		if err := db.Ping(ctx); err != nil {
			WriteJSON(w, http.StatusServiceUnavailable, map[string]string{"status": "unavailable", "database": "unreachable"})
			return
		}
		WriteJSON(w, http.StatusOK, map[string]string{"status": "ok", "database": "ok"})
	})
}

// NewRegistry returns a metrics registry with the Go and process collectors,
// and adds /metrics serving it to mux. With a token, /metrics asks for it as
// a bearer token; without one it answers only the machine itself: a TCP peer
// on loopback whose request no proxy forwarded (a reverse proxy on the same
// machine adds X-Forwarded-For). Anyone else gets 404.
func NewRegistry(mux Mux, token string) *prometheus.Registry {
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	serve := promhttp.HandlerFor(reg, promhttp.HandlerOpts{Registry: reg})
	mux.Handle("GET /metrics", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !metricsAllowed(r, token) {
			http.NotFound(w, r)
			return
		}
		serve.ServeHTTP(w, r)
	}))
	return reg
}

func metricsAllowed(r *http.Request, token string) bool {
	if token != "" {
		got, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		return ok && subtle.ConstantTimeCompare([]byte(got), []byte(token)) == 1
	}
	if r.Header.Get("X-Forwarded-For") != "" || r.Header.Get("Forwarded") != "" || r.Header.Get("X-Real-IP") != "" {
		return false
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return false
	}
	a, err := netip.ParseAddr(host)
	return err == nil && a.Unmap().IsLoopback()
}

// Server is one named HTTP server to run.
type Server struct {
	Name    string
	Addr    string
	Handler http.Handler
}

// Serve listens on every server's address and serves until ctx ends, then shuts
// them down gracefully: no new connections, requests in flight finish within
// timeout. It returns the first listen or serve error.
func Serve(ctx context.Context, log *slog.Logger, timeout time.Duration, servers ...Server) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	errc := make(chan error, len(servers))
	var hs []*http.Server
	for _, s := range servers {
		ln, err := net.Listen("tcp", s.Addr)
		if err != nil {
			for _, h := range hs {
				h.Close()
			}
			return fmt.Errorf("%s: listening on %s: %w", s.Name, s.Addr, err)
		}
		h := &http.Server{
			Handler:           s.Handler,
			ReadHeaderTimeout: 10 * time.Second,
			ReadTimeout:       30 * time.Second,
			WriteTimeout:      60 * time.Second,
			IdleTimeout:       120 * time.Second,
			MaxHeaderBytes:    64 << 10,
			ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
		}
		hs = append(hs, h)
		log.Info("listening", "server", s.Name, "addr", ln.Addr().String())
		go func(name string) {
			if err := h.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
				errc <- fmt.Errorf("%s: %w", name, err)
				cancel()
			}
		}(s.Name)
	}
	<-ctx.Done()
	log.Info("shutting down", "timeout", timeout.String())
	sctx, scancel := context.WithTimeout(context.WithoutCancel(ctx), timeout)
	defer scancel()
	var errs []error
	for _, h := range hs {
		if err := h.Shutdown(sctx); err != nil {
			errs = append(errs, err)
		}
	}
	select {
	case err := <-errc:
		errs = append(errs, err)
	default:
	}
	return errors.Join(errs...)
}
