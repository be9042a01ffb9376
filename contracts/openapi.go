package contracts

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/oasdiff/oasdiff/checker"
	"github.com/oasdiff/oasdiff/diff"
	"github.com/oasdiff/oasdiff/load"
)

// OpenAPIBreaking returns the breaking changes of the OpenAPI document
// revision against base, in oasdiff's order: every change oasdiff's
// checker, with all its checks on, rates an error (checker.ERR) or a
// warning (checker.WARN). Its warnings count too: among them are a
// request property removed, which our API, refusing unknown members,
// turns into a refused request, and a request pattern changed, which may
// narrow it. It fails when either document does not load.
//
// oasdiff rates as errors or warnings, among others: an operation or
// path removed (unless it was deprecated and its x-sunset date has
// passed), a request parameter, property or body made required or added
// as required, a request value narrowed (a type changed, an enum value
// removed, a pattern, maximum, maxLength or maxItems added or tightened,
// a minimum raised), a response property, header or success status
// removed or made optional, a response type changed and a response enum
// value added — except a new error code: the `code` of an error answer
// (status 400 and above) is an open set, and a client meeting a code it
// does not know acts on the status, as RFC 9457 asks of problem types
// (README.md, Compatibility). So a new way to fail is additive, like a new
// GraphQL enum value. (A code that stops being sent is, to oasdiff as to
// us, no break: what a client matched on it is then never needed.)
func OpenAPIBreaking(base, revision []byte) ([]Change, error) {
	b, err := loadOpenAPI(base, "base")
	if err != nil {
		return nil, err
	}
	r, err := loadOpenAPI(revision, "revision")
	if err != nil {
		return nil, err
	}
	d, sources, err := diff.GetWithOperationsSourcesMap(diff.NewConfig(), b, r)
	if err != nil {
		return nil, fmt.Errorf("compare the OpenAPI documents: %w", err)
	}
	found := checker.CheckBackwardCompatibility(checker.NewConfig(checker.GetAllChecks()), d, sources)
	l := checker.NewDefaultLocalizer()
	changes := make([]Change, 0, len(found))
	for _, c := range found {
		if newErrorCode(c) {
			continue
		}
		msg := c.GetUncolorizedText(l)
		if op, path := c.GetOperation(), c.GetPath(); path != "" {
			msg = strings.TrimSpace(op+" "+path) + ": " + msg
		}
		changes = append(changes, Change{Contract: "openapi", Kind: c.GetId(), Message: msg})
	}
	return changes, nil
}

// loadOpenAPI loads a document from memory, with a loader of its own (a
// shared one would cache one document for both names).
func loadOpenAPI(doc []byte, name string) (*load.SpecInfo, error) {
	loader := openapi3.NewLoader()
	s, err := load.NewSpecInfoFromData(loader, doc, name+".json")
	if err != nil {
		return nil, fmt.Errorf("load the %s OpenAPI document: %w", name, err)
	}
	return s, nil
}

// newErrorCode reports whether c is a new value of the `code` member of
// an error answer.
func newErrorCode(c checker.Change) bool {
	if c.GetId() != checker.ResponsePropertyEnumValueAddedId {
		return false
	}
	args := c.GetArgs()
	if len(args) < 3 || fmt.Sprint(args[1]) != "code" {
		return false
	}
	status, err := strconv.Atoi(fmt.Sprint(args[2]))
	return err == nil && status >= 400
}
