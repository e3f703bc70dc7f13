package risk

import (
	"errors"
	"fmt"
	"testing"

	"github.com/pgw/pgw/internal/errs"
)

func TestDecide(t *testing.T) {
	block := &Hold{ID: "h1", Action: BlockAll}
	review := &Hold{ID: "h2", Action: ManualReview}
	wire := &Hold{ID: "h3", Action: AllowProviderTypes, AllowedProviderTypes: "wire"}
	wireCard := &Hold{ID: "h4", Action: AllowProviderTypes, AllowedProviderTypes: "wire sandbox"}
	for _, tc := range []struct {
		name    string
		holds   []*Hold
		dispute bool
		enabled []string
		code    string
		hold    string
		allowed string
	}{
		{"nothing", nil, false, []string{"sandbox"}, "", "", "[]"},
		{"block", []*Hold{block}, false, []string{"sandbox"}, CodeBlockedByHold, "h1", ""},
		{"review", []*Hold{review}, false, nil, CodeBlockedByHold, "h2", ""},
		{"a block decides before a dispute", []*Hold{wire, block}, true, nil, CodeBlockedByHold, "h1", ""},
		{"open dispute", nil, true, []string{"sandbox"}, CodeBlockedByDispute, "", ""},
		{"restricted, offered", []*Hold{wireCard}, false, []string{"sandbox"}, "", "", "[wire sandbox]"},
		{"restricted, none offered", []*Hold{wire}, false, []string{"sandbox", "stripe"}, CodeRestrictedByHold, "h3", ""},
		{"two restrictions intersect", []*Hold{wireCard, wire}, false, []string{"sandbox"}, CodeRestrictedByHold, "h3", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			allowed, err := Decide(tc.holds, tc.dispute, tc.enabled)
			var r *Refusal
			switch {
			case tc.code == "" && err != nil:
				t.Fatalf("refused: %v", err)
			case tc.code == "" && fmt.Sprint(allowed) != tc.allowed && !(allowed == nil && tc.allowed == "[]"):
				t.Fatalf("allowed %v, want %s", allowed, tc.allowed)
			case tc.code != "" && (!errors.As(err, &r) || r.Code != tc.code):
				t.Fatalf("got %v, want %s", err, tc.code)
			case tc.code != "" && tc.hold != "" && (r.Hold == nil || r.Hold.ID != tc.hold):
				t.Fatalf("decided by %+v, want %s", r.Hold, tc.hold)
			}
			if e, ok := errs.As(err); err != nil && (!ok || e.Kind != errs.Forbidden) {
				t.Fatalf("a refusal is not Forbidden in the shared model: %v", err)
			}
		})
	}
}

func TestCheckHold(t *testing.T) {
	types := []string{"sandbox", "stripe", "wire"}
	for _, tc := range []struct {
		h     Hold
		field string
	}{
		{Hold{Email: "a@example.com", Action: BlockAll, Reason: "x"}, ""},
		{Hold{ClientID: "c-1", Action: ManualReview, Reason: "x"}, ""},
		{Hold{Email: "a@example.com", Action: AllowProviderTypes, AllowedProviderTypes: "wire", Reason: "x"}, ""},
		{Hold{Action: BlockAll, Reason: "x"}, "email"},
		{Hold{Email: "Ana <a@example.com>", Action: BlockAll, Reason: "x"}, "email"},
		{Hold{ClientID: "c\n1", Action: BlockAll, Reason: "x"}, "clientId"},
		{Hold{Email: "a@example.com", Action: "ban", Reason: "x"}, "action"},
		{Hold{Email: "a@example.com", Action: AllowProviderTypes, Reason: "x"}, "allowedProviderTypes"},
		{Hold{Email: "a@example.com", Action: AllowProviderTypes, AllowedProviderTypes: "paypal", Reason: "x"}, "allowedProviderTypes"},
		{Hold{Email: "a@example.com", Action: BlockAll, AllowedProviderTypes: "wire", Reason: "x"}, "allowedProviderTypes"},
		{Hold{Email: "a@example.com", Action: BlockAll}, "reason"},
		{Hold{Email: "a@example.com", Action: BlockAll, Reason: "a\x00b"}, "reason"},
	} {
		err := CheckHold(&tc.h, types)
		e, _ := errs.As(err)
		switch {
		case tc.field == "" && err != nil:
			t.Errorf("%+v refused: %v", tc.h, err)
		case tc.field != "" && (e == nil || e.Field != tc.field || e.Kind != errs.Invalid):
			t.Errorf("%+v: got %v, want a refusal of %s", tc.h, err, tc.field)
		}
	}
}
