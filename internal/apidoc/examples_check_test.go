package apidoc_test

import (
	"context"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/pgw/pgw/internal/apidoc"
	"github.com/pgw/pgw/internal/apidoc/apidoctest"
)

func TestListMissingExamples(t *testing.T) {
	b, _ := apidoc.Admin()
	doc, err := apidoctest.Load(context.Background(), b)
	if err != nil {
		t.Fatal(err)
	}
	has := func(mt *openapi3.MediaType) bool {
		if mt == nil {
			return true
		}
		if mt.Example != nil || len(mt.Examples) > 0 {
			return true
		}
		s := mt.Schema
		if s == nil || s.Value == nil {
			return false
		}
		if s.Value.Examples != nil || s.Value.Example != nil {
			return true
		}
		for _, a := range s.Value.AllOf {
			if a.Value != nil && (a.Value.Examples != nil) {
				return true
			}
		}
		return false
	}
	for path, item := range doc.Paths.Map() {
		for m, op := range item.Operations() {
			if op.RequestBody != nil && !has(op.RequestBody.Value.Content.Get("application/json")) {
				t.Logf("request %s %s", m, path)
			}
			for code, r := range op.Responses.Map() {
				if code[0] == '2' && r.Value != nil && r.Value.Content != nil && !has(r.Value.Content.Get("application/json")) {
					t.Logf("response %s %s %s", code, m, path)
				}
			}
		}
	}
}
