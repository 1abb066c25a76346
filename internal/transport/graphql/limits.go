package graphql

import (
	"context"
	"fmt"
	"strings"

	"github.com/99designs/gqlgen/complexity"
	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
)

// Error codes of the operation limits (extensions.code).
const (
	codeDepthLimit      = "DEPTH_LIMIT_EXCEEDED"
	codeComplexityLimit = "COMPLEXITY_LIMIT_EXCEEDED"
)

// defaultListSize is the assumed length of a list field that takes no
// `first` or `limit` (a job's skills, an organization's members).
const defaultListSize = 10

// limits is the handler extension that allows introspection and rejects
// operations deeper than maxDepth or costlier than maxCost (see
// costSchema) before they run. Introspection fields (__schema, __type)
// are not counted: GraphiQL's introspection query is deep by nature and
// cheap. (gqlgen's extension package is not used: it pulls in modules
// this one does not otherwise need.)
type limits struct {
	maxDepth, maxCost int
	es                graphql.ExecutableSchema
}

var _ interface {
	graphql.HandlerExtension
	graphql.OperationContextMutator
} = &limits{}

func (*limits) ExtensionName() string { return "Limits" }

func (l *limits) Validate(es graphql.ExecutableSchema) error {
	l.es = es
	return nil
}

func (l *limits) MutateOperationContext(ctx context.Context, opCtx *graphql.OperationContext) *gqlerror.Error {
	opCtx.DisableIntrospection = false
	if opCtx.Operation == nil {
		return nil
	}
	if depth := selectionDepth(opCtx.Operation.SelectionSet, map[string]bool{}); depth > l.maxDepth {
		err := gqlerror.Errorf("operation has depth %d, which exceeds the limit of %d", depth, l.maxDepth)
		err.Extensions = map[string]any{"code": codeDepthLimit}
		return err
	}
	if cost := complexity.Calculate(ctx, l.es, opCtx.Operation, opCtx.Variables); cost > l.maxCost {
		err := gqlerror.Errorf("operation has complexity %d, which exceeds the limit of %d (a list costs its first or limit times its items)", cost, l.maxCost)
		err.Extensions = map[string]any{"code": codeComplexityLimit}
		return err
	}
	return nil
}

// selectionDepth is the deepest nesting of fields in set, through
// fragments (validation has rejected fragment cycles; visiting guards
// against them anyway).
func selectionDepth(set ast.SelectionSet, visiting map[string]bool) int {
	deepest := 0
	for _, sel := range set {
		var d int
		switch s := sel.(type) {
		case *ast.Field:
			if strings.HasPrefix(s.Name, "__") {
				continue
			}
			d = 1 + selectionDepth(s.SelectionSet, visiting)
		case *ast.InlineFragment:
			d = selectionDepth(s.SelectionSet, visiting)
		case *ast.FragmentSpread:
			if s.Definition == nil || visiting[s.Name] {
				continue
			}
			visiting[s.Name] = true
			d = selectionDepth(s.Definition.SelectionSet, visiting)
			delete(visiting, s.Name)
		}
		deepest = max(deepest, d)
	}
	return deepest
}

// costSchema prices fields for the complexity limit: a field costs 1 plus
// the cost of its selections, and a list costs its length times the cost
// of one element. The length is the field's `first` or `limit` argument
// (its default when absent), else defaultListSize for lists of objects;
// the lists inside a page (items, hits) are sized by the field that
// returns the page.
type costSchema struct{ graphql.ExecutableSchema }

func (c costSchema) Complexity(ctx context.Context, typeName, fieldName string, childComplexity int, args map[string]any) (int, bool) {
	def := c.Schema().Types[typeName]
	if def == nil || strings.HasPrefix(typeName, "__") {
		return c.ExecutableSchema.Complexity(ctx, typeName, fieldName, childComplexity, args)
	}
	field := def.Fields.ForName(fieldName)
	if field == nil {
		return c.ExecutableSchema.Complexity(ctx, typeName, fieldName, childComplexity, args)
	}
	n := 1
	switch {
	case hasArg(field, "first"):
		n = sizeArg(args["first"])
	case hasArg(field, "limit"):
		n = sizeArg(args["limit"])
	case field.Type.Elem != nil && !isPage(def) && isComposite(c.Schema(), field.Type):
		n = defaultListSize
	}
	return saturating(1, n, childComplexity), true
}

func hasArg(f *ast.FieldDefinition, name string) bool { return f.Arguments.ForName(name) != nil }

// isPage reports whether t is a page of a list (JobPage, SearchResult...),
// whose lists are sized by the field returning it.
func isPage(t *ast.Definition) bool {
	return strings.HasSuffix(t.Name, "Page") || t.Name == "SearchResult"
}

func isComposite(s *ast.Schema, t *ast.Type) bool {
	d := s.Types[t.Name()]
	return d != nil && (d.Kind == ast.Object || d.Kind == ast.Interface || d.Kind == ast.Union)
}

// sizeArg reads a list-size argument; a missing, zero ("all") or negative
// value counts as the largest page (100).
func sizeArg(v any) int {
	var n int64
	switch x := v.(type) {
	case int:
		n = int64(x)
	case int64:
		n = x
	case float64:
		n = int64(x)
	case fmt.Stringer:
		_, _ = fmt.Sscan(x.String(), &n)
	}
	if n <= 0 || n > 100 {
		return 100
	}
	return int(n) // #nosec G115 -- n is in 1..100
}

// saturating returns base + n*child without overflowing.
func saturating(base, n, child int) int {
	const maxCost = 1 << 30
	if child > 0 && n > maxCost/child {
		return maxCost
	}
	return min(base+n*child, maxCost)
}
