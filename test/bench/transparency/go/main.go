// Go baseline for test/bench/transparency: RFC 6962 leaf hashing plus transparency-dev/merkle's
// compact range over N messages of the same size the TS side hashes. Prints nanoseconds per leaf.
package main

import (
	"encoding/binary"
	"fmt"
	"os"
	"strconv"
	"time"

	"github.com/transparency-dev/merkle/compact"
	"github.com/transparency-dev/merkle/rfc6962"
)

func main() {
	n, _ := strconv.Atoi(os.Args[1])
	size, _ := strconv.Atoi(os.Args[2])
	msg := make([]byte, size)
	for i := range msg {
		msg[i] = byte('a' + i%26)
	}
	best := time.Duration(1<<63 - 1)
	var root []byte
	for round := 0; round < 5; round++ {
		start := time.Now()
		rf := compact.RangeFactory{Hash: rfc6962.DefaultHasher.HashChildren}
		r := rf.NewEmptyRange(0)
		for i := 0; i < n; i++ {
			binary.BigEndian.PutUint64(msg, uint64(i))
			if err := r.Append(rfc6962.DefaultHasher.HashLeaf(msg), nil); err != nil {
				panic(err)
			}
		}
		root, _ = r.GetRootHash(nil)
		if d := time.Since(start); d < best {
			best = d
		}
	}
	fmt.Printf("{\"ns_per_leaf\": %.1f, \"root\": \"%x\"}\n", float64(best.Nanoseconds())/float64(n), root)
}
