// Package cli is the operator's command `pgw`: migrations, bootstrap, API keys,
// the all-in-one dev server and the load generator.
package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	iofs "io/fs"
	"os"
	"os/signal"
	"path/filepath"
	"sort"
	"syscall"

	"github.com/spf13/pflag"

	"github.com/pgw/pgw/internal/app"
	"github.com/pgw/pgw/internal/config"
	"github.com/pgw/pgw/internal/store"
)

type command struct {
	summary string
	run     func(ctx context.Context, env *Env, args []string) error
}

// Env is where a command reads and writes.
type Env struct {
	Stdout, Stderr io.Writer
}

var commands = map[string]command{
	"migrate":   {"apply the database migrations", cmdMigrate},
	"bootstrap": {"create an organization, a site, an admin user and an API key", cmdBootstrap},
	"keys":      {"create, list or revoke API keys (keys create|list|revoke)", cmdKeys},
	"sites":     {"list sites or change their settings (sites list|update)", cmdSites},
	"tax":       {"print the VAT rates that apply on a date (tax rates [--country XX] [--at DATE])", cmdTax},
	"dev":       {"run all three servers on the embedded SQLite with demo data", cmdDev},
	"load":      {"drive a running admin-backend with concurrent create-checkout requests", cmdLoad},
	"genkey":    {"print a new random secrets.master_key", cmdGenkey},
}

// Main runs pgw with args (without the program name) and returns the exit code.
func Main(args []string, env *Env) int {
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		usage(env.Stdout)
		return 0
	}
	cmd, ok := commands[args[0]]
	if !ok {
		fmt.Fprintf(env.Stderr, "pgw: unknown command %q\n\n", args[0])
		usage(env.Stderr)
		return 2
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := cmd.run(ctx, env, args[1:]); err != nil {
		if errors.Is(err, pflag.ErrHelp) {
			return 0
		}
		var ue usageError
		if errors.As(err, &ue) {
			fmt.Fprintf(env.Stderr, "pgw %s: %v\n", args[0], err)
			return 2
		}
		fmt.Fprintf(env.Stderr, "pgw %s: %v\n", args[0], err)
		return 1
	}
	return 0
}

type usageError struct{ error }

func usage(w io.Writer) {
	fmt.Fprintln(w, "usage: pgw COMMAND [flags]  (pgw COMMAND --help for its flags)")
	fmt.Fprintln(w)
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(w, "  %-10s %s\n", n, commands[n].summary)
	}
}

// flags returns a flag set with every configuration flag.
func flags(name string, env *Env) *pflag.FlagSet {
	fs := pflag.NewFlagSet("pgw "+name, pflag.ContinueOnError)
	fs.SetOutput(env.Stderr)
	config.Flags(fs)
	fs.String("data", "./data", "directory where `pgw dev` keeps its SQLite database and generated secrets; "+
		"other commands use them when no database or master key is configured")
	return fs
}

// load reads the configuration of a parsed flag set, then points it at what
// `pgw dev` keeps in --data: its SQLite database unless another database is
// configured, and its master and session keys unless keys are configured.
func load(fs *pflag.FlagSet) (*config.Config, error) {
	cfg, err := config.Load(fs)
	if err != nil {
		return nil, err
	}
	dir, _ := fs.GetString("data")
	if cfg.Database.URL == config.Default().Database.URL {
		cfg.Database.URL = "sqlite:" + filepath.Join(dir, "pgw.db")
	}
	if cfg.Secrets.MasterKey == "" {
		b, err := os.ReadFile(filepath.Join(dir, "secrets.json"))
		if err != nil && !errors.Is(err, iofs.ErrNotExist) {
			return nil, err
		}
		if err == nil {
			var sec devSecrets
			if err := json.Unmarshal(b, &sec); err != nil {
				return nil, fmt.Errorf("reading %s: %w", filepath.Join(dir, "secrets.json"), err)
			}
			cfg.Secrets.MasterKey = sec.MasterKey
			if cfg.Session.Key == "" {
				cfg.Session.Key = sec.SessionKey
			}
		}
	}
	return cfg, nil
}

func parse(fs *pflag.FlagSet, args []string) (*config.Config, error) {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, pflag.ErrHelp) {
			return nil, err
		}
		return nil, usageError{err}
	}
	if fs.NArg() > 0 {
		return nil, usageError{fmt.Errorf("unexpected arguments %v", fs.Args())}
	}
	return load(fs)
}

// openParsed loads the configuration from an already parsed flag set and opens
// the migrated store it names.
func openParsed(ctx context.Context, fs *pflag.FlagSet) (*store.Store, *config.Config, error) {
	cfg, err := load(fs)
	if err != nil {
		return nil, nil, err
	}
	st, err := app.OpenMigrated(ctx, cfg)
	if err != nil {
		return nil, nil, err
	}
	return st, cfg, nil
}
