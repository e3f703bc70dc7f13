package checkout

import (
	"strings"
	"testing"
)

func TestClientKey(t *testing.T) {
	ana := ClientKey("org_1", "", "Ana@Example.com ", nil)
	tests := []struct {
		name string
		got  string
		same bool
	}{
		{"the email in another case", ClientKey("org_1", "", "ana@example.com", nil), true},
		{"the billing address's email", ClientKey("org_1", "", "", &Address{Email: "ana@example.com"}), true},
		{"another organization", ClientKey("org_2", "", "ana@example.com", nil), false},
		{"a clientId before the email", ClientKey("org_1", "c-7", "ana@example.com", nil), false},
		{"another email", ClientKey("org_1", "", "bo@example.com", nil), false},
	}
	for _, tc := range tests {
		if (tc.got == ana) != tc.same {
			t.Errorf("%s: %q vs %q", tc.name, tc.got, ana)
		}
	}
	if !strings.HasPrefix(ana, "cli_") || len(ana) != 28 || strings.Contains(ana, "ana") {
		t.Errorf("key %q", ana)
	}
	if ClientKey("org_1", "", "", nil) != "" || ClientKey("org_1", "", "", &Address{}) != "" {
		t.Error("a checkout without email or clientId has a client")
	}
}
