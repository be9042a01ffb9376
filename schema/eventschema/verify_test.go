package eventschema_test

import (
	"errors"
	"slices"
	"testing"

	"github.com/google/uuid"

	"github.com/orderflow/orderflow/eventstore"
	"github.com/orderflow/orderflow/projections/readmodels/readmodelstest"
	"github.com/orderflow/orderflow/schema/eventschema"
	"github.com/orderflow/orderflow/write/domain"
)

// TestVerify reads a log of the corpus's first log and two planted
// events, a page of 7 at a time: it reports exactly the planted ones, in
// log order, and its progress after every page.
func TestVerify(t *testing.T) {
	t.Parallel()
	logs, err := eventschema.ReadCorpus(corpusDir)
	if err != nil || len(logs) == 0 {
		t.Fatalf("read the corpus: %d logs, %v", len(logs), err)
	}
	e := readmodelstest.New(t)
	entries := logs[0].Entries
	var wantBad []eventschema.Undecodable
	plant := func(stream, typ, data string) {
		res, err := e.Store.Append(e.Ctx(), stream, eventstore.NoStream, eventstore.EventData{ID: uuid.New(), Type: typ, Data: []byte(data)})
		if err != nil {
			t.Fatal(err)
		}
		e.Wrote(res.Position)
		v, _ := domain.SchemaVersion([]byte(data))
		wantBad = append(wantBad, eventschema.Undecodable{Position: res.Position, Stream: stream, Type: typ, V: v})
	}
	replay(t, e, eventschema.Log{Name: "first half", Entries: entries[:len(entries)/2]})
	plant("shipment-planted", "shipping.shipment_scheduled", `{"v":7}`)
	replay(t, e, eventschema.Log{Name: "second half", Entries: entries[len(entries)/2:]})
	plant("fulfillment-planted", "fulfillment.started", `{"v":1,"orderId":12}`)
	head := e.Visible()

	var (
		got      []eventschema.Undecodable
		progress []int64
	)
	res, err := eventschema.Verify(e.Ctx(), e.Store, eventschema.VerifyOptions{
		PageSize:    7,
		Progress:    func(done int64) { progress = append(progress, done) },
		Undecodable: func(u eventschema.Undecodable) { got = append(got, u) },
	})
	if err != nil {
		t.Fatal(err)
	}
	total := int64(len(entries) + 2)
	if want := (eventschema.VerifyResult{Events: total, Undecodable: 2, Head: head}); res != want {
		t.Errorf("Verify = %+v, want %+v", res, want)
	}
	var wantProgress []int64
	for n := int64(7); n < total; n += 7 {
		wantProgress = append(wantProgress, n)
	}
	wantProgress = append(wantProgress, total)
	if !slices.Equal(progress, wantProgress) {
		t.Errorf("progress = %v, want %v", progress, wantProgress)
	}
	if len(got) != len(wantBad) {
		t.Fatalf("undecodable = %+v, want %+v", got, wantBad)
	}
	for i, u := range got {
		w := wantBad[i]
		if u.Position != w.Position || u.Stream != w.Stream || u.Revision != 0 || u.Type != w.Type || u.V != w.V {
			t.Errorf("undecodable %d = %+v, want %+v", i, u, w)
		}
	}
	if !errors.Is(got[0].Err, domain.ErrUnsupportedVersion) || !errors.Is(got[1].Err, domain.ErrMalformedEvent) {
		t.Errorf("errors = %v, %v; want an unsupported version, then a malformed event", got[0].Err, got[1].Err)
	}
}
