package customdomain_test

import (
	"context"
	"strings"
	"testing"

	"github.com/pgw/pgw/internal/customdomain"
	"github.com/pgw/pgw/internal/customdomain/dnstest"
)

func TestNormalize(t *testing.T) {
	for in, want := range map[string]string{"Pay.Shop.Example.": "pay.shop.example", " checkout.example.com ": "checkout.example.com", "xn--bcher-kva.example": "xn--bcher-kva.example"} {
		if got, err := customdomain.Normalize(in, nil); err != nil || got != want {
			t.Errorf("Normalize(%q) = %q, %v", in, got, err)
		}
	}
	for _, bad := range []string{"", "localhost", "203.0.113.7", "::1", "-pay.example", "pay-.example", "pay..example", "päy.example",
		"pay example.com", strings.Repeat("a", 64) + ".example", "secure.pgw.example", "*.shop.example"} {
		if got, err := customdomain.Normalize(bad, []string{"secure.pgw.example"}); err == nil {
			t.Errorf("Normalize(%q) accepted as %q", bad, got)
		}
	}
}

func TestVerify(t *testing.T) {
	ns := dnstest.Start(t)
	v := &customdomain.Verifier{Resolver: customdomain.NewResolver(ns.Addr), Target: "secure.pgw.example"}
	ctx := context.Background()
	d := &customdomain.Domain{Hostname: "pay.shop.example", Token: "pgw-verify-3f9a", Status: customdomain.Pending}

	if st, why := v.Check(ctx, d); st != customdomain.Failed || !strings.Contains(why, "no CNAME") {
		t.Fatalf("no records: %s %q", st, why)
	}
	ns.CNAME("pay.shop.example", "elsewhere.example")
	if st, why := v.Check(ctx, d); st != customdomain.Failed || !strings.Contains(why, "elsewhere.example") {
		t.Fatalf("a CNAME elsewhere: %s %q", st, why)
	}
	ns.CNAME("pay.shop.example", "SECURE.pgw.example.")
	if st, why := v.Check(ctx, d); st != customdomain.Verified {
		t.Fatalf("a CNAME to us: %s %q", st, why)
	}
	// The TXT record instead of the CNAME (an apex cannot have a CNAME).
	ns.CNAME("pay.shop.example", "")
	ns.TXT("_pgw-verify.pay.shop.example", "something else", "pgw-verify-3f9a")
	if st, _ := v.Check(ctx, d); st != customdomain.Verified {
		t.Fatalf("the TXT record: %s", st)
	}
	// A verified domain whose records go away is suspended.
	ns.TXT("_pgw-verify.pay.shop.example", "pgw-verify-old")
	d.Status = customdomain.Verified
	if st, _ := v.Check(ctx, d); st != customdomain.Suspended {
		t.Fatalf("records gone: %s", st)
	}
}
