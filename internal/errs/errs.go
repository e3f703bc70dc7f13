// Package errs holds the errors every layer shares, free of any domain: a
// lookup that found nothing is ErrNotFound whether it looked for a checkout,
// a site or a key, so that the HTTP layer maps it to 404 without knowing
// what was looked for.
package errs

import "errors"

// ErrNotFound: nothing of that id, or not of the caller's organization or
// mode (which the caller must not be able to tell apart).
var ErrNotFound = errors.New("not found")
