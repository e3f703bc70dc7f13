package checkout

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"
)

// ClientKey is the id of the client a checkout belongs to: its merchant's
// clientId when it has one, else its buyer's email (the checkout's, else its
// billing address's), case-folded, within its organization. Empty when it has
// neither. The id is a hash: it does not show the email, though whoever
// guesses an email and knows the organization's id can compute it, so it is
// personal data like the email itself.
func ClientKey(orgID, clientID, email string, billing *Address) string {
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
	sum := sha256.Sum256([]byte(orgID + "\x00" + key))
	return "cli_" + hex.EncodeToString(sum[:12])
}
