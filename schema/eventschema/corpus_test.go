package eventschema_test

import (
	"encoding/json"
	"flag"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/orderflow/orderflow/projections/readmodels/readmodelstest"
	"github.com/orderflow/orderflow/schema/eventschema"
	"github.com/orderflow/orderflow/write/domain"
)

// update makes TestCorpus run the generator: see corpusDir.
var update = flag.Bool("update", false, "add a log to the corpus when the code writes an event type or schema version the corpus lacks")

// corpusDir holds the corpus: one log per run of the generator that found
// something new (go test ./schema/eventschema -run TestCorpus -update),
// beside the orders read model that log built (NNNN.orders.json).
const corpusDir = "corpus"

// TestCorpus decodes every event of the corpus with the codecs, and fails
// when the current schema version of an event type has no entry in the
// corpus, or when the corpus holds a version that the codec no longer
// reads (a new version without an upcaster from the old one). With
// -update it first runs the generator, which adds a log when the code
// writes something the corpus lacks.
func TestCorpus(t *testing.T) {
	if *update {
		generate(t)
	}
	logs, err := eventschema.ReadCorpus(corpusDir)
	if err != nil {
		t.Fatal(err)
	}
	if len(logs) == 0 {
		t.Fatalf("the corpus in %s is empty: run go test ./schema/eventschema -run TestCorpus -update", corpusDir)
	}
	for _, msg := range checkCorpus(logs, eventschema.Contexts()) {
		t.Error(msg)
	}
}

// checkCorpus returns what is wrong with the corpus logs read by the
// codecs of contexts: entries they cannot decode, versions with no
// upcaster to the current one, and current versions the corpus lacks.
func checkCorpus(logs []eventschema.Log, contexts []eventschema.Context) []string {
	byCategory := make(map[string]domain.Codec, len(contexts))
	for _, c := range contexts {
		byCategory[c.Category] = c.Codec
	}
	var problems []string
	inCorpus := make(map[eventschema.Key]bool)
	for _, l := range logs {
		for i, e := range l.Entries {
			k := eventschema.Key{Type: e.Type, V: e.V}
			inCorpus[k] = true
			if v, _ := domain.SchemaVersion(e.Data); v != e.V {
				problems = append(problems, fmt.Sprintf("corpus %s entry %d (%s@%d): says v%d, its payload v%d", l.Name, i+1, e.Stream, e.Revision, e.V, v))
			}
			codec, ok := byCategory[e.Recorded().Category()]
			if !ok {
				problems = append(problems, fmt.Sprintf("corpus %s entry %d (%s@%d, %s): no codec reads the category %q", l.Name, i+1, e.Stream, e.Revision, k, e.Recorded().Category()))
				continue
			}
			if _, err := codec.Decode(e.Type, e.Data); err != nil {
				problems = append(problems, fmt.Sprintf("corpus %s entry %d (%s@%d, %s): %v", l.Name, i+1, e.Stream, e.Revision, k, err))
			}
		}
	}
	codecs := make(map[string]eventschema.Context)
	for _, c := range contexts {
		for _, typ := range c.Codec.Types() {
			codecs[typ] = c
			current, _ := c.Codec.Current(typ)
			if !inCorpus[eventschema.Key{Type: typ, V: current}] {
				problems = append(problems, fmt.Sprintf("%s v%d, the version the code writes, has no entry in the corpus: run go test ./schema/eventschema -run TestCorpus -update", typ, current))
			}
		}
	}
	keys := make([]eventschema.Key, 0, len(inCorpus))
	for k := range inCorpus {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b eventschema.Key) int {
		if a.Type != b.Type {
			if a.Type < b.Type {
				return -1
			}
			return 1
		}
		return a.V - b.V
	})
	for _, k := range keys {
		c, ok := codecs[k.Type]
		switch {
		case !ok:
			problems = append(problems, fmt.Sprintf("%s is in the corpus but no codec knows the type: stored events are never renamed or dropped", k))
		case !c.Codec.Reads(k.Type, k.V):
			current, _ := c.Codec.Current(k.Type)
			problems = append(problems, fmt.Sprintf("%s is in the corpus but the %s codec cannot read it: add the upcaster from v%d to v%d", k, c.Category, k.V, current))
		}
	}
	return problems
}

// generate runs the generator: the write side and the fulfillment saga
// write a history with every kind of event to a fresh PostgreSQL event
// store; when it holds an event type or schema version the corpus lacks,
// the whole log becomes the corpus's next log, and the orders read model
// rebuilt from it is kept beside it.
func generate(t *testing.T) {
	logs, err := eventschema.ReadCorpus(corpusDir)
	if err != nil {
		t.Fatal(err)
	}
	known := make(map[eventschema.Key]bool)
	for _, l := range logs {
		for k := range l.Keys() {
			known[k] = true
		}
	}
	e := readmodelstest.New(t)
	saga := e.StartSaga(readmodelstest.HistoryPaymentTimeout)
	if err := e.History(e.Ctx(), saga, 2); err != nil {
		t.Fatal(err)
	}
	saga.Stop()
	stored := e.Log()
	if err := readmodelstest.AllKinds(stored); err != nil {
		t.Fatal(err)
	}
	entries := make([]eventschema.Entry, 0, len(stored))
	var news []string
	contexts := make(map[string]bool)
	for _, c := range eventschema.Contexts() {
		contexts[c.Category] = true
	}
	for _, r := range stored {
		if !contexts[r.Category()] {
			// Snapshots and the event store's identity: no context's
			// history, and no schema version.
			continue
		}
		entry := eventschema.EntryOf(r)
		entries = append(entries, entry)
		if k := (eventschema.Key{Type: entry.Type, V: entry.V}); !known[k] {
			known[k] = true
			news = append(news, k.String())
		}
	}
	if len(news) == 0 {
		t.Logf("the corpus already holds every event type and schema version the code writes")
		return
	}
	rows := rebuildOrders(t, e)
	l, err := eventschema.WriteLog(corpusDir, entries)
	if err != nil {
		t.Fatal(err)
	}
	if err := writeRows(l, rows); err != nil {
		t.Fatal(err)
	}
	t.Logf("added corpus %s: %d events, new: %v", l.Name, len(entries), news)
}

// TestCheckCorpus holds checkCorpus to what it must catch.
func TestCheckCorpus(t *testing.T) {
	logs, err := eventschema.ReadCorpus(corpusDir)
	if err != nil {
		t.Fatal(err)
	}
	if len(logs) == 0 {
		t.Fatal("the corpus is empty")
	}
	first := logs[0].Entries[0]
	category := first.Recorded().Category()
	current := currentVersion(t, first.Type)

	t.Run("the corpus as it is", func(t *testing.T) {
		if got := checkCorpus(logs, eventschema.Contexts()); len(got) != 0 {
			t.Errorf("checkCorpus = %q, want nothing", got)
		}
	})
	t.Run("a version no codec reads", func(t *testing.T) {
		bad := withV(t, first, 99)
		got := checkCorpus(with(logs, bad), eventschema.Contexts())
		want := []string{
			fmt.Sprintf("corpus bad entry 1 (%s@%d, %s v99): decode %s: version 99, known 1 to %d: unsupported event schema version", first.Stream, first.Revision, first.Type, first.Type, current),
			fmt.Sprintf("%s v99 is in the corpus but the %s codec cannot read it: add the upcaster from v99 to v%d", first.Type, category, current),
		}
		if !slices.Equal(got, want) {
			t.Errorf("checkCorpus =\n%q\nwant\n%q", got, want)
		}
	})
	t.Run("a type no codec knows", func(t *testing.T) {
		bad := eventschema.Entry{Stream: "order-x", Type: "order.renamed", V: 1, Data: []byte(`{"v":1}`)}
		got := checkCorpus(with(logs, bad), eventschema.Contexts())
		want := []string{
			`corpus bad entry 1 (order-x@0, order.renamed v1): decode "order.renamed": not a order event: unknown event type`,
			"order.renamed v1 is in the corpus but no codec knows the type: stored events are never renamed or dropped",
		}
		if !slices.Equal(got, want) {
			t.Errorf("checkCorpus =\n%q\nwant\n%q", got, want)
		}
	})
	t.Run("a new version without an upcaster from the old one", func(t *testing.T) {
		// The code of first's context, had it moved first's type to
		// version current+1 and forgotten the versions before.
		var contexts []eventschema.Context
		for _, c := range eventschema.Contexts() {
			if c.Category == category {
				c.Codec = withoutUpcasters(c.Codec, first.Type, current+1)
			}
			contexts = append(contexts, c)
		}
		got := checkCorpus(logs, contexts)
		var want []string
		for _, l := range logs {
			for i, e := range l.Entries {
				if e.Type == first.Type {
					want = append(want, fmt.Sprintf("corpus %s entry %d (%s@%d, %s v%d): decode %s: version %d, known 1 to %d: unsupported event schema version",
						l.Name, i+1, e.Stream, e.Revision, e.Type, e.V, e.Type, e.V, current+1))
				}
			}
		}
		want = append(want, fmt.Sprintf("%s v%d, the version the code writes, has no entry in the corpus: run go test ./schema/eventschema -run TestCorpus -update", first.Type, current+1))
		for v := 1; v <= current; v++ {
			if keyIn(logs, eventschema.Key{Type: first.Type, V: v}) {
				want = append(want, fmt.Sprintf("%s v%d is in the corpus but the %s codec cannot read it: add the upcaster from v%d to v%d", first.Type, v, category, v, current+1))
			}
		}
		if !slices.Equal(got, want) {
			t.Errorf("checkCorpus =\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
	})
	t.Run("a current version with no entry", func(t *testing.T) {
		var kept []eventschema.Log
		for _, l := range logs {
			l.Entries = slices.DeleteFunc(slices.Clone(l.Entries), func(e eventschema.Entry) bool { return e.Type == first.Type })
			kept = append(kept, l)
		}
		got := checkCorpus(kept, eventschema.Contexts())
		want := []string{fmt.Sprintf("%s v%d, the version the code writes, has no entry in the corpus: run go test ./schema/eventschema -run TestCorpus -update", first.Type, current)}
		if !slices.Equal(got, want) {
			t.Errorf("checkCorpus =\n%q\nwant\n%q", got, want)
		}
	})
}

// withoutUpcasters returns a codec that reads what c reads, except that
// it writes typ in version v and reads no other version of it.
func withoutUpcasters(c domain.Codec, typ string, v int) domain.Codec {
	var current, older []domain.EventSpec
	for _, t := range c.Types() {
		if t == typ {
			current = append(current, domain.EventSpec{Type: t, Version: v, Decode: func([]byte) (domain.Event, error) { return nil, nil }})
			continue
		}
		decode := func(data []byte) (domain.Event, error) { return c.Decode(t, data) }
		cur, _ := c.Current(t)
		current = append(current, domain.EventSpec{Type: t, Version: cur, Decode: decode})
		for old := 1; old < cur; old++ {
			if c.Reads(t, old) {
				older = append(older, domain.EventSpec{Type: t, Version: old, Decode: decode})
			}
		}
	}
	return domain.NewCodec("test", current, older...)
}

// currentVersion returns the version the code writes events of type typ in.
func currentVersion(t *testing.T, typ string) int {
	t.Helper()
	for _, c := range eventschema.Contexts() {
		if v, ok := c.Codec.Current(typ); ok {
			return v
		}
	}
	t.Fatalf("no codec knows %s", typ)
	return 0
}

// keyIn reports whether a log holds an event of k.
func keyIn(logs []eventschema.Log, k eventschema.Key) bool {
	for _, l := range logs {
		if l.Keys()[k] {
			return true
		}
	}
	return false
}

// with returns logs and one more, "bad", of the one entry e.
func with(logs []eventschema.Log, e eventschema.Entry) []eventschema.Log {
	return append(slices.Clone(logs), eventschema.Log{Name: "bad", Entries: []eventschema.Entry{e}})
}

// withV returns e with its schema version, in the payload too, set to v.
func withV(t *testing.T, e eventschema.Entry, v int) eventschema.Entry {
	t.Helper()
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(e.Data, &fields); err != nil {
		t.Fatal(err)
	}
	fields["v"] = json.RawMessage(strconv.Itoa(v))
	data, err := json.Marshal(fields)
	if err != nil {
		t.Fatal(err)
	}
	e.Data, e.V = data, v
	return e
}
