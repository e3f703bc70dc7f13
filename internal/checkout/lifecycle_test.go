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

func TestTransactionPaidAndRefundable(t *testing.T) {
	for _, tc := range []struct {
		status           TxStatus
		refunded         int64
		paid, refundable bool
	}{
		{TxInitiated, 0, false, false},
		{TxPendingProvider, 0, false, false},
		{TxFailed, 0, false, false},
		{TxCancelled, 0, false, false},
		{TxSucceeded, 0, true, true},
		{TxSucceeded, 999, true, true},
		{TxSucceeded, 1000, true, false},
		{TxRefunded, 400, true, false},
		{TxRefunded, 1000, true, false},
		{TxChargeback, 0, false, false},
	} {
		tx := &Transaction{Status: tc.status, Amount: 1000, RefundedAmount: tc.refunded}
		if tx.Paid() != tc.paid || tx.Refundable() != tc.refundable {
			t.Errorf("%s with %d refunded: paid %v refundable %v, want %v %v", tc.status, tc.refunded, tx.Paid(), tx.Refundable(), tc.paid, tc.refundable)
		}
	}
}
