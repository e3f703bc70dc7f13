package sandbox

import (
	"errors"
	"strings"

	"github.com/pgw/pgw/internal/checkout"
)

func fieldOf(err error) string {
	var e *checkout.Error
	if errors.As(err, &e) {
		return e.Field
	}
	return ""
}

func contains(s, sub string) bool { return strings.Contains(s, sub) }
