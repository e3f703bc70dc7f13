package apidoc_test

import (
	"context"
	"testing"

	"github.com/pgw/pgw/internal/apidoc"
	"github.com/pgw/pgw/internal/apidoc/apidoctest"
)

// TestDocuments checks both documents are valid OpenAPI 3.1, their examples
// included, and that every operation has a summary, an id and, when it needs
// a key, a scope.
func TestDocuments(t *testing.T) {
	for name, load := range map[string]func() ([]byte, error){"admin": apidoc.Admin, "runtime": apidoc.Runtime} {
		t.Run(name, func(t *testing.T) {
			b, err := load()
			if err != nil {
				t.Fatal(err)
			}
			doc, err := apidoctest.Load(context.Background(), b)
			if err != nil {
				t.Fatal(err)
			}
			if doc.OpenAPI != "3.1.0" {
				t.Fatalf("openapi %q", doc.OpenAPI)
			}
			ids := map[string]bool{}
			for path, item := range doc.Paths.Map() {
				for method, op := range item.Operations() {
					if op.Summary == "" || op.OperationID == "" || ids[op.OperationID] {
						t.Errorf("%s %s: summary %q, operationId %q (unique)", method, path, op.Summary, op.OperationID)
					}
					ids[op.OperationID] = true
					secured := op.Security == nil && len(doc.Security) > 0 || op.Security != nil && len(*op.Security) > 0
					if secured && op.Extensions["x-scope"] == nil {
						t.Errorf("%s %s needs a key but names no scope", method, path)
					}
					if rb := op.RequestBody; rb != nil {
						if mt := rb.Value.Content.Get("application/json"); mt != nil && mt.Example == nil && len(mt.Examples) == 0 {
							t.Errorf("%s %s: the request body has no example", method, path)
						}
					}
					for code, r := range op.Responses.Map() {
						if mt := r.Value.Content.Get("application/json"); code[0] == '2' && mt != nil && mt.Example == nil && len(mt.Examples) == 0 {
							t.Errorf("%s %s: answer %s has no example", method, path, code)
						}
					}
					if op.Responses.Status(500) == nil {
						t.Errorf("%s %s does not document its failure", method, path)
					}
				}
			}
		})
	}
}
