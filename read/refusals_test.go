package read_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"runtime"
	"strings"
	"sync"
	"testing"
)

// TestThousandRefusalsKeepTheServerSmall sends 1,000 hostile documents,
// 8 at a time over real sockets: each is refused with a body under
// 16 KiB, none runs SQL, and the heap after them (after a GC) is within a
// few megabytes of the heap before.
func TestThousandRefusalsKeepTheServerSmall(t *testing.T) {
	e := newEnv(t, withoutProjections())
	docs := []func(i int) string{
		func(i int) string { return strings.Replace(aliasFlood(1256), "SKU-9", fmt.Sprint("SKU-", i), 1) },
		func(i int) string { return rootFlood(319) + fmt.Sprintf("# %d", i) },
		func(i int) string {
			return fmt.Sprintf(`{ p%d: product(sku: "x") { ...F ...F } } fragment F on Product {`, i) + strings.Repeat(" a: sku a: name", 40) + ` }`
		},
		func(i int) string {
			return fmt.Sprintf(`{ ...A } # %d
fragment A on Query { ...B ...B ...B ...B ...B ...B ...B ...B } fragment B on Query { ...C ...C ...C ...C ...C ...C ...C ...C }
fragment C on Query { product(sku: "x") { sku } __typename }`, i)
		},
	}
	transport := &http.Transport{MaxIdleConnsPerHost: 8}
	t.Cleanup(transport.CloseIdleConnections)
	client := &http.Client{Transport: transport}
	post := func(i int) error {
		body, err := json.Marshal(request{Query: docs[i%len(docs)](i)})
		if err != nil {
			return err
		}
		req, err := http.NewRequest(http.MethodPost, e.url, bytes.NewReader(body))
		if err != nil {
			return err
		}
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set(asHeader, admin)
		res, err := client.Do(req)
		if err != nil {
			return err
		}
		defer res.Body.Close()
		b, err := io.ReadAll(res.Body)
		if err != nil {
			return err
		}
		if res.StatusCode != http.StatusBadRequest || len(b) >= 16<<10 {
			return fmt.Errorf("document %d: %d, %d bytes: %.300s", i%len(docs), res.StatusCode, len(b), b)
		}
		return nil
	}
	run := func(n int) {
		t.Helper()
		var (
			wg   sync.WaitGroup
			mu   sync.Mutex
			errs []error
		)
		next := make(chan int)
		for range 8 {
			wg.Go(func() {
				for i := range next {
					if err := post(i); err != nil {
						mu.Lock()
						errs = append(errs, err)
						mu.Unlock()
					}
				}
			})
		}
		for i := range n {
			next <- i
		}
		close(next)
		wg.Wait()
		if len(errs) > 0 {
			t.Fatalf("%d of %d refusals went wrong; the first: %v", len(errs), n, errs[0])
		}
	}
	heap := func() uint64 {
		runtime.GC()
		runtime.GC()
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		return m.HeapAlloc
	}

	run(40) // connections, buffers and the handler's lazily built state
	queries := e.queries.n.Load()
	before := heap()
	run(1000)
	after := heap()
	if n := e.queries.n.Load() - queries; n != 0 {
		t.Errorf("the refusals ran %d SQL statements", n)
	}
	const slack = 8 << 20
	if after > before+slack {
		t.Errorf("heap %d MiB after 1,000 refusals, %d MiB before: it grew by more than %d MiB", after>>20, before>>20, slack>>20)
	}
	t.Logf("heap before %.1f MiB, after %.1f MiB", float64(before)/(1<<20), float64(after)/(1<<20))
}
