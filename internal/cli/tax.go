package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/pgw/pgw/internal/tax"
)

// cmdTax prints the VAT rates that apply on a date: the embedded ones and,
// when the database holds one organization (or --org names it), its own.
func cmdTax(ctx context.Context, env *Env, args []string) error {
	if len(args) == 0 || args[0] != "rates" {
		return usageError{fmt.Errorf("want tax rates [--country XX] [--at DATE]")}
	}
	fs := flags("tax rates", env)
	country := fs.String("country", "", "only this country (ISO 3166-1 alpha-2)")
	atFlag := fs.String("at", "", "the date the rates apply on (YYYY-MM-DD; default today)")
	orgID := fs.String("org", "", "organization whose own rates to add (default: the only organization)")
	asJSON := fs.Bool("json", false, "print JSON")
	if err := fs.Parse(args[1:]); err != nil {
		return usageError{err}
	}
	at := time.Now().UTC()
	if *atFlag != "" {
		d, err := time.Parse(time.DateOnly, *atFlag)
		if err != nil {
			return usageError{fmt.Errorf("--at must be a date such as 2026-01-01")}
		}
		at = d
	}
	table, err := tax.Embedded()
	if err != nil {
		return err
	}
	type row struct {
		Country      string `json:"country"`
		Region       string `json:"region,omitempty"`
		Standard     string `json:"standard"`
		Reduced      string `json:"reduced,omitempty"`
		SuperReduced string `json:"superReduced,omitempty"`
		Source       string `json:"source"`
	}
	var rows []row
	want := strings.ToUpper(*country)
	for _, c := range table.Countries() {
		if want != "" && c != want {
			continue
		}
		r := row{Country: c, Source: "embedded (" + table.Retrieved + ")"}
		std, ok := table.Rate(c, "", tax.Standard, at)
		if !ok {
			continue
		}
		r.Standard = string(std)
		if v, _ := table.Rate(c, "", tax.Reduced, at); v != std {
			r.Reduced = string(v)
		}
		if v, _ := table.Rate(c, "", tax.SuperReduced, at); string(v) != r.Reduced && v != std {
			r.SuperReduced = string(v)
		}
		rows = append(rows, r)
	}
	if st, _, err := openParsed(ctx, fs); err == nil {
		defer st.Close()
		if org, err := resolveOrg(ctx, st, *orgID); err == nil {
			own, err := st.TaxRates(ctx, org, want)
			if err != nil {
				return err
			}
			seen := map[string]bool{}
			for _, m := range own {
				k := m.Country + "/" + m.Region
				if seen[k] {
					continue
				}
				seen[k] = true
				r := row{Country: m.Country, Region: m.Region, Source: "the organization's"}
				if v, ok := own.Rate(m.Country, m.Region, tax.Standard, at); ok {
					r.Standard = string(v)
				}
				if v, ok := own.Rate(m.Country, m.Region, tax.Reduced, at); ok && string(v) != r.Standard {
					r.Reduced = string(v)
				}
				if r.Standard != "" {
					rows = append(rows, r)
				}
			}
		}
	}
	if *asJSON {
		return json.NewEncoder(env.Stdout).Encode(rows)
	}
	tw := tabwriter.NewWriter(env.Stdout, 2, 4, 2, ' ', 0)
	fmt.Fprintf(tw, "COUNTRY\tSTANDARD\tREDUCED\tSUPER-REDUCED\tSOURCE\t(on %s)\n", at.Format(time.DateOnly))
	for _, r := range rows {
		place := r.Country
		if r.Region != "" {
			place += "-" + r.Region
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t\n", place, r.Standard, r.Reduced, r.SuperReduced, r.Source)
	}
	return tw.Flush()
}
