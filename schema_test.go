package main

import (
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/vektah/gqlparser/v2"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/parser"
)

const schemaFile = "schema.graphqls"

// TestSchemaIsValid loads schema.graphqls the way a client generator does
// (with the built-in types), so a schema that does not validate fails here
// with the parser's message.
func TestSchemaIsValid(t *testing.T) {
	src := readSchema(t)
	if _, err := gqlparser.LoadSchema(src); err != nil {
		t.Fatalf("%s: %v", schemaFile, err)
	}
}

// TestSchemaDescriptions fails when any type, field, argument, enum value,
// input field or directive in schema.graphqls has no description. Client
// teams generate typed clients from the schema (genqlient, graphql-codegen)
// and GraphiQL shows it: the descriptions are the API's reference.
func TestSchemaDescriptions(t *testing.T) {
	doc, err := parser.ParseSchema(readSchema(t))
	if err != nil {
		t.Fatalf("%s: %v", schemaFile, err)
	}
	missing := undescribed(doc)
	for _, m := range missing {
		t.Error(m)
	}
	if len(missing) > 0 {
		t.Logf("%d schema elements lack a description: add a \"...\" string before each", len(missing))
	}
}

// TestSchemaDescriptionsCheck shows that the check finds every kind of gap.
func TestSchemaDescriptionsCheck(t *testing.T) {
	doc, err := parser.ParseSchema(&ast.Source{Name: "test.graphqls", Input: `
scalar Bare
"ok" type Query { "ok" a("ok" x: Int, y: Int): Int b: Int }
type T { "ok" c: Int }
"ok" enum E { "ok" ONE TWO }
"ok" input I { "ok" d: Int e: Int }
"ok" interface N { f: Int }
union U = T
"ok" directive @d(z: Int) on FIELD_DEFINITION
directive @bare on FIELD_DEFINITION
extend type T { "  " g: Int }
`})
	if err != nil {
		t.Fatal(err)
	}
	got := undescribed(doc)
	want := []string{
		"scalar Bare",
		"argument Query.a(y:)",
		"field Query.b",
		"object T",
		"enum value E.TWO",
		"input field I.e",
		"field N.f",
		"union U",
		"argument @d(z:)",
		"directive @bare",
		"field T.g",
	}
	if len(got) != len(want) {
		t.Fatalf("found %d gaps, want %d:\n%s", len(got), len(want), strings.Join(got, "\n"))
	}
	for i := range want {
		if !strings.HasSuffix(got[i], want[i]+" has no description") {
			t.Errorf("gap %d = %q, want one ending in %q", i, got[i], want[i])
		}
	}
}

func readSchema(t *testing.T) *ast.Source {
	t.Helper()
	b, err := os.ReadFile(schemaFile)
	if err != nil {
		t.Fatal(err)
	}
	return &ast.Source{Name: schemaFile, Input: string(b)}
}

// undescribed lists, in file order, every element of doc without a
// description, as "file:line: kind name has no description".
func undescribed(doc *ast.SchemaDocument) []string {
	var out []string
	check := func(desc string, pos *ast.Position, what string) {
		if strings.TrimSpace(desc) != "" {
			return
		}
		where := "?"
		if pos != nil && pos.Src != nil {
			where = fmt.Sprintf("%s:%d", pos.Src.Name, pos.Line)
		}
		out = append(out, where+": "+what+" has no description")
	}
	checkArgs := func(owner string, args ast.ArgumentDefinitionList) {
		for _, a := range args {
			check(a.Description, a.Position, fmt.Sprintf("argument %s(%s:)", owner, a.Name))
		}
	}
	checkDef := func(d *ast.Definition, extension bool) {
		// An extension adds to a definition described elsewhere; only what it
		// adds needs descriptions.
		if !extension {
			check(d.Description, d.Position, kindName(d.Kind)+" "+d.Name)
		}
		for _, f := range d.Fields {
			switch d.Kind {
			case ast.InputObject:
				check(f.Description, f.Position, fmt.Sprintf("input field %s.%s", d.Name, f.Name))
			default:
				check(f.Description, f.Position, fmt.Sprintf("field %s.%s", d.Name, f.Name))
				checkArgs(d.Name+"."+f.Name, f.Arguments)
			}
		}
		for _, v := range d.EnumValues {
			check(v.Description, v.Position, fmt.Sprintf("enum value %s.%s", d.Name, v.Name))
		}
	}
	for _, d := range doc.Definitions {
		checkDef(d, false)
	}
	for _, d := range doc.Directives {
		check(d.Description, d.Position, "directive @"+d.Name)
		checkArgs("@"+d.Name, d.Arguments)
	}
	for _, d := range doc.Extensions {
		checkDef(d, true)
	}
	return out
}

func kindName(k ast.DefinitionKind) string {
	switch k {
	case ast.Scalar:
		return "scalar"
	case ast.Object:
		return "object"
	case ast.Interface:
		return "interface"
	case ast.Union:
		return "union"
	case ast.Enum:
		return "enum"
	case ast.InputObject:
		return "input"
	default:
		return strings.ToLower(string(k))
	}
}
