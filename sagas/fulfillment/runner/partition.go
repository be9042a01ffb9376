package runner

import (
	"crypto/md5"
	"encoding/binary"
)

// DefaultPartitions is how many partitions the saga's instances are hashed
// into when Config.Partitions is zero.
const DefaultPartitions = 16

// partitionKey is the partition key of the saga of order id: the first
// four bytes of the MD5 of id, big-endian. It is what the partition_key
// column of sagas.active computes in SQL (migration 00006), so that the
// scheduler can claim the due sagas of given partitions; MD5 serves as a
// well-spread hash both sides compute alike, not for security.
func partitionKey(id string) uint32 {
	sum := md5.Sum([]byte(id))
	return binary.BigEndian.Uint32(sum[:4])
}

// partitionOf returns the partition, among n, of the saga of order id.
func partitionOf(id string, n int) int { return int(partitionKey(id) % uint32(n)) }
