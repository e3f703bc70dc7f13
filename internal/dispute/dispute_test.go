package dispute

import (
	"errors"
	"strings"
	"testing"

	"github.com/pgw/pgw/internal/errs"
)

func TestChanges(t *testing.T) {
	for _, tc := range []struct {
		from, to Status
		want     error
	}{
		{Open, UnderReview, nil}, {Open, Won, nil}, {UnderReview, Lost, nil}, {UnderReview, Accepted, nil},
		{Won, Lost, ErrFinal}, {Lost, Won, ErrFinal}, {Accepted, Open, ErrFinal},
	} {
		if err := CheckChange(tc.from, tc.to); !errors.Is(err, tc.want) {
			t.Errorf("%s → %s: %v, want %v", tc.from, tc.to, err, tc.want)
		}
	}
	if e, ok := errs.As(CheckChange(Open, "maybe")); !ok || e.Field != "status" {
		t.Errorf("unknown status: %v", e)
	}
	for to, want := range map[Status]string{Open: EventUpdated, UnderReview: EventUpdated, Won: EventClosed, Lost: EventClosed, Accepted: EventClosed} {
		if got := EventType(to, false); got != want {
			t.Errorf("event of %s: %s", to, got)
		}
	}
	if EventType(Open, true) != EventCreated || !Lost.MerchantLost() || Won.MerchantLost() {
		t.Error("created event or merchant loss")
	}
}

func TestCheckNew(t *testing.T) {
	for _, tc := range []struct {
		amount, paid int64
		reason       string
		status       Status
		field        string
	}{
		{100, 100, "fraudulent", Open, ""},
		{1, 100, "", UnderReview, ""},
		{0, 100, "", Open, "amount"},
		{101, 100, "", Open, "amount"},
		{100, 100, strings.Repeat("x", 201), Open, "reason"},
		{100, 100, "a\rb", Open, "reason"},
		{100, 100, "", "gone", "status"},
	} {
		err := CheckNew(tc.amount, tc.paid, tc.reason, tc.status)
		e, _ := errs.As(err)
		if (tc.field == "") != (err == nil) || (e != nil && e.Field != tc.field) {
			t.Errorf("%+v: %v", tc, err)
		}
	}
}
