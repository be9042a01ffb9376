package eventschema

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/google/uuid"

	"github.com/orderflow/orderflow/eventstore"
	"github.com/orderflow/orderflow/write/domain"
)

// Entry is one stored event of the corpus, as the event store returned
// it: its stream and revision, id, type, schema version and the stored
// payload and metadata, byte for byte.
type Entry struct {
	Stream   string              `json:"stream"`
	Revision uint64              `json:"revision"`
	ID       uuid.UUID           `json:"id"`
	Type     string              `json:"type"`
	V        int                 `json:"v"`
	Data     json.RawMessage     `json:"data"`
	Metadata eventstore.Metadata `json:"metadata"`
}

// EntryOf returns the corpus entry of a stored event. V is the payload's
// schema version, 0 when it has none.
func EntryOf(e eventstore.RecordedEvent) Entry {
	v, _ := domain.SchemaVersion(e.Data)
	return Entry{Stream: e.Stream, Revision: e.Revision, ID: e.ID, Type: e.Type, V: v, Data: e.Data, Metadata: e.Metadata}
}

// Recorded returns the entry as a stored event (without a position or a
// recorded time, which belong to the store that held it).
func (e Entry) Recorded() eventstore.RecordedEvent {
	return eventstore.RecordedEvent{ID: e.ID, Stream: e.Stream, Revision: e.Revision, Type: e.Type, Data: e.Data, Metadata: e.Metadata}
}

// EventData returns the entry as an event to append, with its own id.
func (e Entry) EventData() eventstore.EventData {
	return eventstore.EventData{ID: e.ID, Type: e.Type, Data: e.Data, Metadata: e.Metadata}
}

// Key names a schema version of an event type: "order.placed v1".
type Key struct {
	Type string
	V    int
}

// String returns "type vN".
func (k Key) String() string { return fmt.Sprintf("%s v%d", k.Type, k.V) }

// Log is one generation of the corpus: the whole log one run of the
// generator wrote, in global order. Name is its file's name without
// the extension ("0001").
type Log struct {
	Name    string
	Entries []Entry
}

// Keys returns the schema versions of the event types the log holds.
func (l Log) Keys() map[Key]bool {
	keys := make(map[Key]bool)
	for _, e := range l.Entries {
		keys[Key{e.Type, e.V}] = true
	}
	return keys
}

// logExt is the extension of a corpus log: one Entry per line.
const logExt = ".jsonl"

// ReadCorpus reads every log of the corpus in dir, oldest first. A corpus
// that does not exist is empty.
func ReadCorpus(dir string) ([]Log, error) {
	files, err := filepath.Glob(filepath.Join(dir, "*"+logExt))
	if err != nil {
		return nil, fmt.Errorf("read the corpus: %w", err)
	}
	slices.Sort(files)
	logs := make([]Log, 0, len(files))
	for _, f := range files {
		l, err := readLog(f)
		if err != nil {
			return nil, err
		}
		logs = append(logs, l)
	}
	return logs, nil
}

// readLog reads one corpus log.
func readLog(file string) (Log, error) {
	data, err := os.ReadFile(file)
	if err != nil {
		return Log{}, fmt.Errorf("read the corpus: %w", err)
	}
	l := Log{Name: strings.TrimSuffix(filepath.Base(file), logExt)}
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(nil, eventstore.MaxEventSize*2)
	for n := 1; sc.Scan(); n++ {
		var e Entry
		dec := json.NewDecoder(bytes.NewReader(sc.Bytes()))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&e); err != nil {
			return Log{}, fmt.Errorf("corpus %s line %d: %w", filepath.Base(file), n, err)
		}
		l.Entries = append(l.Entries, e)
	}
	if err := sc.Err(); err != nil {
		return Log{}, fmt.Errorf("corpus %s: %w", filepath.Base(file), err)
	}
	if len(l.Entries) == 0 {
		return Log{}, fmt.Errorf("corpus %s: empty", filepath.Base(file))
	}
	return l, nil
}

// WriteLog adds entries to the corpus in dir as its next log, numbered
// after the last one, and returns it. It never changes a log already
// there: they are the history older code wrote.
func WriteLog(dir string, entries []Entry) (Log, error) {
	if len(entries) == 0 {
		return Log{}, errors.New("write a corpus log: no entries")
	}
	logs, err := ReadCorpus(dir)
	if err != nil {
		return Log{}, err
	}
	l := Log{Name: fmt.Sprintf("%04d", len(logs)+1), Entries: entries}
	var b bytes.Buffer
	for _, e := range entries {
		line, err := json.Marshal(e)
		if err != nil {
			return Log{}, fmt.Errorf("write corpus %s: %w", l.Name, err)
		}
		b.Write(line)
		b.WriteByte('\n')
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return Log{}, fmt.Errorf("write corpus %s: %w", l.Name, err)
	}
	f, err := os.OpenFile(filepath.Join(dir, l.Name+logExt), os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return Log{}, fmt.Errorf("write corpus %s: %w", l.Name, err)
	}
	if _, err := f.Write(b.Bytes()); err != nil {
		f.Close()
		return Log{}, fmt.Errorf("write corpus %s: %w", l.Name, err)
	}
	if err := f.Close(); err != nil {
		return Log{}, fmt.Errorf("write corpus %s: %w", l.Name, err)
	}
	return l, nil
}
