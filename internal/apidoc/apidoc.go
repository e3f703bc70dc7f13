// Package apidoc holds the OpenAPI 3.1 documents of the HTTP APIs, the
// Admin API of admin-backend (with the Orchestrapay surface) and the runtime
// API of main-backend (with the provider hooks), and serves them with a
// reference page. The documents are written by hand in YAML, where the
// contract is read and reviewed; what every operation shares (the key's
// scope as its security, the answers of authentication, rate limits,
// idempotency and failure) is added when they are loaded, so that it is said
// once and cannot be forgotten on one operation.
package apidoc

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"maps"
	"sort"
	"strings"

	"go.yaml.in/yaml/v3"
)

//go:embed admin.yaml
var adminYAML []byte

//go:embed runtime.yaml
var runtimeYAML []byte

// Admin returns the Admin API's document as JSON.
func Admin() ([]byte, error) { return build(adminYAML) }

// Runtime returns the runtime API's document as JSON.
func Runtime() ([]byte, error) { return build(runtimeYAML) }

// MustAdmin is Admin for servers: the document is compiled in and its test
// loads it, so failing here is a build that was never tested.
func MustAdmin() []byte { return must(Admin()) }

// MustRuntime is Runtime for servers.
func MustRuntime() []byte { return must(Runtime()) }

func must(b []byte, err error) []byte {
	if err != nil {
		panic(err)
	}
	return b
}

// Operation is one documented method and path.
type Operation struct {
	Method, Path string
}

// Operations lists a document's operations, sorted.
func Operations(doc []byte) ([]Operation, error) {
	var d struct {
		Paths map[string]map[string]any `json:"paths"`
	}
	if err := json.Unmarshal(doc, &d); err != nil {
		return nil, fmt.Errorf("reading the document's paths: %w", err)
	}
	var ops []Operation
	for path, item := range d.Paths {
		for method := range item {
			if methods[method] {
				ops = append(ops, Operation{Method: strings.ToUpper(method), Path: path})
			}
		}
	}
	sort.Slice(ops, func(i, j int) bool {
		return ops[i].Path+" "+ops[i].Method < ops[j].Path+" "+ops[j].Method
	})
	return ops, nil
}

var methods = map[string]bool{"get": true, "put": true, "post": true, "delete": true, "patch": true, "options": true, "head": true}

func build(src []byte) ([]byte, error) {
	var doc map[string]any
	if err := yaml.Unmarshal(src, &doc); err != nil {
		return nil, fmt.Errorf("reading the API document: %w", err)
	}
	root, _ := doc["security"].([]any)
	paths, _ := doc["paths"].(map[string]any)
	components, _ := doc["components"].(map[string]any)
	schemas, _ := components["schemas"].(map[string]any)
	shared, _ := components["responses"].(map[string]any)
	for _, item := range paths {
		for method, op := range item.(map[string]any) {
			if methods[method] {
				complete(op.(map[string]any), len(root) > 0, shared)
				exemplify(op.(map[string]any), schemas)
			}
		}
	}
	b, err := json.Marshal(doc)
	if err != nil {
		return nil, fmt.Errorf("writing the API document: %w", err)
	}
	return b, nil
}

// also adds an error code to the operation's response of status, making the
// response (in the error envelope) when there is none; a shared response
// ($ref) is copied first, so that the code is this operation's only.
func also(responses, shared map[string]any, status, code, text string) {
	r, _ := responses[status].(map[string]any)
	if ref, ok := r["$ref"].(string); ok {
		base, _ := shared[strings.TrimPrefix(ref, "#/components/responses/")].(map[string]any)
		r = maps.Clone(base)
	}
	if r == nil {
		r = map[string]any{"content": map[string]any{"application/json": map[string]any{"schema": map[string]any{"$ref": "#/components/schemas/Error"}}}}
	}
	responses[status] = r
	if desc, _ := r["description"].(string); !strings.Contains(desc, "`"+code+"`") {
		r["description"] = strings.TrimSpace(desc + " `" + code + "`: " + text)
	}
}

// complete adds to an operation what every operation of its kind answers.
// An operation is secured when it names a scope, or says nothing and the
// document's default is secured.
func complete(op map[string]any, securedByDefault bool, shared map[string]any) {
	responses, _ := op["responses"].(map[string]any)
	if responses == nil {
		responses = map[string]any{}
		op["responses"] = responses
	}
	ref := func(name string) map[string]any { return map[string]any{"$ref": "#/components/responses/" + name} }
	add := func(status, name string) {
		if _, ok := responses[status]; !ok {
			responses[status] = ref(name)
		}
	}
	if scope, ok := op["x-scope"].(string); ok {
		op["security"] = []any{map[string]any{"apiKey": []any{scope}}}
		desc, _ := op["description"].(string)
		op["description"] = strings.TrimSpace("Scope: `" + scope + "`.\n\n" + desc)
	}
	if sec, ok := op["security"].([]any); (ok && len(sec) > 0) || (!ok && securedByDefault) {
		add("401", "Unauthorized")
		add("403", "Forbidden")
		add("429", "RateLimited")
	}
	// Any request may carry bytes no URL or header may hold; the
	// middleware refuses them before any route, in the API's envelope.
	add("400", "BadRequest")
	if _, ok := op["requestBody"]; ok && op["x-nest"] == nil {
		add("413", "TooLarge")
	}
	if op["x-idempotent"] == true {
		params, _ := op["parameters"].([]any)
		op["parameters"] = append(params, map[string]any{"$ref": "#/components/parameters/IdempotencyKey"})
		also(responses, shared, "409", "idempotency_in_flight", "a request with the same Idempotency-Key is still running.")
		also(responses, shared, "422", "idempotency_error", "the Idempotency-Key was used with another body or endpoint.")
	}
	add("500", "Internal")
}

// exemplify gives each JSON body of an operation that has no example of its
// own one composed from its schema: the examples of the component schemas it
// refers to, put together as the schema says (a list's page, a wrapper), and
// a plain value of the right type where a schema has none. The document's
// test validates every example against its schema.
func exemplify(op map[string]any, schemas map[string]any) {
	var list []map[string]any
	var answers []bool
	if rb, ok := op["requestBody"].(map[string]any); ok {
		list, answers = append(list, rb), append(answers, false)
	}
	responses, _ := op["responses"].(map[string]any)
	for status, r := range responses {
		if m, ok := r.(map[string]any); ok && strings.HasPrefix(status, "2") {
			list, answers = append(list, m), append(answers, true)
		}
	}
	for i, b := range list {
		content, _ := b["content"].(map[string]any)
		mt, _ := content["application/json"].(map[string]any)
		if mt == nil || mt["example"] != nil || mt["examples"] != nil {
			continue
		}
		schema, _ := mt["schema"].(map[string]any)
		e := exampler{schemas: schemas, answer: answers[i]}
		if ex, ok := e.of(schema, 0); ok {
			mt["example"] = ex
		}
	}
}

// exampler composes examples of one direction: an answer leaves out
// writeOnly properties, a request readOnly ones.
type exampler struct {
	schemas map[string]any
	answer  bool
}

// direct leaves out of a schema's example the properties that do not travel
// in this direction.
func (e exampler) direct(s map[string]any, ex any) any {
	m, ok := ex.(map[string]any)
	props, _ := s["properties"].(map[string]any)
	if !ok || props == nil {
		return ex
	}
	out := make(map[string]any, len(m))
	for k, v := range m {
		p, _ := props[k].(map[string]any)
		if e.answer && p["writeOnly"] == true || !e.answer && p["readOnly"] == true {
			continue
		}
		out[k] = v
	}
	return out
}

// of composes a value of schema; see exemplify.
func (e exampler) of(s map[string]any, depth int) (any, bool) {
	if s == nil || depth > 10 {
		return nil, false
	}
	if ref, ok := s["$ref"].(string); ok {
		target, _ := e.schemas[strings.TrimPrefix(ref, "#/components/schemas/")].(map[string]any)
		return e.of(target, depth+1)
	}
	if exs, ok := s["examples"].([]any); ok && len(exs) > 0 {
		return e.direct(s, exs[0]), true
	}
	for _, k := range []string{"example", "const", "default"} {
		if v, ok := s[k]; ok {
			return v, true
		}
	}
	if enum, ok := s["enum"].([]any); ok && len(enum) > 0 {
		return enum[0], true
	}
	if all, ok := s["allOf"].([]any); ok {
		merged := map[string]any{}
		for _, part := range all {
			v, ok := e.of(part.(map[string]any), depth+1)
			m, isMap := v.(map[string]any)
			if !ok || !isMap {
				return nil, false
			}
			for k, x := range m {
				merged[k] = x
			}
		}
		return merged, true
	}
	for _, k := range []string{"oneOf", "anyOf"} {
		if alts, ok := s[k].([]any); ok && len(alts) > 0 {
			return e.of(alts[0].(map[string]any), depth+1)
		}
	}
	typ := s["type"]
	if list, ok := typ.([]any); ok && len(list) > 0 {
		typ = list[0]
	}
	switch typ {
	case "object", nil:
		out := map[string]any{}
		props, _ := s["properties"].(map[string]any)
		for name, p := range props {
			pm := p.(map[string]any)
			if e.answer && pm["writeOnly"] == true || !e.answer && pm["readOnly"] == true {
				continue
			}
			if v, ok := e.of(pm, depth+1); ok {
				out[name] = v
			}
		}
		return out, true
	case "array":
		items, _ := s["items"].(map[string]any)
		if v, ok := e.of(items, depth+1); ok {
			return []any{v}, true
		}
		return []any{}, true
	case "string":
		switch s["format"] {
		case "date-time":
			return "2026-12-03T10:00:00Z", true
		case "date":
			return "2026-12-03", true
		case "uuid":
			return "0b6f1f7e-6d0a-4e3b-9a43-5f6a2c1d8e90", true
		}
		return "text", true
	case "integer", "number":
		if m, ok := s["minimum"]; ok {
			return m, true
		}
		return 1, true
	case "boolean":
		return true, true
	}
	return nil, false
}
