package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/pgw/pgw/internal/checkout"
	"github.com/pgw/pgw/internal/store"
	"github.com/pgw/pgw/internal/tenant"
)

func cmdSites(ctx context.Context, env *Env, args []string) error {
	if len(args) == 0 || (args[0] != "list" && args[0] != "update") {
		return usageError{fmt.Errorf("want sites list|update")}
	}
	sub, args := args[0], args[1:]
	fs := flags("sites "+sub, env)
	orgID := fs.String("org", "", "organization id (default: the only organization)")
	asJSON := fs.Bool("json", false, "print JSON")
	name := fs.String("display-name", "", "update: the name buyers see")
	units := fs.String("amount-units", "", "update: how API amounts are read, minor (ISO 4217 minor units) or cents (hundredths, as the shop plugins send)")
	expiry := fs.Duration("default-expiry", 0, "update: lifetime of checkouts created without one (5m to 2160h)")
	logo := fs.String("logo-url", "", "update: https URL of the logo on the hosted page (empty string removes it)")
	color := fs.String("primary-color", "", "update: brand colour as #rrggbb")
	font := fs.String("font", "", "update: system, serif, rounded or mono")
	corner := fs.String("corner-style", "", "update: square, rounded or pill")
	ipn := fs.Int("ipn-version", 0, "update: IPN version of the site's notifications, 2 once the shop runs the official plugin 1.2.0 or later, else 1")
	if err := fs.Parse(args); err != nil {
		return usageError{err}
	}
	var in store.SiteSettings
	var siteID string
	if sub == "update" {
		if fs.NArg() != 1 {
			return usageError{fmt.Errorf("usage: pgw sites update SITE_ID [--amount-units minor|cents] [--ipn-version 1|2] [--default-expiry D] [--display-name N]")}
		}
		siteID = fs.Arg(0)
		if fs.Changed("display-name") {
			if strings.TrimSpace(*name) == "" {
				return usageError{fmt.Errorf("--display-name must not be empty")}
			}
			in.DisplayName = name
		}
		if fs.Changed("amount-units") {
			u := tenant.AmountUnits(*units)
			if u != tenant.UnitsMinor && u != tenant.UnitsCents {
				return usageError{fmt.Errorf("--amount-units must be minor or cents")}
			}
			in.AmountUnits = &u
		}
		if err := tenant.ValidateBranding(*logo, *color, *font, *corner); err != nil {
			return usageError{err}
		}
		for flag, dst := range map[string]**string{"logo-url": &in.LogoURL, "primary-color": &in.PrimaryColor, "font": &in.Font, "corner-style": &in.CornerStyle} {
			if fs.Changed(flag) {
				v := fs.Lookup(flag).Value.String()
				*dst = &v
			}
		}
		if fs.Changed("ipn-version") {
			if *ipn != tenant.IPNv1 && *ipn != tenant.IPNv2 {
				return usageError{fmt.Errorf("--ipn-version must be 1 or 2")}
			}
			in.IPNVersion = ipn
		}
		if fs.Changed("default-expiry") {
			if *expiry < checkout.MinExpiry || *expiry > checkout.MaxExpiry {
				return usageError{fmt.Errorf("--default-expiry must be from 5m to 2160h")}
			}
			in.DefaultExpiry = expiry
		}
	} else if fs.NArg() > 0 {
		return usageError{fmt.Errorf("unexpected arguments %v", fs.Args())}
	}
	st, _, err := openParsed(ctx, fs)
	if err != nil {
		return err
	}
	defer st.Close()
	org, err := resolveOrg(ctx, st, *orgID)
	if err != nil {
		return err
	}
	var sites []*tenant.Site
	if sub == "update" {
		site, err := st.UpdateSite(ctx, org, siteID, in)
		if err != nil {
			return err
		}
		sites = []*tenant.Site{site}
	} else if sites, err = st.ListSites(ctx, org); err != nil {
		return err
	}
	if *asJSON {
		out := make([]map[string]any, 0, len(sites))
		for _, s := range sites {
			out = append(out, map[string]any{"id": s.ID, "slug": s.Slug, "displayName": s.DisplayName,
				"amountUnits": s.AmountUnits, "defaultExpirySeconds": s.DefaultExpirySeconds, "ipnVersion": s.IPNVersion})
		}
		return json.NewEncoder(env.Stdout).Encode(out)
	}
	tw := tabwriter.NewWriter(env.Stdout, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tSLUG\tNAME\tAMOUNT UNITS\tDEFAULT EXPIRY\tIPN")
	for _, s := range sites {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\tv%d\n", s.ID, s.Slug, s.DisplayName, s.AmountUnits,
			time.Duration(s.DefaultExpirySeconds)*time.Second, s.IPNVersion)
	}
	return tw.Flush()
}
