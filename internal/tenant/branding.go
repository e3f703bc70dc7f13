package tenant

import (
	"fmt"
	"net/url"
	"regexp"
)

// Branding of the hosted page, validated so that it can be written into a
// stylesheet as is.
type Branding struct {
	PrimaryColor string // #rrggbb
	Font         string // one of Fonts
	CornerStyle  string // one of Corners
}

// Fonts maps the font choices to local font stacks: no third-party fonts.
var Fonts = map[string]string{
	"system":  `system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif`,
	"serif":   `Georgia,"Times New Roman",serif`,
	"rounded": `ui-rounded,"SF Pro Rounded","Segoe UI",system-ui,sans-serif`,
	"mono":    `ui-monospace,"SF Mono",Menlo,Consolas,monospace`,
}

// Corners maps the corner styles to a radius.
var Corners = map[string]string{"square": "0", "rounded": "10px", "pill": "22px"}

var colorRE = regexp.MustCompile(`^#[0-9a-fA-F]{6}$`)

// Branding returns the site's branding with defaults for anything invalid.
func (s *Site) Branding() Branding {
	b := Branding{PrimaryColor: s.PrimaryColor, Font: s.Font, CornerStyle: s.CornerStyle}
	if !colorRE.MatchString(b.PrimaryColor) {
		b.PrimaryColor = "#4f46e5"
	}
	if _, ok := Fonts[b.Font]; !ok {
		b.Font = "system"
	}
	if _, ok := Corners[b.CornerStyle]; !ok {
		b.CornerStyle = "rounded"
	}
	return b
}

// ValidateBranding checks branding an operator sets.
func ValidateBranding(logoURL, color, font, corner string) error {
	if logoURL != "" {
		u, err := url.Parse(logoURL)
		if err != nil || u.Scheme != "https" || u.Host == "" || len(logoURL) > 2048 {
			return fmt.Errorf("logo URL must be an absolute https URL")
		}
	}
	if color != "" && !colorRE.MatchString(color) {
		return fmt.Errorf("primary colour must look like #1a2b3c")
	}
	if _, ok := Fonts[font]; font != "" && !ok {
		return fmt.Errorf("font must be system, serif, rounded or mono")
	}
	if _, ok := Corners[corner]; corner != "" && !ok {
		return fmt.Errorf("corner style must be square, rounded or pill")
	}
	return nil
}
