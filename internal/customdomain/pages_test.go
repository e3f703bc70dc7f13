package customdomain

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"strings"
	"testing"
)

func TestPages(t *testing.T) {
	hosts := func(_ context.Context, ids ...string) (map[string]string, error) {
		out := map[string]string{}
		for _, id := range ids {
			if id == "site_a" {
				out[id] = "pay.a.example"
			}
		}
		return out, nil
	}
	var logged bytes.Buffer
	broken := func(context.Context, ...string) (map[string]string, error) { return nil, errors.New("database gone") }
	for _, tc := range []struct {
		name  string
		pages Pages
		site  string
		want  string
	}{
		{"primary verified", Pages{Default: "https://secure.example", Hosts: hosts}, "site_a", "https://pay.a.example"},
		{"none", Pages{Default: "https://secure.example", Hosts: hosts}, "site_b", "https://secure.example"},
		{"no lookup", Pages{Default: "http://127.0.0.1:8082"}, "site_a", "http://127.0.0.1:8082"},
		{"lookup fails", Pages{Default: "https://secure.example", Hosts: broken, Log: slog.New(slog.NewTextHandler(&logged, nil))}, "site_a", "https://secure.example"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.pages.Base(context.Background(), tc.site); got != tc.want {
				t.Fatalf("Base(%s) = %q, want %q", tc.site, got, tc.want)
			}
		})
	}
	if !strings.Contains(logged.String(), "database gone") {
		t.Fatalf("a failed lookup was not logged: %q", logged.String())
	}
	bases := Pages{Default: "https://secure.example", Hosts: hosts}.Bases(context.Background(), "site_a", "site_b")
	if bases("site_a") != "https://pay.a.example" || bases("site_b") != "https://secure.example" {
		t.Fatalf("Bases: %q, %q", bases("site_a"), bases("site_b"))
	}
}

// A site named many times is looked up once.
func TestPagesLookUpEachSiteOnce(t *testing.T) {
	var asked []string
	hosts := func(_ context.Context, ids ...string) (map[string]string, error) {
		asked = append(asked, ids...)
		return map[string]string{}, nil
	}
	Pages{Default: "https://secure.example", Hosts: hosts}.Bases(context.Background(), "site_b", "site_a", "site_b", "site_a")
	if strings.Join(asked, ",") != "site_a,site_b" {
		t.Fatalf("asked for %v", asked)
	}
}
