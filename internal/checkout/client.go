package checkout

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"
)

// ClientKey is the id of the client a checkout belongs to: its merchant's
// clientId when it has one, else its buyer's email (the checkout's, else its
// billing address's), case-folded. Empty when it has neither. The id is a hash,
// so it says nothing of the email it stands for.
func ClientKey(clientID, email string, billing *Address) string {
	var key string
	switch {
	case clientID != "":
		key = "c:" + clientID
	case email != "":
		key = "e:" + strings.ToLower(strings.TrimSpace(email))
	case billing != nil && billing.Email != "":
		key = "e:" + strings.ToLower(strings.TrimSpace(billing.Email))
	default:
		return ""
	}
	sum := sha256.Sum256([]byte(key))
	return "cli_" + hex.EncodeToString(sum[:12])
}
