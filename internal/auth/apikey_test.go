package auth

import (
	"context"
	"log/slog"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/pgw/pgw/internal/checkout"
)

func TestKeyRoundTrip(t *testing.T) {
	now := time.Now()
	for _, mode := range []checkout.Mode{checkout.ModeTest, checkout.ModeLive} {
		k, token := NewKey("org_1", "shop", mode, DefaultScopes, now)
		if !strings.HasPrefix(token, "sk_"+string(mode)+"_"+k.ID+".") {
			t.Fatalf("token %q does not start with the prefix and id", token)
		}
		if strings.Contains(k.SecretHash, token[strings.Index(token, ".")+1:]) {
			t.Fatal("secret stored in clear")
		}
		m, id, secret, err := ParseToken(token)
		if err != nil || id != k.ID || m != mode {
			t.Fatalf("ParseToken = %v %v %v", m, id, err)
		}
		if !k.Matches(m, secret, now) {
			t.Fatal("own secret does not match")
		}
		if k.Matches(m, secret+"x", now) || k.Matches(m, strings.ToUpper(secret), now) {
			t.Fatal("wrong secret matches")
		}
		old := token
		newToken := k.Rotate()
		_, _, oldSecret, _ := ParseToken(old)
		_, _, newSecret, _ := ParseToken(newToken)
		if k.Matches(m, oldSecret, now) || !k.Matches(m, newSecret, now) {
			t.Fatal("rotation did not replace the secret")
		}
	}
}

func TestRotateWithGrace(t *testing.T) {
	now := time.Date(2026, 12, 3, 12, 0, 0, 0, time.UTC)
	k, first := NewKey("org_1", "shop", checkout.ModeTest, DefaultScopes, now)
	_, _, s1, _ := ParseToken(first)
	second := k.RotateWithGrace(now, now.Add(time.Hour))
	_, _, s2, _ := ParseToken(second)
	tests := []struct {
		secret string
		at     time.Time
		want   bool
	}{
		{s1, now, true}, {s1, now.Add(59 * time.Minute), true}, {s1, now.Add(time.Hour), false},
		{s2, now, true}, {s2, now.Add(48 * time.Hour), true},
	}
	for i, tc := range tests {
		if got := k.Matches(checkout.ModeTest, tc.secret, tc.at); got != tc.want {
			t.Errorf("case %d: Matches = %v, want %v", i, got, tc.want)
		}
	}
	if k.Matches(checkout.ModeLive, s1, now) {
		t.Error("the previous secret matches in the other mode")
	}
	// A rotation without grace ends the previous secret at once, and the one
	// before it too.
	third := k.RotateWithGrace(now, now)
	_, _, s3, _ := ParseToken(third)
	if k.Matches(checkout.ModeTest, s1, now) || k.Matches(checkout.ModeTest, s2, now) || !k.Matches(checkout.ModeTest, s3, now) {
		t.Error("a rotation without grace kept an old secret")
	}
}

func TestAllowedIPs(t *testing.T) {
	list, err := ParseAllowedIPs([]string{"203.0.113.7", " 198.51.100.0/24 ", "2001:db8::/32", "198.51.100.9/24", "::ffff:192.0.2.1"})
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(list, " "); got != "203.0.113.7/32 198.51.100.0/24 2001:db8::/32 192.0.2.1/32" {
		t.Fatalf("normalized %q", got)
	}
	k := &APIKey{AllowedIPs: strings.Join(list, " ")}
	for addr, want := range map[string]bool{
		"203.0.113.7": true, "203.0.113.8": false, "198.51.100.250": true, "2001:db8:1::1": true,
		"2001:db9::1": false, "::ffff:203.0.113.7": true, "192.0.2.1": true,
	} {
		if got := k.AllowsAddr(netip.MustParseAddr(addr)); got != want {
			t.Errorf("AllowsAddr(%s) = %v, want %v", addr, got, want)
		}
	}
	if !(&APIKey{}).AllowsAddr(netip.MustParseAddr("192.0.2.1")) {
		t.Error("an empty allow-list refuses")
	}
	for _, bad := range [][]string{{"example.com"}, {"10.0.0.0/33"}, {"fe80::1%eth0"}, {""}, make([]string, MaxAllowedIPs+1)} {
		if _, err := ParseAllowedIPs(bad); err == nil {
			t.Errorf("ParseAllowedIPs(%q) accepted", bad)
		}
	}
}

func TestCovers(t *testing.T) {
	k := &APIKey{Scopes: "checkout:create site:* api_key:read"}
	for grant, want := range map[string]bool{
		"checkout:create": true, "checkout:read": false, "site:update": true, "site:*": true,
		"api_key:read": true, "api_key:*": false, "*": false,
	} {
		if got := k.Covers(grant); got != want {
			t.Errorf("Covers(%q) = %v, want %v", grant, got, want)
		}
	}
	if all := (&APIKey{Scopes: "*"}); !all.Covers("*") || !all.Covers("tax_rate:*") {
		t.Error("* does not cover everything")
	}
}

func TestParseTokenRejects(t *testing.T) {
	for _, s := range []string{
		"", "Bearer x", "sk_test_", "sk_test_abc.def", "pk_test_0123456789abcdef.0123456789012345678901234567890123",
		"sk_prod_0123456789abcdef.0123456789012345678901234567890123",
		"sk_test_0123456789abcdef0123456789012345678901234567890123",
	} {
		if _, _, _, err := ParseToken(s); err == nil {
			t.Errorf("ParseToken(%q) accepted", s)
		}
	}
}

func TestAllows(t *testing.T) {
	k := &APIKey{Scopes: "checkout:create transaction:*"}
	tests := map[string]bool{
		"checkout:create": true, "checkout:read": false, "transaction:read": true,
		"transaction:execute": true, "site:read": false,
	}
	for scope, want := range tests {
		if got := k.Allows(scope); got != want {
			t.Errorf("Allows(%s) = %v", scope, got)
		}
	}
	if !(&APIKey{Scopes: "*"}).Allows("site:update") {
		t.Error("* does not cover everything")
	}
	for s, want := range map[string]bool{"checkout:create": true, "checkout:fly": false, "rocket:read": false, "*": true, "checkout": false} {
		if ValidScope(s) != want {
			t.Errorf("ValidScope(%s) != %v", s, want)
		}
	}
}

func TestUsageBatches(t *testing.T) {
	var got []map[string]time.Time
	u := NewUsage(func(_ context.Context, m map[string]time.Time) error {
		got = append(got, m)
		return nil
	}, slog.New(slog.DiscardHandler))
	t0 := time.Unix(1000, 0)
	u.Touch("a", t0)
	u.Touch("a", t0.Add(time.Second))
	u.Touch("a", t0)
	u.Touch("b", t0)
	u.Flush(context.Background())
	u.Flush(context.Background())
	if len(got) != 1 || len(got[0]) != 2 || !got[0]["a"].Equal(t0.Add(time.Second)) {
		t.Fatalf("batches %v", got)
	}
}
