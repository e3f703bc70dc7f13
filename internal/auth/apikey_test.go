package auth

import (
	"context"
	"log/slog"
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
		if !k.Matches(m, secret) {
			t.Fatal("own secret does not match")
		}
		if k.Matches(m, secret+"x") || k.Matches(m, strings.ToUpper(secret)) {
			t.Fatal("wrong secret matches")
		}
		old := token
		newToken := k.Rotate()
		_, _, oldSecret, _ := ParseToken(old)
		_, _, newSecret, _ := ParseToken(newToken)
		if k.Matches(m, oldSecret) || !k.Matches(m, newSecret) {
			t.Fatal("rotation did not replace the secret")
		}
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
