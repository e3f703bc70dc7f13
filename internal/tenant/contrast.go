package tenant

import (
	"fmt"
	"math"
	"strconv"
)

// minContrast is WCAG 2 AA's contrast for normal text: white text on a
// button, and a link on a white page, need at least this.
const minContrast = 4.5

// luminance is a colour's relative luminance (WCAG 2), from #rrggbb.
func luminance(r, g, b float64) float64 {
	lin := func(c float64) float64 {
		c /= 255
		if c <= 0.03928 {
			return c / 12.92
		}
		return math.Pow((c+0.055)/1.055, 2.4)
	}
	return 0.2126*lin(r) + 0.7152*lin(g) + 0.0722*lin(b)
}

func rgb(hex string) (r, g, b float64, ok bool) {
	if len(hex) != 7 || hex[0] != '#' {
		return 0, 0, 0, false
	}
	v, err := strconv.ParseUint(hex[1:], 16, 32)
	if err != nil {
		return 0, 0, 0, false
	}
	return float64(v >> 16 & 0xff), float64(v >> 8 & 0xff), float64(v & 0xff), true
}

// ContrastWithWhite is the WCAG contrast ratio of a #rrggbb colour against
// white (1 to 21).
func ContrastWithWhite(hex string) float64 {
	r, g, b, ok := rgb(hex)
	if !ok {
		return 0
	}
	return 1.05 / (luminance(r, g, b) + 0.05)
}

// Accessible is a brand colour dark enough for white text on it and for
// links on white, WCAG AA: the colour itself when it passes, else the same
// hue darkened just enough. ok is false when it had to be darkened.
func Accessible(hex string) (color string, ok bool) {
	r, g, b, valid := rgb(hex)
	if !valid {
		return hex, false
	}
	if ContrastWithWhite(hex) >= minContrast {
		return hex, true
	}
	for f := 0.98; f > 0; f -= 0.02 {
		c := fmt.Sprintf("#%02x%02x%02x", int(r*f), int(g*f), int(b*f))
		if ContrastWithWhite(c) >= minContrast {
			return c, false
		}
	}
	return "#000000", false
}
