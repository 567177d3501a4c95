package cache

import (
	"encoding/json"
	"testing"

	"github.com/dashgraph/dashgraph/rbac"
)

func sampleContext() *rbac.UserContext {
	parent := int64(1)
	return &rbac.UserContext{
		UserID: 42, Email: "analyst@dashgraph.test", Name: "Ana Analyst",
		Roles:         []rbac.RoleGrant{{RoleID: 3, Name: "analyst", Permissions: []string{rbac.AnalyticsReadOrganization, rbac.ProfileReadOwn}}},
		Organizations: []rbac.Organization{{ID: 2, Name: "Bend Health North", Slug: "bend-north", ParentID: &parent}},
		Accessible: []rbac.Organization{{ID: 2, Name: "Bend Health North", Slug: "bend-north", ParentID: &parent},
			{ID: 3, Name: "North Pediatrics", Slug: "bend-north-peds", ParentID: &parent}},
		OrgPractices: map[int64][]int64{2: {2}, 3: {3}},
	}
}

// BenchmarkUserContextDecode is a user-context cache hit: the JSON decode
// of the entry, and the same entry through the decode memo.
func BenchmarkUserContextDecode(b *testing.B) {
	raw, err := json.Marshal(sampleContext())
	if err != nil {
		b.Fatal(err)
	}
	cd := jsonCodec[*rbac.UserContext]()
	b.Run("JSON", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := cd.decode(raw); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("Memo", func(b *testing.B) {
		c := &Cache{decoded: newDecoded()}
		b.ReportAllocs()
		for b.Loop() {
			if _, err := decodeWith(c, kindUserContext, cd, raw); err != nil {
				b.Fatal(err)
			}
		}
	})
}

func TestDecodeMemoKeysOnExactBytes(t *testing.T) {
	c := &Cache{decoded: newDecoded()}
	cd := jsonCodec[*rbac.UserContext]()
	a, _ := json.Marshal(sampleContext())
	other := sampleContext()
	other.Name = "Someone Else"
	b, _ := json.Marshal(other)
	first, _ := decodeWith(c, kindUserContext, cd, a)
	second, _ := decodeWith(c, kindUserContext, cd, b)
	again, _ := decodeWith(c, kindUserContext, cd, a)
	if first.Name == second.Name || again != first {
		t.Fatalf("memo mixed entries: %q %q, or did not reuse the first", first.Name, second.Name)
	}
	// Same bytes under another cache kind are decoded on their own.
	if _, err := decodeWith(c, kindUser, jsonCodec[*rbac.UserContext](), a); err != nil {
		t.Fatal(err)
	}
}
