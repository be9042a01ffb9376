package command

import "testing"

func TestSnapshotsBound(t *testing.T) {
	c := newSnapshots(2)
	c.put("a", &snapshot{revision: 1})
	c.put("b", &snapshot{revision: 1})
	c.put("a", &snapshot{revision: 0}) // older: ignored
	if s, _ := c.get("a"); s.revision != 1 {
		t.Fatalf("an older snapshot replaced a newer one")
	}
	c.put("c", &snapshot{revision: 1})
	if _, ok := c.get("a"); ok {
		t.Fatal("the oldest entry survived past the bound")
	}
	for _, k := range []string{"b", "c"} {
		if _, ok := c.get(k); !ok {
			t.Fatalf("%s was evicted too early", k)
		}
	}
}
