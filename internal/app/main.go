package app

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/spf13/pflag"

	"github.com/pgw/pgw/internal/config"
)

// Main runs one server binary (admin-backend, main-backend or main-frontend)
// and returns its exit code.
func Main(name string, args []string) int {
	fs := pflag.NewFlagSet(name, pflag.ContinueOnError)
	config.Flags(fs)
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, pflag.ErrHelp) {
			return 0
		}
		return 2
	}
	cfg, err := config.Load(fs)
	if err != nil {
		fmt.Fprintf(os.Stderr, "%s: configuration: %v\n", name, err)
		return 2
	}
	log := cfg.Logger(os.Stderr)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	st, err := OpenMigrated(ctx, cfg)
	if err != nil {
		fmt.Fprintf(os.Stderr, "%s: %v\n", name, err)
		return 1
	}
	defer st.Close()
	build := map[string]func() Component{
		AdminBackend: func() Component { return Admin(cfg, st, log) },
		MainBackend:  func() Component { return Runtime(cfg, st, log) },
		MainFrontend: func() Component { return Frontend(cfg, st, log) },
	}[name]
	if err := Run(ctx, cfg, log, build()); err != nil {
		log.Error("server stopped", "err", err)
		return 1
	}
	log.Info("stopped")
	return 0
}
