// Package instance names the running process for the leases it takes.
package instance

import (
	"crypto/rand"
	"encoding/hex"
	"os"
	"strconv"
)

// Name returns a name for this process that no other process shares: its
// host, its process id and a random suffix (a restarted container may get
// the same host name and process id).
func Name() string {
	host, err := os.Hostname()
	if err != nil {
		host = "unknown"
	}
	var b [4]byte
	_, _ = rand.Read(b[:])
	return host + "-" + strconv.Itoa(os.Getpid()) + "-" + hex.EncodeToString(b[:])
}
