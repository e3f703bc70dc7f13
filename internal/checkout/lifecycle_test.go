package checkout

import "testing"

func TestStatusTransitions(t *testing.T) {
	all := []Status{StatusOpen, StatusComplete, StatusExpired, StatusCanceled}
	for _, from := range all {
		for _, to := range all {
			want := from == StatusOpen && to != StatusOpen
			if got := from.CanBecome(to); got != want {
				t.Errorf("%s -> %s: got %v, want %v", from, to, got, want)
			}
		}
	}
	if StatusOpen.CanBecome("paid") {
		t.Error("unknown status accepted")
	}
}

func TestTxStatusCodes(t *testing.T) {
	want := map[TxStatus]int{
		TxCancelled: -2, TxInitiated: -1, TxPendingProvider: 0, TxSucceeded: 1,
		TxFailed: 2, TxRefunded: 3, TxChargeback: 4,
	}
	for s, code := range want {
		if s.Code() != code || !s.Valid() {
			t.Errorf("%s: code %d valid %v, want %d", s, s.Code(), s.Valid(), code)
		}
	}
	if TxStatus("paid").Valid() {
		t.Error("unknown transaction status is valid")
	}
}
