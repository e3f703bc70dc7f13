package frontend_test

import (
	"encoding/json"
	"strings"
)

func decode(body string, v any) error {
	dec := json.NewDecoder(strings.NewReader(body))
	dec.UseNumber()
	return dec.Decode(v)
}
