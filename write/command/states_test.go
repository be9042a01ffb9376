package command

import "testing"

func TestStatesBound(t *testing.T) {
	c := newStates(2)
	c.put("a", 1)
	c.put("b", 1)
	c.put("c", 1)
	if _, ok := c.take("a"); ok {
		t.Fatal("the state parked longest ago survived past the bound")
	}
	if s, ok := c.take("b"); !ok || s != 1 {
		t.Fatalf("b: %v, %v", s, ok)
	}
	if _, ok := c.take("b"); ok {
		t.Fatal("a taken state is still parked")
	}
	for range 100 { // parking and taking one stream again and again keeps one entry
		c.put("d", 2)
		c.take("d")
	}
	c.put("d", 3)
	if c.len() != 2 {
		t.Fatalf("%d parked, want 2 (c and d)", c.len())
	}
}
