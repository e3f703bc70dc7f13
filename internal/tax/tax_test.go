package tax

import "testing"

func TestIncluded(t *testing.T) {
	tests := []struct {
		gross int64
		rate  string
		want  int64
	}{
		{11900, "19", 1900},
		{1000, "19", 160}, // 159.66 rounds up
		{1000, "7.7", 71}, // 71.49 rounds down
		{107, "7", 7},
		{100, "0", 0},
		{100, "", 0},
		{-500, "19", -80}, // a discount line reduces the VAT
		{7376, "10", 671}, // JPY: 670.5454 rounds up
		{119, "19", 19},
	}
	for _, tt := range tests {
		got, err := Included(tt.gross, tt.rate)
		if err != nil || got != tt.want {
			t.Errorf("Included(%d, %s) = %d, %v; want %d", tt.gross, tt.rate, got, err, tt.want)
		}
	}
	if _, err := Included(100, "abc"); err == nil {
		t.Error("bad rate accepted")
	}
}

func TestSummarizeAddsUp(t *testing.T) {
	lines := []GrossLine{{1000, "19"}, {1000, "19"}, {1000, "19"}, {2400, "7"}, {-500, "19"}, {999, ""}}
	s, err := Summarize(lines)
	if err != nil {
		t.Fatal(err)
	}
	var sum int64
	for _, v := range s.LineTax {
		sum += v
	}
	if s.Gross != 5899 || s.Net+s.Tax != s.Gross || sum != s.Tax {
		t.Fatalf("summary %+v", s)
	}
	if len(s.Rates) != 2 || s.Rates[0].Rate != "19" || s.Rates[0].Tax != 160*3-80 || s.Rates[1].Tax != 157 {
		t.Fatalf("rates %+v", s.Rates)
	}
}
