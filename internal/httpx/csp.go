package httpx

import "strings"

// CSP builds a Content-Security-Policy: each directive with its sources, in
// the order first set. Every page starts from StrictCSP and adds only what it
// needs.
type CSP struct {
	order   []string
	sources map[string][]string
}

// StrictCSP allows nothing but our own scripts, styles and images (and
// images over https), no framing, no base, forms to ourselves.
func StrictCSP() *CSP {
	return new(CSP).
		Set("default-src", "'none'").
		Set("script-src", "'self'").
		Set("style-src", "'self'").
		Set("img-src", "'self'", "https:", "data:").
		Set("connect-src", "'self'").
		Set("form-action", "'self'").
		Set("base-uri", "'none'").
		Set("frame-ancestors", "'none'")
}

// Set replaces a directive's sources.
func (c *CSP) Set(directive string, sources ...string) *CSP {
	if c.sources == nil {
		c.sources = map[string][]string{}
	}
	if _, ok := c.sources[directive]; !ok {
		c.order = append(c.order, directive)
	}
	c.sources[directive] = append([]string(nil), sources...)
	return c
}

// Add appends sources to a directive.
func (c *CSP) Add(directive string, sources ...string) *CSP {
	return c.Set(directive, append(append([]string(nil), c.sources[directive]...), sources...)...)
}

// Del removes a directive (it then falls back to default-src).
func (c *CSP) Del(directive string) *CSP {
	if _, ok := c.sources[directive]; ok {
		delete(c.sources, directive)
		for i, d := range c.order {
			if d == directive {
				c.order = append(c.order[:i:i], c.order[i+1:]...)
				break
			}
		}
	}
	return c
}

// String is the header's value.
func (c *CSP) String() string {
	parts := make([]string, 0, len(c.order))
	for _, d := range c.order {
		parts = append(parts, d+" "+strings.Join(c.sources[d], " "))
	}
	return strings.Join(parts, "; ")
}
