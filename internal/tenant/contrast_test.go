package tenant

import "testing"

func TestAccessible(t *testing.T) {
	for _, tc := range []struct {
		in   string
		same bool
	}{
		{"#4f46e5", true},  // indigo: 6.3:1
		{"#0f766e", true},  // teal
		{"#000000", true},  // black: 21:1
		{"#ffff00", false}, // yellow: 1.07:1
		{"#22c55e", false}, // a light green: 2.3:1
		{"#ffffff", false}, // white on white
	} {
		got, ok := Accessible(tc.in)
		if ok != tc.same || (ok && got != tc.in) {
			t.Errorf("Accessible(%s) = %s, %v; want it kept: %v", tc.in, got, ok, tc.same)
		}
		if c := ContrastWithWhite(got); c < 4.5 {
			t.Errorf("Accessible(%s) = %s with contrast %.2f", tc.in, got, c)
		}
	}
	if c := ContrastWithWhite("#777777"); c < 4.47 || c > 4.49 {
		t.Errorf("#777 contrast %.3f; WCAG says 4.48", c)
	}
}
